// Forces are minus the finite-difference gradient of the energy, and the virial is minus the strain derivative,
// on random MoS2-like and water-like configurations including atoms inside the pair-table switch window.
import { describe, expect, it } from 'vitest';
import { attachPairTable, zblTableRows } from '../../src/model/pairtable.ts';
import type { DpModel } from '../../src/model/types.ts';
import { evaluateDp, type DpInput } from '../../src/potential/cpu/dp.ts';
import { HAVE_SHARED, loadShared, readVector } from '../helpers.ts';

/** Deterministic pseudo-random numbers in [-1, 1). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31) - 1;
}

function checkGradients(m: DpModel, inp: DpInput, h = 1e-5) {
  const r = evaluateDp(m, inp);
  const E = (c: Float64Array, cell = inp.cell) => evaluateDp(m, { ...inp, coord: c, cell }).energy;
  let worstF = 0;
  for (let q = 0; q < inp.coord.length; q++) {
    const p = Float64Array.from(inp.coord); p[q] += h;
    const n = Float64Array.from(inp.coord); n[q] -= h;
    const fd = -(E(p) - E(n)) / (2 * h);
    worstF = Math.max(worstF, Math.abs(fd - r.force[q]) / Math.max(1, Math.abs(r.force[q])));
  }
  // Strain derivative: r' = (I + eps) r for positions and cell rows; W_ab = -dE/d eps_ab.
  let worstW = 0;
  const strained = (a: number, b: number, e: number) => {
    const c = Float64Array.from(inp.coord);
    for (let i = 0; i < c.length / 3; i++) c[3 * i + a] += e * inp.coord[3 * i + b];
    const cell = inp.cell ? Float64Array.from(inp.cell) : null;
    if (cell && inp.cell) for (let k = 0; k < 3; k++) cell[3 * k + a] += e * inp.cell[3 * k + b];
    return E(c, cell);
  };
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
    const fd = -(strained(a, b, h) - strained(a, b, -h)) / (2 * h);
    worstW = Math.max(worstW, Math.abs(fd - r.virial[3 * a + b]) / Math.max(1, Math.abs(r.virial[3 * a + b])));
  }
  return { worstF, worstW, r };
}

describe.skipIf(!HAVE_SHARED)('analytic forces and virial against finite differences', () => {
  it('MoS2-like sheet with a DP-Tab (ZBL table, 1.0-1.2 Å window), one pair inside the window', async () => {
    const base = await loadShared('models/deeppot.pbtxt');
    const m = attachPairTable({ ...base, typeMap: ['Mo', 'S'] }, zblTableRows(['Mo', 'S'], 6, 0.05, 0.002), { swRmin: 1.0, swRmax: 1.2, alpha: 0.1 });
    // 2x1 orthogonal 2H-MoS2 cells (a = 3.18 Å, t = 3.12 Å), periodic in x and y, open in z, rattled by 0.15 Å.
    const a = 3.18, b = a * Math.sqrt(3), t = 3.12;
    const frac: [number, number, number, number][] = [[0, 0, 0, 0], [0.5, 0.5, 0, 0], [0.5, 1 / 6, t / 2, 1], [0.5, 1 / 6, -t / 2, 1], [0, 2 / 3, t / 2, 1], [0, 2 / 3, -t / 2, 1]];
    const coord: number[] = [];
    const atype: number[] = [];
    const rand = rng(7);
    for (let ix = 0; ix < 2; ix++) for (const [fx, fy, z, ty] of frac) {
      coord.push((fx + ix) * a + 0.15 * rand(), fy * b + 0.15 * rand(), z + 0.15 * rand());
      atype.push(ty);
    }
    // Push atom 2 (S) towards atom 0 (Mo) to 1.1 Å: inside the switch window.
    const d = [coord[6] - coord[0], coord[7] - coord[1], coord[8] - coord[2]];
    const len = Math.hypot(...d);
    for (let k = 0; k < 3; k++) coord[6 + k] = coord[k] + (d[k] * 1.1) / len;
    const inp: DpInput = { coord: Float64Array.from(coord), atype: Int32Array.from(atype), cell: Float64Array.of(2 * a, 0, 0, 0, b, 0, 0, 0, 30), pbc: [true, true, false] };
    const { worstF, worstW, r } = checkGradients(m, inp);
    expect(Math.max(...Array.from(r.force, Math.abs))).toBeGreaterThan(10); // the compressed pair pushes hard
    expect(worstF).toBeLessThan(1e-6);
    expect(worstW).toBeLessThan(1e-6);
  });

  it('water-like box with the srtab (TF) blend, an O-H pair inside the 0.8-1.6 Å window', async () => {
    const v = readVector('SYNTHETIC_se_e2_a_srtab_pbc.json');
    const base = await loadShared('models/deeppot.pbtxt');
    const s = v.srtab as { tab_info: number[]; tab_data: number[] };
    const f32 = Math.fround;
    const m: DpModel = {
      ...base,
      pairTable: { rmin: s.tab_info[0], h: s.tab_info[1], nspline: Math.round(s.tab_info[2]), ntypes: 2, data: Float64Array.from(s.tab_data), rule: 'tf', rcut: 6 },
      blend: { kind: 'srtab', alpha: f32(0.3), swRmin: f32(0.8), swRmax: f32(1.6), swWidth: f32(f32(1.6) - f32(0.8)), tabBias: base.fitting.biasAtomE.slice(), outBias: new Float64Array(2) },
    };
    const rand = rng(11);
    const coord = Float64Array.from(v.coord, (x) => x + 0.2 * rand());
    const inp: DpInput = { coord, atype: Int32Array.from(v.atype), cell: Float64Array.from(v.box!), pbc: [true, true, true] };
    const { worstF, worstW } = checkGradients(m, inp);
    expect(worstF).toBeLessThan(1e-6);
    expect(worstW).toBeLessThan(1e-6);
  });

  it('a cell small enough that atoms see their own images (triclinic, 4 Å)', async () => {
    const m = await loadShared('models/deeppot.pbtxt');
    const rand = rng(3);
    const coord = Float64Array.from({ length: 9 }, () => 2 + 1.5 * rand());
    const inp: DpInput = { coord, atype: Int32Array.of(0, 1, 1), cell: Float64Array.of(4, 0, 0, 0.8, 4.2, 0, 0.3, -0.5, 4.5), pbc: [true, true, true] };
    const { worstF, worstW, r } = checkGradients(m, inp);
    expect(worstF).toBeLessThan(1e-6);
    expect(worstW).toBeLessThan(1e-6);
    // Translating every atom by a lattice vector changes nothing.
    const shifted = evaluateDp(m, { ...inp, coord: coord.map((x, q) => x + [4, 0, 0][q % 3]) });
    expect(Math.abs(shifted.energy - r.energy)).toBeLessThan(1e-10);
  });
});
