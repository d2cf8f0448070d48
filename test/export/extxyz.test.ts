import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASE_VELOCITY_PER_A_PS, extxyzComment, extxyzFrame, writeExtxyz } from '../../src/export/extxyz.ts';
import { maxAbsDiff } from '../helpers.ts';
import { sampleTrajectory, sheetTrajectory } from './fixtures.ts';
import { hasAse, python, tempDir } from './tools.ts';

describe('extended XYZ writer', () => {
  it('writes the header line with Lattice, Properties, pbc, time, step, energies and meta', () => {
    const t = sampleTrajectory(1);
    const c = extxyzComment(t, t.frames[0], { info: { 'bad key!': 'a "quoted" value', time: 99 } });
    expect(c).toContain('Lattice="9.6 0 0 0 11.07 0 0 0 80"');
    expect(c).toContain('Properties=species:S:1:pos:R:3:masses:R:1:momenta:R:3:velo:R:3');
    expect(c).toContain('pbc="T T F"');
    expect(c).toContain('time=1e-7 step=0 energy=-10 kinetic_energy=1.5 total_energy=-8.5');
    expect(c).toContain('potential=SW+ZBL');
    expect(c).toContain('normal=T');
    expect(c).toContain(`bad_key_="a 'quoted' value"`);
    expect(c.match(/time=/g)!.length).toBe(1); // reserved keys are not overridden
  });

  it('velocity columns by option, none without velocities', () => {
    const t = sampleTrajectory(1);
    expect(extxyzComment(t, t.frames[0], { velocities: 'ovito' })).toContain('Properties=species:S:1:pos:R:3:velo:R:3 ');
    expect(extxyzComment(t, t.frames[0], { velocities: 'ase' })).toContain('Properties=species:S:1:pos:R:3:masses:R:1:momenta:R:3 ');
    const nv = sampleTrajectory(1, false);
    const text = extxyzFrame(nv, nv.frames[0]);
    expect(text).toContain('Properties=species:S:1:pos:R:3 ');
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBe(2 + 4);
    expect(lines[0]).toBe('4');
    expect(lines[2].trim().split(/\s+/).length).toBe(4);
    expect(writeExtxyz(nv).split('\n').filter((l) => l === '4').length).toBe(1);
  });

  it('ASE velocity unit: 100 sqrt(amu/e) (CODATA 2014)', () => {
    expect(ASE_VELOCITY_PER_A_PS).toBeCloseTo(0.01018051, 7);
  });
});

const ASE_READ = `
import json, sys
import numpy as np
from ase.io import read
from ase import units
frames = read(sys.argv[1], index=':')
out = []
for a in frames:
    v = a.get_velocities() * (1000 * units.fs)
    out.append(dict(n=len(a), symbols=a.get_chemical_symbols(), cell=a.cell.array.ravel().tolist(), pbc=[bool(p) for p in a.pbc],
        pos=a.positions.ravel().tolist(), vel=v.ravel().tolist(), velo=a.arrays['velo'].ravel().tolist(),
        masses=a.get_masses().tolist(), time=float(a.info["time"]), step=int(a.info["step"]), pe=float(a.get_potential_energy()),
        ke=float(a.info['kinetic_energy']), total=float(a.info['total_energy']), potential=a.info['potential'], normal=bool(a.info['normal'])))
print(json.dumps(out))
`;

describe.skipIf(!hasAse)('extended XYZ read back by ASE', () => {
  it('atom count, species, cell, pbc, frame count, positions and velocities (1e-6), time, step and energies', () => {
    const { traj } = sheetTrajectory(4);
    const dir = tempDir();
    const file = join(dir, 'traj.extxyz');
    writeFileSync(file, writeExtxyz(traj));
    type R = { n: number; symbols: string[]; cell: number[]; pbc: boolean[]; pos: number[]; vel: number[]; velo: number[]; masses: number[];
      time: number; step: number; pe: number; ke: number; total: number; potential: string; normal: boolean };
    const got = python<R[]>(ASE_READ, [file]);
    expect(got.length).toBe(4);
    const n = traj.atype.length;
    for (let k = 0; k < 4; k++) {
      const g = got[k], f = traj.frames[k];
      expect(g.n).toBe(n);
      expect(g.symbols).toEqual(Array.from(traj.atype, (t) => traj.species[t]));
      expect(g.symbols.filter((s) => s === 'Ar').length).toBe(1);
      expect(g.cell).toEqual(Array.from(traj.cell));
      expect(g.pbc).toEqual([true, true, false]);
      expect(maxAbsDiff(g.pos, f.coord)).toBeLessThan(1e-6);
      expect(maxAbsDiff(g.vel, f.vel!)).toBeLessThan(1e-6);
      expect(maxAbsDiff(g.velo, f.vel!)).toBeLessThan(1e-6);
      expect(maxAbsDiff(g.masses, traj.masses)).toBe(0);
      expect(g.time).toBe(f.time);
      expect(g.step).toBe(f.step);
      expect(g.pe).toBe(f.energies!.pe);
      expect(g.ke).toBe(f.energies!.ke);
      expect(g.total).toBe(f.energies!.total);
      expect(g.potential).toBe('SW Wen 2017 + ZBL');
      expect(g.normal).toBe(false);
    }
    // The ion really is fast (the velocities test is not trivially small numbers).
    expect(Math.max(...traj.frames[0].vel!.map(Math.abs))).toBeGreaterThan(400);
  });
});
