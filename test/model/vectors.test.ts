// Every DeePMD-kit test vector in ../shared/deepmd/vectors is reproduced to 1e-10 by the float64 CPU reference.
import { describe, expect, it } from 'vitest';
import { evaluateDp } from '../../src/potential/cpu/dp.ts';
import type { DpModel } from '../../src/model/types.ts';
import { HAVE_SHARED, loadShared, maxAbsDiff, readVector, vectorFiles, type Vector } from '../helpers.ts';

const TOL = 1e-10;
const f32 = Math.fround;

/** The model a vector describes: a model file, plus inline srtab parameters or an inline table. */
async function modelFor(v: Vector): Promise<DpModel> {
  if (v.model_file === null) {
    // Pair-table kernel vector: lambda = 1 everywhere (switch window far above any soft-min distance), so the
    // atom energy is exactly the table's; the DP part is multiplied by zero.
    const base = await loadShared('models/deeppot.pbtxt');
    const sel = v.sel as number[];
    const nnei = sel.reduce((a, b) => a + b, 0);
    const info = v.tab_info as number[];
    return {
      ...base,
      descriptor: { ...base.descriptor, rcut: v.rcut as number, sel, davg: new Float64Array(2 * nnei * 4), dstd: new Float64Array(2 * nnei * 4).fill(1), normN: nnei },
      pairTable: { rmin: info[0], h: info[1], nspline: Math.round(info[2]), ntypes: Math.round(info[3]), data: Float64Array.from(v.tab_data as number[]), rule: 'tf', rcut: v.rcut as number },
      blend: { kind: 'srtab', alpha: 1, swRmin: 1e6, swRmax: 2e6, swWidth: 1e6, tabBias: new Float64Array(2), outBias: new Float64Array(2) },
    };
  }
  const m = await loadShared(v.model_file);
  const s = v.srtab as undefined | { tab_info: number[]; tab_data: number[]; smin_alpha: number; sw_rmin: number; sw_rmax: number; srtab_add_bias: boolean };
  if (!s) return m;
  const nt = m.typeMap.length;
  return {
    ...m,
    pairTable: { rmin: s.tab_info[0], h: s.tab_info[1], nspline: Math.round(s.tab_info[2]), ntypes: nt, data: Float64Array.from(s.tab_data), rule: 'tf', rcut: m.descriptor.rcut },
    blend: {
      kind: 'srtab', alpha: f32(s.smin_alpha), swRmin: f32(s.sw_rmin), swRmax: f32(s.sw_rmax), swWidth: f32(f32(s.sw_rmax) - f32(s.sw_rmin)),
      tabBias: s.srtab_add_bias ? m.fitting.biasAtomE.slice() : new Float64Array(nt), outBias: new Float64Array(nt),
    },
  };
}

describe.skipIf(!HAVE_SHARED)('DeePMD-kit test vectors (float64 CPU reference)', () => {
  for (const file of vectorFiles()) {
    it(file, async () => {
      const v = readVector(file);
      const model = await modelFor(v);
      const r = evaluateDp(model, {
        coord: Float64Array.from(v.coord), atype: Int32Array.from(v.atype), cell: v.box ? Float64Array.from(v.box) : null, pbc: [true, true, true],
        fparam: v.fparam ? Float64Array.from(v.fparam as number[]) : undefined, aparam: v.aparam ? Float64Array.from(v.aparam as number[]) : undefined,
      }, { descriptor: true });
      expect(Math.abs(r.energy - v.expected_energy)).toBeLessThan(TOL);
      expect(maxAbsDiff(r.atomEnergy, v.expected_atom_energy)).toBeLessThan(TOL);
      if (v.expected_force) expect(maxAbsDiff(r.force, v.expected_force)).toBeLessThan(TOL);
      if (v.expected_virial) expect(maxAbsDiff(r.virial, v.expected_virial)).toBeLessThan(TOL);
      if (v.expected_atom_virial) expect(maxAbsDiff(r.atomVirial, v.expected_atom_virial)).toBeLessThan(TOL);
      if (v.expected_descriptor) expect(maxAbsDiff(r.descriptor!, (v.expected_descriptor as number[] | number[][]).flat())).toBeLessThan(TOL);
    });
  }
});
