// DP model (CPU float64 reference) + universal ZBL for species outside its type_map, as used by the cascade
// command with a model FILE: forces are minus the gradient of the energy, and the foreign atom feels ZBL only.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModelFile } from '../../src/model/load.ts';
import { DpCpuPotential } from '../../src/potential/cpu/dpPotential.ts';
import type { System } from '../../src/potential/types.ts';
import { makeZblSwitch, zblSwitched } from '../../src/potential/classical/zblpair.ts';

describe('DP + foreign-species ZBL adapter', () => {
  it('forces match finite differences; an isolated foreign pair is exactly LAMMPS-style switched ZBL', async () => {
    const model = await loadModelFile(readFileSync(new URL('../fixtures/deeppot.pb', import.meta.url)), 'deeppot.pb');
    const pot = new DpCpuPotential(model);
    const sys: System = {
      coord: new Float64Array([0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0, 3.0, 0.4, 0.3, 3.9, 0.6, 0.2, 1.4, 1.8, 1.1]),
      atype: new Int32Array([0, 1, 1, 0, 1, 2]), species: ['O', 'H', 'Ar'], cell: null, pbc: [false, false, false],
    };
    const r = pot.compute(sys);
    const h = 1e-5;
    let err = 0, fmax = 0;
    for (let q = 0; q < sys.coord.length; q++) {
      const x0 = sys.coord[q];
      sys.coord[q] = x0 + h; const ep = pot.compute(sys).energy;
      sys.coord[q] = x0 - h; const em = pot.compute(sys).energy;
      sys.coord[q] = x0;
      err = Math.max(err, Math.abs(-(ep - em) / (2 * h) - r.force[q]));
      fmax = Math.max(fmax, Math.abs(r.force[q]));
    }
    expect(fmax).toBeGreaterThan(0.1);
    expect(err).toBeLessThan(1e-6 * Math.max(1, fmax));
    // Two Ar atoms alone: energy is the switched ZBL (3-4 Å) of Z = 18.
    const two: System = { coord: new Float64Array([0, 0, 0, 1.7, 0, 0]), atype: new Int32Array([0, 0]), species: ['Ar'], cell: null, pbc: [false, false, false] };
    expect(pot.compute(two).energy).toBeCloseTo(zblSwitched(makeZblSwitch(18, 18, 3, 4), 1.7).e, 10);
  });
});
