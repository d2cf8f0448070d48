// Shared inputs of the export tests.
import type { Trajectory } from '../../src/export/trajectory.ts';

export function sampleTrajectory(nFrames = 3, withVel = true): Trajectory {
  const n = 4;
  const frames = Array.from({ length: nFrames }, (_, k) => ({
    step: 10 * k, time: 0.001 * k + 1e-7,
    coord: Float64Array.from({ length: 3 * n }, (_, q) => 0.1 * q + 0.37 * k + 1 / 3),
    vel: withVel ? Float64Array.from({ length: 3 * n }, (_, q) => -2 * q + k + 1 / 7) : undefined,
    energies: k === 1 ? undefined : { ke: 1.5 + k, pe: -10 - k, total: -8.5 },
  }));
  return {
    species: ['Mo', 'S', 'Ar'], atype: Int32Array.from([0, 1, 1, 2]), masses: Float64Array.from([95.95, 32.06, 32.06, 39.948]),
    cell: Float64Array.from([9.6, 0, 0, 0, 11.07, 0, 0, 0, 80]), pbc: [true, true, false], frames,
    meta: { potential: 'SW+ZBL', energy: 500, normal: true },
  };
}
