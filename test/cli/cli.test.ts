// The command line: eval prints DeePMD-kit's numbers for a vector config; info prints the summary; errors go to
// stderr with a non-zero exit code.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAVE_SHARED, maxAbsDiff, readVector, ROOT, VECTORS } from '../helpers.ts';

const cli = (...args: string[]) => spawnSync('npx', ['tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

describe.skipIf(!HAVE_SHARED)('cli', () => {
  it('eval reproduces a DeePMD-kit vector and info summarises the model', () => {
    const v = readVector('se_e2_a_deeppot_pbc.json');
    const dir = mkdtempSync(join(tmpdir(), 'dptab-'));
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ coord: v.coord, box: v.box, atype: v.atype }));
    const r = cli('eval', '--model', join(VECTORS, 'models/deeppot.pbtxt'), '--config', cfg, '--backend', 'cpu');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Math.abs(out.energy - v.expected_energy)).toBeLessThan(1e-10);
    expect(maxAbsDiff(out.force, v.expected_force)).toBeLessThan(1e-10);
    expect(maxAbsDiff(out.atom_virial, v.expected_atom_virial!)).toBeLessThan(1e-10);
    const info = cli('info', '--model', join(VECTORS, 'models/deeppot_dpmodel.yaml'));
    expect(info.status, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ elements: ['O', 'H'], sel: [46, 92], format: 'yaml' });
  });

  it('bad input: message on stderr, non-zero exit', () => {
    const r = cli('eval', '--model', join(ROOT, 'package.json'), '--config', 'nope.json');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/error: .*(DeePMD-kit|model)/);
    const u = cli('frobnicate');
    expect(u.status).not.toBe(0);
    expect(u.stderr).toMatch(/unknown command/);
  });
});
