// The command line's default model: `--model default` (eval, info) and `--potential default` (cascade, yield)
// name models/mos2-dptab.json of this repository from any working directory, and so does leaving the option out.
// Run from a temporary directory, so a path resolved against the cwd would fail.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_PATH, readModelFile, resolveModelPath } from '../../src/cli/defaultModel.ts';
import { buildSheet } from '../../src/physics/lattice.ts';
import { ROOT } from '../helpers.ts';

const away = mkdtempSync(join(tmpdir(), 'dptab-cli-'));
const cli = (...args: string[]) => spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'src/cli/main.ts'), ...args], { cwd: away, encoding: 'utf8' });

describe('the default model of the command line', () => {
  it('"default" and no value name models/mos2-dptab.json of the repository; anything else is a path', () => {
    expect(DEFAULT_MODEL_PATH).toBe(join(ROOT, 'models', 'mos2-dptab.json'));
    expect(resolveModelPath('default')).toBe(DEFAULT_MODEL_PATH);
    expect(resolveModelPath(undefined)).toBe(DEFAULT_MODEL_PATH);
    expect(resolveModelPath('./default')).toBe('./default');
    expect(resolveModelPath('my.pb')).toBe('my.pb');
    expect(() => readModelFile(join(away, 'none.json'))).toThrow(/ENOENT/);
  });
});

describe.skipIf(!existsSync(join(ROOT, 'models', 'mos2-dptab.json')))('commands on the built-in model, run from elsewhere', () => {
  it('info --model default, and info alone, summarise the built-in model', () => {
    const r = cli('info', '--model', 'default');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ elements: ['Mo', 'S'], fileName: 'mos2-dptab.json', format: 'json' });
    const bare = cli('info');
    expect(bare.status, bare.stderr).toBe(0);
    expect(bare.stdout).toBe(r.stdout);
  });

  it('eval without --model evaluates the built-in model (and says so on stderr), the same as --model default', () => {
    const s = buildSheet({ nx: 2, ny: 2 }).system;
    const cfg = join(away, 'sheet.json');
    writeFileSync(cfg, JSON.stringify({ coord: Array.from(s.coord), box: Array.from(s.cell!), atype: Array.from(s.atype) }));
    const bare = cli('eval', '--config', cfg);
    expect(bare.status, bare.stderr).toBe(0);
    expect(bare.stderr).toContain(`model: ${DEFAULT_MODEL_PATH} (the built-in default`);
    const out = JSON.parse(bare.stdout);
    expect(Number.isFinite(out.energy)).toBe(true);
    expect(out.force).toHaveLength(3 * 24);
    expect(out.force.every(Number.isFinite)).toBe(true);
    const named = cli('eval', '--model', 'default', '--config', cfg);
    expect(named.status, named.stderr).toBe(0);
    expect(named.stdout).toBe(bare.stdout);
    expect(named.stderr).not.toContain('built-in default');
  });

  it('yield --potential default runs the built-in model', () => {
    const prefix = join(away, 'y');
    const r = cli('yield', '--potential', 'default', '--size', '2x2', '--species', 'He', '--energies', '50', '--impacts', '1', '--time', '0.001',
      '--a', '3.19', '--t', '3.13', '--thermostat', 'none', '--out', prefix);
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(readFileSync(`${prefix}.json`, 'utf8'));
    expect(res.potential).toMatch(/^mos2-dptab\.json \(CPU float64\)/);
    expect(res.rows[0]).toMatchObject({ species: 'He', energy: 50, impacts: 1 });
  });

  it('cascade without --potential runs the built-in model', () => {
    const out = join(away, 'r.json');
    const r = cli('cascade', '--size', '2x2', '--ion', 'He', '--energy', '50', '--time', '0.001', '--a', '3.19', '--t', '3.13', '--thermostat', 'none', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    expect(res.potential).toMatch(/^mos2-dptab\.json \(CPU float64\)/);
    expect(res.sheet.atoms).toBe(24);
    expect(res.energy.every((p: { total: number }) => Number.isFinite(p.total))).toBe(true);
  });
});
