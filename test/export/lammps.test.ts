// LAMMPS data file and dump: unit checks of the box conversion, and LAMMPS itself (`lmp`) reading them back:
// read_data, read_dump ... box yes, and rerun of the dump with the SW + ZBL potential, whose energies must equal
// our engine's on the same frames.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lammpsBox, lammpsTypes, toLammpsFrame, type LammpsBox } from '../../src/export/lammpsBox.ts';
import { pairCommands, type DeckPotential } from '../../src/export/lammpsDeck.ts';
import { writeLammpsData } from '../../src/export/lammpsData.ts';
import { writeLammpsDump } from '../../src/export/lammpsDump.ts';
import type { Frame, Trajectory } from '../../src/export/trajectory.ts';
import { SwZblPotential, wen2017 } from '../../src/potential/classical/sw.ts';
import { maxAbsDiff } from '../helpers.ts';
import { sheetTrajectory } from './fixtures.ts';
import { hasAse, hasLmp, lammps, python, tempDir } from './tools.ts';

/** Rotation matrix (row-vector convention r' = r R) about a unit axis. */
function rotation(axis: [number, number, number], deg: number): Float64Array {
  const n = Math.hypot(...axis);
  const [x, y, z] = axis.map((c) => c / n);
  const c = Math.cos((deg * Math.PI) / 180), s = Math.sin((deg * Math.PI) / 180), C = 1 - c;
  // Column-vector matrix M; row-vector form is its transpose.
  const M = [x * x * C + c, x * y * C - z * s, x * z * C + y * s, y * x * C + z * s, y * y * C + c, y * z * C - x * s, z * x * C - y * s, z * y * C + x * s, z * z * C + c];
  return Float64Array.from([M[0], M[3], M[6], M[1], M[4], M[7], M[2], M[5], M[8]]);
}
const rotate = (v: ArrayLike<number>, R: Float64Array): Float64Array => {
  const o = new Float64Array(v.length);
  for (let q = 0; q < v.length; q += 3) for (let c = 0; c < 3; c++) o[q + c] = v[q] * R[c] + v[q + 1] * R[3 + c] + v[q + 2] * R[6 + c];
  return o;
};

describe('restricted triclinic box', () => {
  it('orthogonal cell with a along x: identity map, zero tilts', () => {
    const b = lammpsBox([9.6, 0, 0, 0, 11.07, 0, 0, 0, 80], [true, true, false]);
    expect(b.identity).toBe(true);
    expect([b.xhi, b.yhi, b.zhi, b.xy, b.xz, b.yz]).toEqual([9.6, 11.07, 80, 0, 0, 0]);
  });

  it('hexagonal cell rotated in space: lengths, angles and positions relative to the cell preserved', () => {
    const a = 3.19, c = 20;
    const hex = [a, 0, 0, -a / 2, (Math.sqrt(3) / 2) * a, 0, 0, 0, c];
    const R = rotation([0.3, -0.5, 0.8], 37);
    const cell = rotate(hex, R);
    const b = lammpsBox(cell, [true, true, false]);
    expect(b.identity).toBe(false);
    expect(b.xhi).toBeCloseTo(a, 12);
    expect(b.yhi).toBeCloseTo((Math.sqrt(3) / 2) * a, 12);
    expect(b.zhi).toBeCloseTo(c, 12);
    expect(b.xy).toBeCloseTo(-a / 2, 12);
    expect(Math.abs(b.xz) + Math.abs(b.yz)).toBeLessThan(1e-12);
    // The map takes the rotated cell rows to the LAMMPS rows, and is a rotation (R^-1 here).
    expect(maxAbsDiff(toLammpsFrame(b, cell), [b.xhi, 0, 0, b.xy, b.yhi, 0, b.xz, b.yz, b.zhi])).toBeLessThan(1e-12);
    const p = Float64Array.from([1, 2, 3, -0.5, 0.1, 7]);
    expect(maxAbsDiff(toLammpsFrame(b, rotate(p, R)), p)).toBeLessThan(1e-12);
  });

  it('reduces an over-large tilt by a lattice vector when both directions are periodic', () => {
    const b = lammpsBox([4, 0, 0, 3.5, 5, 0, 0, 0, 10], [true, true, false]);
    expect(b.xy).toBeCloseTo(-0.5, 14);
    const open = lammpsBox([4, 0, 0, 3.5, 5, 0, 0, 0, 10], [true, false, false]);
    expect(open.xy).toBe(3.5);
  });

  it('types per (species, mass), sheet types first', () => {
    const t = lammpsTypes(['Mo', 'S', 'Ar'], Int32Array.from([2, 0, 1, 1, 0]), Float64Array.from([39.948, 95.95, 32.06, 32.06, 95.95]));
    expect(t.types).toEqual([{ species: 'Mo', mass: 95.95 }, { species: 'S', mass: 32.06 }, { species: 'Ar', mass: 39.948 }]);
    expect(Array.from(t.typeOf)).toEqual([3, 1, 2, 2, 1]);
    const iso = lammpsTypes(['S'], Int32Array.from([0, 0]), Float64Array.from([32.06, 34]));
    expect(iso.types.length).toBe(2);
  });
});

describe('data file and dump text', () => {
  it('data file sections', () => {
    const { traj } = sheetTrajectory(1);
    const f = traj.frames[0];
    const { text, types } = writeLammpsData({ ...traj, coord: f.coord, vel: f.vel }, { title: 'test\nsheet' });
    expect(text.split('\n')[0]).toBe('LAMMPS data file: test sheet (units metal, atom_style atomic)');
    expect(text).toContain('37 atoms\n3 atom types');
    expect(text).toContain('0 0 0 xy xz yz');
    expect(text).toContain('Masses\n\n1 95.95 # Mo\n2 32.06 # S\n3 39.948 # Ar\n');
    expect(text).toContain('Atoms # atomic\n\n1 1 0 0 40\n');
    expect(text).toContain('\nVelocities\n\n1 ');
    expect(types.typeOf[36]).toBe(3);
    expect(writeLammpsData({ ...traj, coord: f.coord }).text).not.toContain('Velocities');
  });

  it('dump frames', () => {
    const { traj } = sheetTrajectory(2);
    const text = writeLammpsDump(traj, { decimals: 6 });
    const lines = text.split('\n');
    expect(lines.slice(0, 12)).toEqual([
      'ITEM: TIME', '0', 'ITEM: TIMESTEP', '0', 'ITEM: NUMBER OF ATOMS', '37', 'ITEM: BOX BOUNDS xy xz yz pp pp ff',
      '0 9.5898 0', `0 ${traj.cell[4]} 0`, '0 80 0', 'ITEM: ATOMS id type element x y z vx vy vz', lines[11],
    ]);
    expect(lines[11]).toMatch(/^1 1 Mo 0\.000000 0\.000000 40\.000000 /);
    expect(text.match(/ITEM: TIMESTEP/g)!.length).toBe(2);
    expect(writeLammpsDump(traj, { time: false, velocities: false, open: 'm' })).toMatch(/^ITEM: TIMESTEP\n0\n[^]*\nITEM: BOX BOUNDS xy xz yz pp pp mm\n[^]*ITEM: ATOMS id type element x y z\n/);
  });
});

function readDumpFile(text: string, n: number): { x: Float64Array; v: Float64Array } {
  const lines = text.split('\n');
  const h = lines.findIndex((l) => l.startsWith('ITEM: ATOMS'));
  const cols = lines[h].split(/\s+/).slice(2);
  const x = new Float64Array(3 * n), v = new Float64Array(3 * n);
  for (let k = 0; k < n; k++) {
    const f = lines[h + 1 + k].trim().split(/\s+/).map(Number);
    const id = f[cols.indexOf('id')] - 1;
    for (let c = 0; c < 3; c++) {
      x[3 * id + c] = f[cols.indexOf('xyz'[c])];
      v[3 * id + c] = f[cols.indexOf(`v${'xyz'[c]}`)];
    }
  }
  return { x, v };
}

function maxPeriodicDiff(a: Float64Array, b: Float64Array, lx: number, ly: number): number {
  let m = 0;
  for (let q = 0; q < a.length; q++) {
    const d = a[q] - b[q], L = q % 3 === 0 ? lx : q % 3 === 1 ? ly : 0;
    m = Math.max(m, Math.abs(L ? d - L * Math.round(d / L) : d));
  }
  return m;
}

const SW_ZBL: DeckPotential = { kind: 'sw', params: wen2017(), zbl: { rin: 1, rc: 2 }, foreign: { rin: 1, rc: 2 } };

/** Writes the data file of a frame and the SW + ZBL pair set-up (the deck's own), runs `body` after read_data. */
function runWithData(t: Trajectory, f: Frame, body: string, extra: Record<string, string> = {}): { dir: string; log: string; box: LammpsBox } {
  const dir = tempDir();
  const { text, box, types } = writeLammpsData({ ...t, coord: f.coord, vel: f.vel });
  const pc = pairCommands(SW_ZBL, types.types);
  for (const [name, content] of Object.entries({ 'data.lmp': text, ...pc.files, ...extra })) writeFileSync(join(dir, name), content);
  writeFileSync(join(dir, 'in.lmp'), ['units metal', 'boundary p p f', 'atom_style atomic', 'read_data data.lmp', ...pc.lines, body].join('\n') + '\n');
  return { dir, log: lammps(dir, 'in.lmp'), box };
}

describe.skipIf(!hasLmp)('LAMMPS reads the data file and the dump', () => {
  const pot = () => new SwZblPotential({ shortRange: { mode: 'overlay', rin: 1.0, rc: 2.0 }, foreignRin: 1.0, foreignRc: 2.0, noRjkCutoff: true });

  it('read_data: positions and velocities as written; read_dump box yes: frame 2; rerun: same energies as our engine', async () => {
    const { traj } = sheetTrajectory(4);
    const n = traj.atype.length;
    const f0 = traj.frames[0];
    const { dir, log } = runWithData(traj, f0, `
write_dump all custom d0.txt id type x y z vx vy vz modify sort id format float %.17g
read_dump traj.dump 50 x y z vx vy vz box yes
write_dump all custom d2.txt id type x y z vx vy vz modify sort id format float %.17g
thermo 1
thermo_style custom step pe
thermo_modify format float %.17g
rerun traj.dump dump x y z box yes`, { 'traj.dump': writeLammpsDump(traj) });
    const d0 = readDumpFile(readFileSync(join(dir, 'd0.txt'), 'utf8'), n);
    expect(maxAbsDiff(d0.x, f0.coord)).toBeLessThan(1e-12);
    expect(maxAbsDiff(d0.v, f0.vel!)).toBeLessThan(1e-12);
    const d2 = readDumpFile(readFileSync(join(dir, 'd2.txt'), 'utf8'), n);
    // read_dump wraps atoms back into the periodic box: compare modulo the cell in x and y.
    expect(maxPeriodicDiff(d2.x, traj.frames[2].coord, traj.cell[0], traj.cell[4])).toBeLessThan(1e-12);
    expect(maxAbsDiff(d2.v, traj.frames[2].vel!)).toBeLessThan(1e-12);
    // rerun: one thermo line per dump frame.
    const pe = [...log.matchAll(/^\s*(\d+)\s+(-?[\d.eE+-]+)\s*$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(pe.map((p) => p[0])).toEqual(traj.frames.map((f) => f.step));
    const p = pot();
    for (let k = 0; k < traj.frames.length; k++) {
      const r = await p.compute({ coord: Float64Array.from(traj.frames[k].coord), atype: traj.atype, species: traj.species, cell: traj.cell, pbc: traj.pbc });
      expect(Math.abs(r.energy - pe[k][1])).toBeLessThan(1e-6);
    }
  });

  it('a rotated general cell: LAMMPS energy of the converted box equals our engine on the original', async () => {
    const { traj } = sheetTrajectory(1);
    const R = rotation([1, 2, 0.5], 23);
    const rot: Trajectory = { ...traj, cell: rotate(traj.cell, R), frames: [{ ...traj.frames[0], coord: rotate(traj.frames[0].coord, R), vel: rotate(traj.frames[0].vel!, R) }] };
    const f = rot.frames[0];
    const { log, box } = runWithData(rot, f, `
thermo_style custom step pe ke
thermo_modify format float %.17g
run 0`);
    expect(box.identity).toBe(false);
    const m = /^\s*0\s+(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)\s*$/m.exec(log)!;
    const r = await pot().compute({ coord: Float64Array.from(traj.frames[0].coord), atype: traj.atype, species: traj.species, cell: traj.cell, pbc: traj.pbc });
    expect(Math.abs(Number(m[1]) - r.energy)).toBeLessThan(1e-6);
    // Kinetic energy is rotation-invariant: the velocities were rotated with the cell.
    let ke = 0;
    for (let i = 0; i < traj.atype.length; i++) ke += 0.5 * traj.masses[i] * 1.0364269e-4 * (f.vel![3 * i] ** 2 + f.vel![3 * i + 1] ** 2 + f.vel![3 * i + 2] ** 2);
    expect(Math.abs(Number(m[2]) - ke) / ke).toBeLessThan(1e-9);
  });
});

describe.skipIf(!hasAse)('ASE reads the LAMMPS dump', () => {
  it("format='lammps-dump-text': frames, elements, cell, positions and velocities", () => {
    const { traj } = sheetTrajectory(3);
    const dir = tempDir();
    const file = join(dir, 'traj.dump');
    writeFileSync(file, writeLammpsDump(traj));
    const got = python<{ symbols: string[]; cell: number[]; pos: number[]; vel: number[]; pbc: boolean[] }[]>(`
import json, sys
from ase.io import read
from ase import units
out = []
for a in read(sys.argv[1], format='lammps-dump-text', index=':'):
    out.append(dict(symbols=a.get_chemical_symbols(), cell=a.cell.array.ravel().tolist(), pbc=[bool(p) for p in a.pbc],
        pos=a.positions.ravel().tolist(), vel=(a.get_velocities() * 1000 * units.fs).ravel().tolist()))
print(json.dumps(out))
`, [file]);
    expect(got.length).toBe(3);
    for (let k = 0; k < 3; k++) {
      expect(got[k].symbols).toEqual(Array.from(traj.atype, (t) => traj.species[t]));
      expect(maxAbsDiff(got[k].cell, traj.cell)).toBeLessThan(1e-12);
      expect(got[k].pbc).toEqual([true, true, false]);
      expect(maxAbsDiff(got[k].pos, traj.frames[k].coord)).toBeLessThan(1e-9);
      expect(maxAbsDiff(got[k].vel, traj.frames[k].vel!)).toBeLessThan(1e-6);
    }
  });
});
