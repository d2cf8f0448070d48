// Shared inputs of the export tests.
import type { Trajectory } from '../../src/export/trajectory.ts';
import { buildSheet } from '../../src/physics/lattice.ts';
import { addIon, resolveSpecies, type Setup } from '../../src/md/projectile.ts';

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

/** A small MoS2 sheet with an Ar ion (the app's set-up), and `nFrames` frames of made-up motion. */
export function sheetTrajectory(nFrames = 3): { traj: Trajectory; setup: Setup } {
  const sheet = buildSheet({ a: 3.1966, t: 3.1922, nx: 3, ny: 2 });
  const setup = addIon(sheet, { species: resolveSpecies('Ar'), energy: 500, polar: 10, azimuth: 30, impact: [4.1, 3.0], height: 4 });
  const n = setup.mass.length;
  const frames = Array.from({ length: nFrames }, (_, k) => {
    const coord = Float64Array.from(setup.system.coord);
    const vel = Float64Array.from(setup.vel);
    for (let q = 0; q < 3 * n; q++) {
      coord[q] += 0.01 * k * Math.sin(q + 0.3 * k);
      vel[q] += 3.7 * Math.cos(1.7 * q + k);
    }
    return { step: 25 * k, time: 0.0123456789 * k, coord, vel, energies: { ke: 500 + k, pe: -100.123456789 - k, total: 399.876543211 } };
  });
  return {
    traj: {
      species: setup.system.species, atype: setup.system.atype, masses: setup.mass, cell: setup.system.cell!,
      pbc: setup.system.pbc, frames, meta: { potential: 'SW Wen 2017 + ZBL', energy_eV: 500, projectile: 'Ar', normal: false },
    },
    setup,
  };
}
