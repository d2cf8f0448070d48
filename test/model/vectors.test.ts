// Every DeePMD-kit test vector in ../shared/deepmd/vectors is reproduced to 1e-10 by the float64 CPU reference.
import { describe, expect, it } from 'vitest';
import { evaluateDp } from '../../src/potential/cpu/dp.ts';
import type { DpModel } from '../../src/model/types.ts';
import { modelForVector, type VectorSpec } from '../../src/model/vectorModel.ts';
import { HAVE_SHARED, loadShared, maxAbsDiff, readVector, vectorFiles, type Vector } from '../helpers.ts';

const TOL = 1e-10;
const modelFor = (v: Vector): Promise<DpModel> => modelForVector(v as VectorSpec, loadShared);

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
