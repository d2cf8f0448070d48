import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { run as cascade } from '../../src/cli/commands/cascade.ts';
import { run as yieldCmd, meanSe } from '../../src/cli/commands/yield.ts';

describe('cascade and yield commands', () => {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));

  it('cascade writes a summary with sheet, projectile, counts and the energy series, and an extxyz trajectory', async () => {
    const out = join(dir, 'r.json'), traj = join(dir, 't.extxyz');
    const code = await cascade(['--potential', 'sw', '--size', '4x3', '--ion', 'Ar', '--energy', '300', '--impact', '6,8',
      '--polar', '10', '--azimuth', '30', '--time', '0.05', '--a', '3.1957', '--t', '3.1938', '--out', out, '--traj', traj, '--traj-every', '100']);
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(out, 'utf8'));
    expect(r.sheet.atoms).toBe(72);
    expect(r.projectile.species).toBe('Ar');
    expect(r.projectile.impact).toEqual([6, 8]);
    expect(r.time).toBeGreaterThanOrEqual(0.05);
    expect(r.energy.length).toBeGreaterThan(2);
    expect(Object.keys(r.energy[0])).toEqual(['step', 'time', 'dt', 'ke', 'pe', 'thermostat', 'total', 'drift']);
    expect(r.damage.sputtered.byOrigin).toBeDefined();
    expect(r.damageSeries.length).toBeGreaterThanOrEqual(1);
    expect(r.damageSeries[r.damageSeries.length - 1].vacancies).toBe(r.damage.vacancies.total);
    expect(['transmitted', 'reflected', 'embedded']).toContain(r.damage.ionFate);
    const frames = readFileSync(traj, 'utf8').split('\n').filter((l) => l.startsWith('Lattice='));
    expect(frames.length).toBeGreaterThanOrEqual(2);
  });

  it('yield is resumable and aggregates with standard errors', async () => {
    const prefix = join(dir, 'y');
    const args = ['--potential', 'sw', '--size', '4x3', '--species', 'He', '--energies', '100', '--impacts', '2', '--time', '0.03',
      '--a', '3.1957', '--t', '3.1938', '--out', prefix];
    expect(await yieldCmd(args)).toBe(0);
    const log1 = readFileSync(`${prefix}.impacts.jsonl`, 'utf8').trim().split('\n');
    expect(log1.length).toBe(2);
    // Interrupted sweep: keep one finished impact; the rerun adds exactly the missing one.
    writeFileSync(`${prefix}.impacts.jsonl`, log1[0] + '\n');
    expect(await yieldCmd(args)).toBe(0);
    const log2 = readFileSync(`${prefix}.impacts.jsonl`, 'utf8').trim().split('\n');
    expect(log2.length).toBe(2);
    expect(JSON.parse(log2[1]).seed).toBe(JSON.parse(log1[1]).seed);
    const res = JSON.parse(readFileSync(`${prefix}.json`, 'utf8'));
    expect(res.rows[0].impacts).toBe(2);
    expect(readFileSync(`${prefix}.csv`, 'utf8').split('\n')[0]).toContain('yield_total_se');
  });

  it('mean and standard error', () => {
    const s = meanSe([1, 2, 3, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.se).toBeCloseTo(Math.sqrt(5 / 3 / 4), 12);
  });
});
