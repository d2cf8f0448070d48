// One irradiation run: sheet (relaxed for the potential), projectile, adaptive-dt NVE with a border-strip
// thermostat, stop at a time or when the cascade has cooled, then damage analysis. Shared by the CLI commands
// (cascade, yield) and usable from the worker.

import { element } from '../physics/elements.ts';
import { analyzeDamage, type DamageReport } from '../analysis/damage.ts';
import { buildSheet, relaxSheet, SITE_ION, type RelaxResult, type Sheet } from '../physics/lattice.ts';
import type { Potential } from '../potential/types.ts';
import { maxwellBoltzmann, mdInit, mdStep, type DtReset, type MdConfig, type MdState } from './integrator.ts';
import { addIon, addPka, randomImpact, resolveSpecies, type PkaSite, type Setup } from './projectile.ts';
import { makeRng } from './random.ts';
import { MVV2E } from './units.ts';

export type ProjectileSpec =
  | { kind: 'ion'; species: string; energy: number; polar?: number; azimuth?: number; impact?: [number, number]; randomImpact?: boolean; height?: number }
  /** randomAzimuth: a uniform random azimuth from the run's seed (sweeps over recoil directions). */
  | { kind: 'pka'; site: PkaSite; energy: number; polar?: number; azimuth?: number; randomAzimuth?: boolean };

export interface CascadeOptions {
  potential: Potential;
  nx: number;
  ny: number;
  /** Lattice: relaxed for the potential unless given. */
  lattice?: { a: number; t: number } | RelaxResult;
  /** Initial sheet temperature (K), Maxwell-Boltzmann with zero net momentum. */
  temperature?: number;
  /**
   * Equilibrate the sheet before the impact for this long (ps): Berendsen (tau 0.05 ps) on all sheet atoms at
   * `temperature`, starting from Maxwell-Boltzmann velocities at that temperature. 0 = start from the ideal
   * lattice with MB velocities (equipartition then halves the temperature).
   */
  equilibrate?: number;
  seed?: number;
  projectile: ProjectileSpec;
  dtReset?: DtReset;
  /** Border-strip thermostat; width in Å from the cell edges in x and y. null = pure NVE. */
  thermostat?: { kind: 'berendsen' | 'langevin'; T: number; tau: number; width: number } | null;
  /** Maximum simulated time (ps). */
  time: number;
  /** Stop earlier when every atom in the sheet slab has kinetic energy below `ke` eV (after `minTime` ps). */
  cool?: { ke: number; minTime: number } | null;
  /** Record the energy time series every this many steps (and at the end). */
  sampleEvery?: number;
  /** Called every `frameEvery` steps (trajectory output). */
  onFrame?: (state: MdState, setup: Setup) => void;
  frameEvery?: number;
  /** Cluster cutoff for sputtering; default the potential's cutoff. */
  clusterCutoff?: number;
  /** Run the damage analysis every this many steps during the run (0 = only at the end). */
  analyzeEvery?: number;
  /**
   * Energy-checked steps (integrator.ts MdConfig.energyCheck): a step whose KE + PE changes by more than this
   * fraction of the projectile energy is redone with a smaller dt. Off by default (plain LAMMPS-style dt/reset).
   * Useful for DP-Tab models, whose per-atom table blend is a steep wall the dt/reset rule cannot anticipate.
   */
  stepEnergyTol?: number;
}

export interface DamageSample { step: number; time: number; sputtered: number; vacancies: number; interstitials: number; displaced: number; pores: number; ionFate: string }

export interface EnergySample { step: number; time: number; dt: number; ke: number; pe: number; thermostat: number; total: number; drift: number }

export interface CascadeResult {
  potential: string;
  sheet: { a: number; t: number; nx: number; ny: number; atoms: number; cell: number[]; relaxed: boolean; energyPerFormula?: number; temperature: number };
  dtReset: DtReset;
  thermostat: CascadeOptions['thermostat'];
  projectile: Record<string, unknown>;
  steps: number;
  time: number;
  stopReason: 'time' | 'cooled';
  energy: EnergySample[];
  maxAbsDrift: number;
  /** Steps redone with a smaller dt by the energy check (0 when it is off). */
  rejectedSteps: number;
  damage: DamageReport;
  /** Damage counts during the run (every analyzeEvery steps, and at the end). */
  damageSeries: DamageSample[];
  wallSeconds: number;
}

export const DEFAULT_DT_RESET: DtReset = { every: 1, tmin: 1e-7, tmax: 1e-3, xmax: 0.05 };

export async function prepareLattice(pot: Potential): Promise<RelaxResult> {
  return relaxSheet(pot);
}

export function borderMask(sheet: Sheet, nTotal: number, width: number): Uint8Array {
  const m = new Uint8Array(nTotal);
  const lx = sheet.system.cell![0], ly = sheet.system.cell![4];
  for (let i = 0; i < sheet.site.length; i++) {
    const x = sheet.reference[3 * i], y = sheet.reference[3 * i + 1];
    if (x < width || x > lx - width || y < width || y > ly - width) m[i] = 1;
  }
  return m;
}

export async function runCascade(o: CascadeOptions): Promise<CascadeResult> {
  const t0 = performance.now();
  const pot = o.potential;
  let relaxed = false;
  let lat = o.lattice;
  if (!lat) { lat = await relaxSheet(pot); relaxed = true; }
  const sheet = buildSheet({ a: lat.a, t: lat.t, nx: o.nx, ny: o.ny });
  const rng = makeRng(o.seed ?? 1);
  const T0 = o.temperature ?? 0;
  const n0 = sheet.site.length;
  let sheetVel: Float64Array | undefined;
  if (T0 > 0) {
    const mass0 = new Float64Array(n0);
    for (let i = 0; i < n0; i++) mass0[i] = element(sheet.system.species[sheet.system.atype[i]]).mass;
    sheetVel = maxwellBoltzmann(mass0, T0, rng);
    if ((o.equilibrate ?? 0) > 0) {
      const eq: MdConfig = {
        dt: 1e-3, dtReset: { every: 1, tmin: 1e-5, tmax: 1e-3, xmax: 0.05 },
        thermostat: { kind: 'berendsen', T: T0, tau: 0.05, mask: new Uint8Array(n0).fill(1) },
      };
      const sys0 = { ...sheet.system, coord: Float64Array.from(sheet.system.coord) };
      const st = await mdInit(pot, sys0, sheetVel, mass0, eq);
      while (st.time < o.equilibrate! - 1e-12) await mdStep(pot, st, eq);
      // Remove any net momentum picked up, keep positions (the reference stays the ideal lattice).
      const pm = [0, 0, 0];
      let mt = 0;
      for (let i = 0; i < n0; i++) { mt += mass0[i]; for (let c = 0; c < 3; c++) pm[c] += mass0[i] * st.vel[3 * i + c]; }
      for (let i = 0; i < n0; i++) for (let c = 0; c < 3; c++) st.vel[3 * i + c] -= pm[c] / mt;
      sheet.system.coord.set(st.system.coord);
      sheetVel = st.vel;
    }
  }
  const p = o.projectile;
  let setup: Setup;
  if (p.kind === 'ion') {
    let impact = p.impact;
    let azimuth = p.azimuth ?? 0;
    const polar = p.polar ?? 0;
    if (!impact || p.randomImpact) {
      const r = randomImpact(sheet, rng, polar > 0, p.randomImpact === true && p.azimuth === undefined && polar > 0);
      impact = r.impact;
      if (r.azimuth !== undefined) azimuth = r.azimuth;
    }
    setup = addIon(sheet, { species: resolveSpecies(p.species), energy: p.energy, polar, azimuth, impact, height: p.height }, sheetVel);
  } else {
    const azimuth = p.randomAzimuth ? 360 * rng.uniform() : p.azimuth ?? 0;
    setup = addPka(sheet, { site: p.site, energy: p.energy, polar: p.polar ?? 0, azimuth }, sheetVel);
  }
  const n = setup.mass.length;
  // Emax left undefined = automatic: 5e-3 of the projectile energy per step. Xmax alone is too coarse for
  // head-on keV collisions (closest approach ~0.1 Å). Measured (Wen SW + ZBL, Xmax 0.05 Å): 100 keV Au head-on
  // on Mo, max drift 244 eV without Emax, 27 eV with Emax = 500 eV (+30 % steps); 500 eV S recoil, 0.14 eV
  // without, 0.05 eV with Emax = 2.5 eV (+25 % steps). Emax = 0 switches it off.
  const dtr0 = o.dtReset ?? DEFAULT_DT_RESET;
  const dtReset: DtReset = { ...dtr0, emax: dtr0.emax === undefined ? 5e-3 * p.energy : dtr0.emax > 0 ? dtr0.emax : undefined };
  const cfg: MdConfig = {
    dt: dtReset.tmax ?? 1e-3,
    dtReset,
    thermostat: o.thermostat
      ? { kind: o.thermostat.kind, T: o.thermostat.T, tau: o.thermostat.tau, mask: borderMask(sheet, n, o.thermostat.width), seed: (o.seed ?? 1) + 7919 }
      : null,
    // Atoms far outside the sheet (beyond the interaction range) and moving away fly force-free; they would
    // otherwise pin dt at Xmax/|v| for the rest of the run.
    dtInclude: (i, st) => {
      const dz = st.system.coord[3 * i + 2] - sheet.zMid;
      return Math.abs(dz) < sheet.t / 2 + pot.cutoff + 2 || dz * st.vel[3 * i + 2] < 0;
    },
    energyCheck: o.stepEnergyTol !== undefined && o.stepEnergyTol > 0 ? { tol: o.stepEnergyTol * p.energy } : null,
  };
  const state = await mdInit(pot, setup.system, setup.vel, setup.mass, cfg);
  const E0 = state.ke + state.pe;
  const series: EnergySample[] = [];
  let maxAbsDrift = 0;
  const sample = () => {
    const total = state.ke + state.pe + state.thermostatEnergy;
    const drift = total - E0;
    series.push({ step: state.step, time: state.time, dt: state.dt, ke: state.ke, pe: state.pe, thermostat: state.thermostatEnergy, total, drift });
  };
  sample();
  const every = o.sampleEvery ?? 20;
  const frameEvery = o.frameEvery ?? 50;
  o.onFrame?.(state, setup);
  const zMid = sheet.zMid, slab = sheet.t / 2 + 3;
  let stopReason: CascadeResult['stopReason'] = 'time';
  const cell = setup.system.cell!;
  const analyze = () => analyzeDamage({
    coord: state.system.coord, vel: state.vel, site: setup.site, reference: sheet.reference, lx: cell[0], ly: cell[4],
    zMid, a: sheet.a, t: sheet.t, ion: setup.site[setup.projectile] === SITE_ION ? setup.projectile : -1,
    clusterCutoff: o.clusterCutoff ?? pot.cutoff,
  });
  const damageSeries: DamageSample[] = [];
  const damageSample = (d: DamageReport): DamageSample => ({
    step: state.step, time: state.time, sputtered: d.sputtered.total, vacancies: d.vacancies.total, interstitials: d.interstitials.total,
    displaced: d.displaced, pores: d.pores.length, ionFate: d.ionFate,
  });
  const analyzeEvery = o.analyzeEvery ?? 0;
  while (state.time < o.time - 1e-12) {
    await mdStep(pot, state, cfg);
    const drift = state.ke + state.pe + state.thermostatEnergy - E0;
    if (Math.abs(drift) > maxAbsDrift) maxAbsDrift = Math.abs(drift);
    if (state.step % every === 0) sample();
    if (o.onFrame && state.step % frameEvery === 0) o.onFrame(state, setup);
    if (analyzeEvery > 0 && state.step % analyzeEvery === 0) damageSeries.push(damageSample(analyze()));
    if (o.cool && state.time >= o.cool.minTime && state.step % 10 === 0) {
      let kmax = 0;
      const x = state.system.coord, v = state.vel;
      for (let i = 0; i < n; i++) {
        if (Math.abs(x[3 * i + 2] - zMid) > slab) continue;
        const k = 0.5 * MVV2E * state.mass[i] * (v[3 * i] ** 2 + v[3 * i + 1] ** 2 + v[3 * i + 2] ** 2);
        if (k > kmax) kmax = k;
      }
      if (kmax < o.cool.ke) { stopReason = 'cooled'; break; }
    }
  }
  if (series[series.length - 1].step !== state.step) sample();
  if (o.onFrame && state.step % frameEvery !== 0) o.onFrame(state, setup);
  const damage = analyze();
  damageSeries.push(damageSample(damage));
  return {
    potential: pot.name,
    sheet: { a: sheet.a, t: sheet.t, nx: o.nx, ny: o.ny, atoms: n0, cell: Array.from(cell), relaxed,
      energyPerFormula: 'energyPerFormula' in lat ? lat.energyPerFormula : undefined, temperature: T0 },
    dtReset,
    thermostat: o.thermostat ?? null,
    projectile: setup.info,
    steps: state.step,
    time: state.time,
    stopReason,
    energy: series,
    maxAbsDrift,
    rejectedSteps: state.rejectedSteps,
    damage,
    damageSeries,
    wallSeconds: (performance.now() - t0) / 1000,
  };
}
