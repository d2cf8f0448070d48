import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CLASSICAL, exportCurrent, openApp, python, runSnapshot, runStatus, setUpRun, tempDir, type RunSnapshot } from './helpers';

/** ASE reads every frame; prints what the test compares. */
const READ = `
import sys, json, ase.io
fmt = sys.argv[2] if len(sys.argv) > 2 else None
frames = ase.io.read(sys.argv[1], index=':', format=fmt)
a, z = frames[0], frames[-1]
print(json.dumps({
  'frames': len(frames), 'natoms': len(a), 'symbols': z.get_chemical_symbols(), 'cell': a.cell.array.ravel().tolist(),
  'pbc': a.pbc.tolist(), 'last': z.positions.ravel().tolist(), 'first': a.positions.ravel().tolist(),
  'time': z.info.get('time'), 'step': int(z.info['step']) if 'step' in z.info else int(z.info['timestep']) if 'timestep' in z.info else None,
  'vel': z.get_velocities().ravel().tolist() if z.has('momenta') else None,
}))
`;

interface AseRead {
  frames: number; natoms: number; symbols: string[]; cell: number[]; pbc: boolean[]; last: number[]; first: number[];
  time: number | null; step: number | null; vel: number[] | null;
}

async function smallRun(page: Page): Promise<RunSnapshot> {
  await setUpRun(page, { potential: CLASSICAL, species: 'S', energy: '500', polar: '0', nx: '6', ny: '4', timeFs: '100', stepsPerFrame: '20' });
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(runStatus(page)).toHaveAttribute('data-status', 'ended', { timeout: 120_000 });
  return runSnapshot(page);
}

function expectClose(a: number[], b: number[], tol: number) {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst).toBeLessThan(tol);
}

test('the trajectory exported as extended XYZ reads back in ASE with the app\'s atoms, species, cell, frames and positions', async ({ page }) => {
  const errors = await openApp(page);
  const app = await smallRun(page);
  expect(app.natoms).toBe(145);
  const dir = tempDir();
  const [xyz] = await exportCurrent(page, 'Extended XYZ', dir);
  const r = python<AseRead>(READ, [xyz]);
  expect(r.frames).toBe(app.recorded);
  expect(r.frames).toBe(Math.ceil(app.step / 20) + 1);
  expect(r.natoms).toBe(app.natoms);
  expect(r.symbols).toEqual(app.symbols);
  expectClose(r.cell, app.cell, 1e-9);
  expect(r.pbc).toEqual([true, true, false]);
  expect(r.time).toBeCloseTo(app.time, 9);
  expect(r.step).toBe(app.step);
  // Positions of the last frame = what the app shows (float32 storage, 8 decimals in the file).
  expectClose(r.last, app.coord, 1e-5);
  expect(r.vel).not.toBeNull();

  // The current frame alone.
  const [one] = await exportCurrent(page, 'Last frame (XYZ)', dir);
  const r1 = python<AseRead>(READ, [one]);
  expect(r1.frames).toBe(1);
  expectClose(r1.last, app.coord, 1e-5);
  expect(errors).toEqual([]);
});

test('the LAMMPS dump reads back in ASE, the CSV has a row per frame, and the exported deck runs in lmp', async ({ page }) => {
  const errors = await openApp(page);
  const app = await smallRun(page);
  const dir = tempDir();
  const [dump] = await exportCurrent(page, 'LAMMPS dump', dir);
  const r = python<AseRead>(READ, [dump, 'lammps-dump-text']);
  expect(r.frames).toBe(app.recorded);
  expect(r.natoms).toBe(app.natoms);
  expect(r.symbols).toEqual(app.symbols);
  expectClose(r.last, app.coord, 1e-4);

  const [csv] = await exportCurrent(page, 'Time series CSV', dir);
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  expect(lines[0]).toMatch(/^step,time_ps,dt_ps,ke_eV,pe_eV,thermostat_eV,total_eV,drift_eV,temperature_K,sputtered,vacancies/);
  expect(lines.length - 1).toBe(app.recorded);
  expect(Number(lines[lines.length - 1].split(',')[0])).toBe(app.step);

  // Deck: input, data file, SW potential file and notes; LAMMPS runs it to the same simulated time.
  const files = await exportCurrent(page, 'LAMMPS deck + data', dir, 4);
  const names = files.map((f) => f.split('/').pop()).sort();
  expect(names).toEqual(['MoS2.sw', 'NOTES.txt', 'data.cascade', 'in.cascade']);
  execFileSync('lmp', ['-in', 'in.cascade', '-log', 'log.lammps', '-screen', 'none'], { cwd: dir, stdio: 'pipe', timeout: 120_000 });
  const log = readFileSync(`${dir}/log.lammps`, 'utf8');
  expect(log).toMatch(/Loop time/);
  expect(log).toContain(`${app.natoms} atoms`);
  expect(errors).toEqual([]);
});
