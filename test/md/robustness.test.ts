// Reduced robustness sweep (the full 50 impacts x 4 species is `npx tsx bench/robustness.ts`, recorded in
// BENCHMARKS.md "Cascade robustness"): random impacts with log-uniform energies in 10 eV - 10 keV for S, Mo, Ar
// and Au, classical potential; every run must finish with finite positions, velocities and energies and with all
// atoms present.
import { describe, expect, it } from 'vitest';
import { runCascade } from '../../src/md/cascade.ts';
import { SwZblPotential } from '../../src/potential/classical/sw.ts';
import { buildSheet } from '../../src/physics/lattice.ts';
import { addIon, resolveSpecies } from '../../src/md/projectile.ts';
import { mdInit, mdStep, type MdConfig } from '../../src/md/integrator.ts';
import { makeRng } from '../../src/md/random.ts';
import { PotentialRangeError } from '../../src/potential/types.ts';

const LAT = { a: 3.1957, t: 3.1938 };

describe('robustness', () => {
  it('random impacts of S, Mo, Ar, Au at 10 eV - 10 keV finish without NaN, Inf or lost atoms', async () => {
    const pot = new SwZblPotential();
    const rng = makeRng(2024);
    for (const sp of ['S', 'Mo', 'Ar', 'Au']) {
      for (let k = 0; k < 2; k++) {
        const energy = 10 * Math.pow(1000, rng.uniform());
        let frames = 0, natoms = 0, finite = true;
        const r = await runCascade({
          potential: pot, nx: 5, ny: 3, lattice: LAT, seed: 100 + k, time: 0.04,
          projectile: { kind: 'ion', species: sp, energy, polar: k ? 35 : 0, randomImpact: true, height: 3 },
          thermostat: { kind: 'berendsen', T: 0, tau: 0.05, width: 3 },
          onFrame: (st) => {
            frames++;
            natoms = st.mass.length;
            for (const x of [st.system.coord, st.vel, st.force]) for (let q = 0; q < x.length; q++) if (!Number.isFinite(x[q])) finite = false;
          },
          frameEvery: 20,
        });
        expect(finite).toBe(true);
        expect(frames).toBeGreaterThan(1);
        expect(natoms).toBe(91);
        expect(Number.isFinite(r.energy[r.energy.length - 1].total)).toBe(true);
        expect(r.time).toBeGreaterThanOrEqual(0.04);
      }
    }
  });

  it('stops with a message naming the atoms and the distance when they get closer than supported', async () => {
    const pot = new SwZblPotential({ minDistance: 0.6 });
    const sheet = buildSheet({ ...LAT, nx: 3, ny: 2 });
    // 20 keV Au head-on onto the Mo at the origin: the closest approach is far below 0.6 Å.
    const s = addIon(sheet, { species: resolveSpecies('Au'), energy: 20000, polar: 0, azimuth: 0, impact: [sheet.reference[0], sheet.reference[1]], height: 3 });
    const cfg: MdConfig = { dt: 1e-4, dtReset: { every: 1, tmin: 1e-7, tmax: 1e-3, xmax: 0.02 } };
    const st = await mdInit(pot, s.system, s.vel, s.mass, cfg);
    let err: unknown = null;
    try {
      for (let k = 0; k < 2000; k++) await mdStep(pot, st, cfg);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PotentialRangeError);
    expect((err as Error).message).toMatch(/atoms \d+ \((Au|Mo)\) and \d+ \((Au|Mo)\) are [0-9.e+-]+ Å apart/);
  });
});
