// One live run, driven step by step (run / pause / single step) by the simulation worker. Built from the same
// pieces as md/cascade.ts runCascade (sheet, projectile, adaptive dt, border thermostat, damage analysis), but
// with the loop handed to the caller so the worker can stream frames and answer messages between chunks.
// No DOM: usable from Node tests.
import { analyzeDamage, type DamageReport } from '../analysis/damage.ts';
import { borderMask, DEFAULT_DT_RESET } from '../md/cascade.ts';
import { maxwellBoltzmann, mdInit, mdStep, type MdConfig, type MdState } from '../md/integrator.ts';
import { addIon, addPka, pickSite, randomImpact, resolveSpecies, type Setup } from '../md/projectile.ts';
import { makeRng } from '../md/random.ts';
import { BOLTZ, MVV2E } from '../md/units.ts';
import { buildSheet, SITE_ION, type RelaxResult, type Sheet } from '../physics/lattice.ts';
import type { Potential } from '../potential/types.ts';
import type { DamageCounts, FrameData, RunInfo, SeriesChunk } from './protocol.ts';
import type { SimSettings } from './settings.ts';

export class LiveSession {
  readonly info: RunInfo;
  readonly setup: Setup;
  readonly sheet: Sheet;
  readonly cfg: MdConfig;
  private readonly E0: number;
  private series: SeriesChunk = emptySeries();
  /** Largest |E - E0| seen (eV). */
  maxAbsDrift = 0;
  /** Wall time per MD step (ms), smoothed over recent chunks. */
  private msPerStep = 0;

  private constructor(
    readonly pot: Potential,
    readonly settings: SimSettings,
    readonly state: MdState,
    sheet: Sheet,
    setup: Setup,
    cfg: MdConfig,
    info: RunInfo,
  ) {
    this.sheet = sheet;
    this.setup = setup;
    this.cfg = cfg;
    this.info = info;
    this.E0 = state.ke + state.pe;
    this.sample();
  }

  static async create(pot: Potential, settings: SimSettings, lattice: RelaxResult, runId: string): Promise<LiveSession> {
    const { sample, projectile: p, run } = settings;
    const sheet = buildSheet({ a: lattice.a, t: lattice.t, nx: sample.nx, ny: sample.ny });
    const rng = makeRng(run.seed);
    const n0 = sheet.site.length;
    let sheetVel: Float64Array | undefined;
    if (sample.temperature > 0) {
      const m0 = new Float64Array(n0);
      const massOf = sheet.system.species.map((s) => resolveSpecies(s).mass);
      for (let i = 0; i < n0; i++) m0[i] = massOf[sheet.system.atype[i]];
      sheetVel = maxwellBoltzmann(m0, sample.temperature, rng);
    }
    let setup: Setup;
    let impact: [number, number];
    if (p.mode === 'ion') {
      impact = p.impact ?? randomImpact(sheet, rng, p.polar > 0).impact;
      setup = addIon(sheet, { species: resolveSpecies(p.species), energy: p.energy, polar: p.polar, azimuth: p.azimuth, impact, height: p.height }, sheetVel);
    } else {
      const atom = pickSite(sheet, p.pkaSite, p.impact ?? undefined);
      impact = [sheet.reference[3 * atom], sheet.reference[3 * atom + 1]];
      setup = addPka(sheet, { site: p.pkaSite, energy: p.energy, polar: p.polar, azimuth: p.azimuth, atom }, sheetVel);
    }
    const n = setup.mass.length;
    const dtReset = { ...DEFAULT_DT_RESET, emax: 5e-3 * p.energy };
    const cfg: MdConfig = {
      dt: dtReset.tmax ?? 1e-3,
      dtReset,
      thermostat: sample.border > 0
        ? { kind: 'berendsen', T: sample.temperature, tau: 0.1, mask: borderMask(sheet, n, sample.border), seed: run.seed + 7919 }
        : null,
      // Atoms far outside the sheet and moving away fly force-free; leave them out of the dt/reset minimum.
      dtInclude: (i, st) => {
        const dz = st.system.coord[3 * i + 2] - sheet.zMid;
        return Math.abs(dz) < sheet.t / 2 + pot.cutoff + 2 || dz * st.vel[3 * i + 2] < 0;
      },
    };
    const state = await mdInit(pot, setup.system, setup.vel, setup.mass, cfg);
    const info: RunInfo = {
      runId,
      potential: pot.name,
      cutoff: pot.cutoff,
      natoms: n,
      species: [...setup.system.species],
      atype: Int32Array.from(setup.system.atype),
      site: Int8Array.from(setup.site),
      mass: Float64Array.from(setup.mass),
      cell: Array.from(setup.system.cell!),
      pbc: [...setup.system.pbc],
      reference: Float64Array.from(sheet.reference),
      zMid: sheet.zMid,
      a: sheet.a,
      t: sheet.t,
      projectile: setup.projectile,
      impact,
      thermostatMask: cfg.thermostat ? Uint8Array.from(cfg.thermostat.mask) : null,
      dtReset,
      settings,
      projectileInfo: setup.info,
    };
    return new LiveSession(pot, settings, state, sheet, setup, cfg, info);
  }

  get done(): boolean {
    return this.state.time >= this.settings.run.timeLimit - 1e-12;
  }

  /** Advances up to `steps` MD steps, stopping at the time limit. Returns the steps taken. */
  async advance(steps: number): Promise<number> {
    let k = 0;
    while (k < steps && !this.done) {
      await mdStep(this.pot, this.state, this.cfg);
      const drift = this.totalEnergy() - this.E0;
      if (Math.abs(drift) > this.maxAbsDrift) this.maxAbsDrift = Math.abs(drift);
      k++;
    }
    if (k > 0) this.sample();
    return k;
  }

  noteStepTime(ms: number): void {
    this.msPerStep = this.msPerStep === 0 ? ms : 0.8 * this.msPerStep + 0.2 * ms;
  }

  totalEnergy(): number {
    return this.state.ke + this.state.pe + this.state.thermostatEnergy;
  }

  /** Temperature of the sheet atoms (the ion left out), from their kinetic energy. */
  temperature(): number {
    const { vel, mass } = this.state;
    const n0 = this.sheet.site.length;
    let ke = 0;
    for (let i = 0; i < n0; i++) ke += mass[i] * (vel[3 * i] ** 2 + vel[3 * i + 1] ** 2 + vel[3 * i + 2] ** 2);
    ke *= 0.5 * MVV2E;
    return (2 * ke) / (3 * Math.max(1, n0 - 1) * BOLTZ);
  }

  /** Appends the current state to the pending time series. */
  private sample(): void {
    const s = this.series, st = this.state;
    s.step.push(st.step);
    s.time.push(st.time);
    s.dt.push(st.dt);
    s.ke.push(st.ke);
    s.pe.push(st.pe);
    s.total.push(this.totalEnergy());
    s.temperature.push(this.temperature());
  }

  /** The time series gathered since the last call. */
  takeSeries(): SeriesChunk {
    const s = this.series;
    this.series = emptySeries();
    return s;
  }

  /** A display frame: positions and per-atom kinetic energies as float32 (transferable). */
  frame(damage: DamageCounts | null): FrameData {
    const st = this.state;
    const n = st.mass.length;
    const coord = new Float32Array(st.system.coord);
    const kinetic = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      kinetic[i] = 0.5 * MVV2E * st.mass[i] * (st.vel[3 * i] ** 2 + st.vel[3 * i + 1] ** 2 + st.vel[3 * i + 2] ** 2);
    }
    return {
      runId: this.info.runId, step: st.step, time: st.time, dt: st.dt, ke: st.ke, pe: st.pe, total: this.totalEnergy(),
      drift: this.totalEnergy() - this.E0, maxAbsDrift: this.maxAbsDrift, temperature: this.temperature(), coord, kinetic,
      series: this.takeSeries(), damage, progress: Math.min(1, st.time / this.settings.run.timeLimit), recorded: 0, msPerStep: this.msPerStep,
    };
  }

  analyze(): DamageCounts {
    const c = this.info.cell;
    const d = analyzeDamage({
      coord: this.state.system.coord, vel: this.state.vel, site: this.setup.site, reference: this.sheet.reference,
      lx: c[0], ly: c[4], zMid: this.sheet.zMid, a: this.sheet.a, t: this.sheet.t,
      ion: this.setup.site[this.setup.projectile] === SITE_ION ? this.setup.projectile : -1,
      clusterCutoff: this.pot.cutoff,
    });
    return damageCounts(d, this.state.step, this.state.time);
  }
}

export function damageCounts(d: DamageReport, step: number, time: number): DamageCounts {
  const largest = d.pores.reduce((m, p) => (p.area > m.area ? p : m), { area: 0, diameter: 0 });
  return {
    step, time,
    sputtered: { total: d.sputtered.total, topS: d.sputtered.byOrigin['S-top'], bottomS: d.sputtered.byOrigin['S-bottom'], Mo: d.sputtered.byOrigin.Mo, ion: d.sputtered.ion },
    sputteredAtoms: [...d.sputtered.atoms],
    vacancies: { total: d.vacancies.total, Mo: d.vacancies.Mo, S: d.vacancies.S },
    vacancySites: [...d.vacancies.sites],
    interstitials: d.interstitials.total,
    displaced: d.displaced,
    pores: d.pores.map((p) => ({ area: p.area, diameter: p.diameter, center: p.center })),
    poreArea: d.poreArea,
    poreDiameter: largest.diameter,
    complexes: { ...d.complexCounts },
    ionFate: d.ionFate,
  };
}

function emptySeries(): SeriesChunk {
  return { step: [], time: [], dt: [], ke: [], pe: [], total: [], temperature: [] };
}
