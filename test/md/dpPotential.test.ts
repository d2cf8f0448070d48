// The DP path of the cascade engine on a MoS2 DP-Tab model: DpCpuPotential (float64 CPU reference + universal ZBL
// for species outside the model) with a small synthetic Mo/S DP-Tab (se_e2_a, embedding 4-8-16, axis 4, fitting
// 16x2, rcut 5 Å, sel 12/24, ZBL pair table blended per atom over 1.0-1.2 Å). Random weights: the energy surface is not
// MoS2's, but every term of the DP-Tab path (descriptor, nets, table, blend, foreign ZBL, periodic images) is
// exercised. Checked: forces = -dE/dx by finite differences with an Ar ion 1.5 Å from an S atom and an S pair in
// the blend window; a 100 eV S recoil in a 96-atom sheet, NVE with dt/reset and energy-checked steps, conserves the
// total energy to < 1e-3 of the recoil energy (plain dt/reset loses eV entering the table blend window).
import { describe, expect, it } from 'vitest';
import { SMALL_SIZE, syntheticMoS2DpTab } from '../../src/model/synthetic.ts';
import { DpCpuPotential } from '../../src/potential/cpu/dpPotential.ts';
import { buildSheet } from '../../src/physics/lattice.ts';
import { makeRng } from '../../src/md/random.ts';
import { runCascade } from '../../src/md/cascade.ts';
import type { System } from '../../src/potential/types.ts';

const model = syntheticMoS2DpTab(SMALL_SIZE);

describe('DpCpuPotential on a synthetic MoS2 DP-Tab', () => {
  it('forces are minus the finite-difference gradient (Ar 1.5 Å from S, S-S pair in the blend window, images)', () => {
    const pot = new DpCpuPotential(model, { label: 'synthetic' });
    const sh = buildSheet({ a: 3.18, t: 3.12, nx: 2, ny: 2 }); // 24 atoms, cell 6.4 x 11 Å (< 2 rcut: images)
    const n0 = sh.site.length;
    const rng = makeRng(4);
    const coord = new Float64Array(3 * (n0 + 1));
    coord.set(sh.system.coord);
    for (let q = 0; q < 3 * n0; q++) coord[q] += 0.1 * (2 * rng.uniform() - 1);
    // Ar 1.5 Å above the top S atom 2 (slightly off axis); S atom 4 pushed to 1.1 Å from S atom 2 (blend window).
    const s2 = [coord[6], coord[7], coord[8]];
    coord.set([s2[0] + 0.2, s2[1] - 0.1, s2[2] + Math.sqrt(1.5 ** 2 - 0.05)], 3 * n0);
    const d = [coord[12] - s2[0], coord[13] - s2[1], coord[14] - s2[2]];
    const len = Math.hypot(d[0], d[1], d[2]);
    for (let k = 0; k < 3; k++) coord[12 + k] = s2[k] + (1.1 * d[k]) / len;
    const atype = new Int32Array(n0 + 1);
    atype.set(sh.system.atype);
    atype[n0] = 2;
    const sys: System = { coord, atype, species: ['Mo', 'S', 'Ar'], cell: sh.system.cell, pbc: [true, true, false] };
    expect(sh.system.species).toEqual(['Mo', 'S']);
    expect(Math.hypot(coord[3 * n0] - s2[0], coord[3 * n0 + 1] - s2[1], coord[3 * n0 + 2] - s2[2])).toBeCloseTo(1.5, 12);
    const r = pot.compute(sys);
    expect(r.warnings).toEqual([]);
    const h = 1e-5;
    let err = 0, fmax = 0;
    for (let q = 0; q < coord.length; q++) {
      const x0 = coord[q];
      coord[q] = x0 + h; const ep = pot.compute(sys).energy;
      coord[q] = x0 - h; const em = pot.compute(sys).energy;
      coord[q] = x0;
      err = Math.max(err, Math.abs(-(ep - em) / (2 * h) - r.force[q]));
      fmax = Math.max(fmax, Math.abs(r.force[q]));
    }
    console.log(`DP-Tab + foreign ZBL FD check: max |F + dE/dx| = ${err.toExponential(2)} eV/Å, max |F| = ${fmax.toFixed(1)} eV/Å, |F(Ar)| = ${Math.hypot(r.force[3 * n0], r.force[3 * n0 + 1], r.force[3 * n0 + 2]).toFixed(1)} eV/Å`);
    // The Ar-S ZBL at 1.5 Å (12 eV, PHYSICS.md §3) pushes the ion hard; the S pair at 1.1 Å harder still.
    expect(Math.hypot(r.force[3 * n0], r.force[3 * n0 + 1], r.force[3 * n0 + 2])).toBeGreaterThan(10);
    expect(fmax).toBeGreaterThan(20);
    expect(err).toBeLessThan(1e-6 * fmax);
  });

  it('a 100 eV S recoil in a 96-atom sheet, NVE with dt/reset, conserves the total energy', async () => {
    const pot = new DpCpuPotential(model, { label: 'synthetic' });
    const run = (time: number, stepEnergyTol?: number) => runCascade({
      potential: pot, nx: 4, ny: 4, lattice: { a: 3.18, t: 3.12 }, seed: 5, time,
      // Top S driven at its bonded Mo (bond at polar 49.6 deg, azimuth 90 deg): a near head-on collision.
      projectile: { kind: 'pka', site: 'S-top', energy: 100, polar: 45, azimuth: 90 },
      thermostat: null, sampleEvery: 10, stepEnergyTol,
      dtReset: { every: 1, tmin: 1e-7, tmax: 1e-3, xmax: 0.05 },
    });
    // Energy-checked steps (1e-4 of the recoil energy = 0.01 eV per step): the cascade command's default for DP models.
    const r = await run(0.02, 1e-4);
    const E = r.energy;
    const minDt = Math.min(...E.map((s) => s.dt)), maxDt = Math.max(...E.map((s) => s.dt));
    console.log(`DP-Tab NVE, 100 eV S PKA, ${r.sheet.atoms} atoms: ${r.steps} steps (${r.rejectedSteps} redone) over ${r.time.toFixed(4)} ps ` +
      `(dt ${minDt.toExponential(2)}-${maxDt.toExponential(2)} ps), max |drift| = ${r.maxAbsDrift.toExponential(2)} eV (${(r.maxAbsDrift / 100).toExponential(2)} of the recoil energy)`);
    expect(r.sheet.atoms).toBe(96);
    expect(r.steps).toBeGreaterThan(200);
    expect(maxDt / minDt).toBeGreaterThan(10); // the time step adapted to the collision
    // The recoil hit: most of its kinetic energy went into potential energy at the turning point.
    expect(Math.min(...E.map((s) => s.ke))).toBeLessThan(0.7 * E[0].ke);
    expect(r.maxAbsDrift).toBeLessThan(1e-3 * 100);
    // Plain dt/reset (no energy check) through the same first collision: entering the 1.0-1.2 Å blend window
    // (the per-atom energy goes from DP to the ZBL table within 0.2 Å of soft-min distance) in one 0.05 Å step
    // costs eV; this is why the cascade command turns the check on for DP models.
    const plain = await run(0.0055);
    console.log(`same collision without the energy check: ${plain.steps} steps, max |drift| = ${plain.maxAbsDrift.toExponential(2)} eV`);
    expect(plain.maxAbsDrift).toBeGreaterThan(10 * r.maxAbsDrift);
  });
});
