import { describe, expect, it } from 'vitest';
import { SwZblPotential } from '../../src/potential/classical/sw.ts';
import { buildSheet } from '../../src/physics/lattice.ts';
import { dtResetValue, kineticEnergy, maxwellBoltzmann, mdInit, mdStep, type MdConfig } from '../../src/md/integrator.ts';
import { runCascade } from '../../src/md/cascade.ts';
import { addIon, addPka, randomImpact, resolveSpecies, speedOf } from '../../src/md/projectile.ts';
import { makeRng } from '../../src/md/random.ts';
import { BOLTZ, FTM2V, MVV2E } from '../../src/md/units.ts';

const WEN = { a: 3.1966, t: 3.1922 };

describe('fix dt/reset rule', () => {
  it('follows the LAMMPS formulas: velocity limit, force limit, emax, displacement cap and bounds', () => {
    const m = new Float64Array([2]);
    const p = { every: 1, tmin: null, tmax: null, xmax: 0.1 };
    // Velocity only.
    expect(dtResetValue(new Float64Array([10, 0, 0]), new Float64Array(3), m, p)).toBeCloseTo(0.01, 15);
    // Force only: dt = sqrt(2 xmax m / (ftm2v |F|)).
    const dtf = dtResetValue(new Float64Array(3), new Float64Array([0, 3, 4]), m, p);
    expect(dtf).toBeCloseTo(Math.sqrt((2 * 0.1 * 2) / (FTM2V * 5)), 15);
    // Both: min(dtv, dtf) then capped so |v dt + F/2m dt^2| = xmax.
    const v = new Float64Array([10, 0, 0]), f = new Float64Array([1000, 0, 0]);
    const dt = dtResetValue(v, f, m, p);
    const dt0 = Math.min(0.01, Math.sqrt((2 * 0.1 * 2) / (FTM2V * 1000)));
    const delr = 10 * dt0 + 0.5 * (1000 / 2) * FTM2V * dt0 * dt0;
    expect(delr).toBeGreaterThan(0.1);
    expect(dt).toBeCloseTo((dt0 * 0.1) / delr, 15); // LAMMPS rescales linearly: dt *= xmax / delr
    // emax: dt_e = emax / (|F||v|).
    expect(dtResetValue(new Float64Array([10, 0, 0]), new Float64Array([0, 1, 0]), m, { ...p, emax: 0.001 })).toBeCloseTo(0.001 / 10, 15);
    // Bounds.
    expect(dtResetValue(v, f, m, { ...p, tmin: 0.05 })).toBe(0.05);
    expect(dtResetValue(v, f, m, { ...p, tmax: 1e-6 })).toBe(1e-6);
  });
});

describe('velocity Verlet with adaptive dt', () => {
  it('conserves energy for a 500 eV S recoil in a sheet (NVE, no thermostat): drift < 1e-3 of the recoil energy', async () => {
    const r = await runCascade({
      potential: new SwZblPotential(), nx: 4, ny: 3, lattice: WEN,
      projectile: { kind: 'pka', site: 'S-top', energy: 500, polar: 60, azimuth: 10 }, time: 0.25, thermostat: null, sampleEvery: 50,
    });
    console.log(`NVE 500 eV S PKA, ${r.sheet.atoms} atoms, ${r.steps} steps, ${r.time.toFixed(3)} ps: max |drift| = ${r.maxAbsDrift.toExponential(2)} eV`);
    expect(r.time).toBeGreaterThanOrEqual(0.25);
    expect(r.maxAbsDrift / 500).toBeLessThan(1e-3);
    // The time is the sum of the (varying) steps.
    const dts = r.energy.map((e) => e.dt);
    expect(Math.min(...dts)).toBeLessThan(Math.max(...dts));
  });

  it('border Berendsen and Langevin thermostats: bookkeeping KE + PE + exchanged energy is conserved; strip heads to T', async () => {
    const pot = new SwZblPotential();
    for (const kind of ['berendsen', 'langevin'] as const) {
      const sheet = buildSheet({ ...WEN, nx: 4, ny: 3 });
      const n = sheet.site.length;
      const mass = new Float64Array(n).map((_, i) => (sheet.system.atype[i] === 0 ? 95.95 : 32.06));
      const mask = new Uint8Array(n).map((_, i) => (sheet.reference[3 * i] < 4 ? 1 : 0));
      const cfg: MdConfig = { dt: 1e-3, dtReset: { every: 1, tmin: 1e-5, tmax: 1e-3, xmax: 0.02 }, thermostat: { kind, T: 600, tau: 0.02, mask, seed: 5 } };
      const st = await mdInit(pot, sheet.system, maxwellBoltzmann(mass, 50, makeRng(2)), mass, cfg);
      const E0 = st.ke + st.pe;
      let maxDrift = 0;
      for (let s = 0; s < 300; s++) {
        await mdStep(pot, st, cfg);
        maxDrift = Math.max(maxDrift, Math.abs(st.ke + st.pe + st.thermostatEnergy - E0));
      }
      const nm = mask.reduce((a, b) => a + b, 0);
      const Tstrip = (2 * kineticEnergy(st.vel, mass, mask)) / (3 * nm * BOLTZ);
      console.log(`${kind}: energy put in by thermostat ${(-st.thermostatEnergy).toFixed(3)} eV, bookkeeping drift ${maxDrift.toExponential(2)} eV, strip T ${Tstrip.toFixed(0)} K`);
      expect(-st.thermostatEnergy).toBeGreaterThan(0.5); // heated towards 600 K
      expect(maxDrift).toBeLessThan(1e-2); // Verlet error at 600 K with dt <= 1 fs; the exchange itself is exact
      expect(Tstrip).toBeGreaterThan(150);
    }
  });

  it('Maxwell-Boltzmann: zero momentum and exact temperature', () => {
    const mass = new Float64Array(300).map((_, i) => (i % 3 ? 32.06 : 95.95));
    const v = maxwellBoltzmann(mass, 300, makeRng(1));
    const p = [0, 0, 0];
    for (let i = 0; i < 300; i++) for (let a = 0; a < 3; a++) p[a] += mass[i] * v[3 * i + a];
    expect(Math.hypot(...p)).toBeLessThan(1e-9);
    expect((2 * kineticEnergy(v, mass)) / (3 * 299 * BOLTZ)).toBeCloseTo(300, 8);
  });
});

describe('projectile set-up', () => {
  const sheet = buildSheet({ ...WEN, nx: 4, ny: 3 });
  it('ion: energy, direction and the straight path through the impact point', () => {
    const s = addIon(sheet, { species: resolveSpecies('Xe'), energy: 1000, polar: 30, azimuth: 45, impact: [5, 6], height: 10 });
    const i = s.projectile;
    const v = [s.vel[3 * i], s.vel[3 * i + 1], s.vel[3 * i + 2]];
    expect(0.5 * MVV2E * 131.293 * (v[0] ** 2 + v[1] ** 2 + v[2] ** 2)).toBeCloseTo(1000, 9);
    expect(Math.acos(-v[2] / Math.hypot(...v)) * (180 / Math.PI)).toBeCloseTo(30, 9);
    const tcross = (s.system.coord[3 * i + 2] - sheet.zMid) / -v[2];
    expect(s.system.coord[3 * i] + v[0] * tcross).toBeCloseTo(5, 9);
    expect(s.system.coord[3 * i + 1] + v[1] * tcross).toBeCloseTo(6, 9);
    expect(s.system.coord[3 * i + 2]).toBeCloseTo(sheet.zMid + sheet.t / 2 + 10, 9);
    expect(s.system.species).toEqual(['Mo', 'S', 'Xe']);
    expect(resolveSpecies('Z=50:118.71')).toEqual({ symbol: 'Z50', Z: 50, mass: 118.71 });
  });
  it('PKA: recoil energy on the chosen site', () => {
    const s = addPka(sheet, { site: 'Mo', energy: 100, polar: 90, azimuth: 0 });
    const i = s.projectile;
    expect(s.system.species[s.system.atype[i]]).toBe('Mo');
    expect(s.vel[3 * i]).toBeCloseTo(speedOf(100, 95.95), 9);
  });
  it('random impact points fall in the irreducible triangle (normal) or the primitive cell (oblique)', () => {
    const rng = makeRng(9);
    const a = sheet.a;
    for (let k = 0; k < 200; k++) {
      const { impact } = randomImpact(sheet, rng, false);
      const mo = [sheet.reference[0], sheet.reference[1]];
      void mo;
      const r = randomImpact(sheet, rng, true, true);
      expect(r.azimuth).toBeGreaterThanOrEqual(0);
      expect(r.azimuth).toBeLessThan(360);
      // Triangle vertices relative to the chosen Mo (nearest the cell centre): distances to the three corners
      // are all <= a/sqrt3 when inside the triangle.
      const c = sheet.system.cell!;
      let best = [0, 0], bd = Infinity;
      for (let i = 0; i < sheet.site.length; i++) {
        if (sheet.site[i] !== 0) continue;
        const d = Math.hypot(sheet.reference[3 * i] - c[0] / 2, sheet.reference[3 * i + 1] - c[4] / 2);
        if (d < bd) { bd = d; best = [sheet.reference[3 * i], sheet.reference[3 * i + 1]]; }
      }
      const rel = [impact[0] - best[0], impact[1] - best[1]];
      const L = a / Math.sqrt(3) + 1e-9;
      expect(Math.hypot(rel[0], rel[1])).toBeLessThanOrEqual(L);
      expect(Math.hypot(rel[0] - a / 2, rel[1] - a / (2 * Math.sqrt(3)))).toBeLessThanOrEqual(L);
      expect(Math.hypot(rel[0], rel[1] - a / Math.sqrt(3))).toBeLessThanOrEqual(L);
    }
  });
});
