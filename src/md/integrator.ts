// Velocity Verlet in LAMMPS metal units with the adaptive time step of LAMMPS `fix dt/reset` and an optional
// thermostat on a subset of atoms (the border strip), NVE elsewhere. Functional init/step design (jax-md style):
// state lives in plain typed arrays; `mdInit` evaluates the first forces, `mdStep` advances one step in place.
//
// Order within a step, as in LAMMPS (fix nve + fix temp/berendsen|langevin + fix dt/reset):
//   v += dt/2 F/m;  x += dt v;  F = F(x);  v += dt/2 F/m;  thermostat(strip);  dt <- dtReset(v, F)
// time accumulates sum(dt). As in LAMMPS, dt/reset is also applied once at set-up (before the first step).
// Thermostats act on velocities after the second half-kick, so the energy they exchange is exactly the change
// in kinetic energy they make; it is summed in `thermostatEnergy` (energy taken OUT of the system), hence
// KE + PE + thermostatEnergy is the conserved quantity.

import { PotentialRangeError, type Potential, type System } from '../potential/types.ts';
import { wrapPositions } from '../potential/neighbors.ts';
import { BOLTZ, FTM2V, MVV2E } from './units.ts';
import { makeRng, type Rng } from './random.ts';

export interface DtReset {
  /** Apply every N steps (LAMMPS N). */
  every: number;
  /** dt bounds (ps); null for no bound. */
  tmin: number | null;
  tmax: number | null;
  /** Max displacement per step (Å). */
  xmax: number;
  /** Optional max energy change per step (eV). */
  emax?: number;
}

export interface Thermostat {
  kind: 'berendsen' | 'langevin';
  /** Target temperature (K). */
  T: number;
  /** Berendsen: coupling time (ps). Langevin: damping time 1/gamma (ps). */
  tau: number;
  /** 1 for thermostatted atoms. */
  mask: Uint8Array;
  seed?: number;
}

export interface MdConfig {
  /** Initial (and, without dtReset, fixed) time step (ps). */
  dt: number;
  dtReset?: DtReset | null;
  thermostat?: Thermostat | null;
  /** Atoms that do not move (velocity kept zero). */
  frozen?: Uint8Array;
  /**
   * Optional: atoms for which this returns false are left out of the dt/reset minimum (LAMMPS: the fix's group).
   * Used to drop sputtered atoms that fly away force-free (Verlet integrates them exactly at any dt).
   */
  dtInclude?: (i: number, state: MdState) => boolean;
  /**
   * Optional energy-checked steps (not in LAMMPS; off by default): when |(KE + PE) after - before| of one step
   * exceeds `tol` eV (measured before the thermostat acts), the step is undone and redone with a smaller dt
   * (factor max(0.1, min(0.5, sqrt(tol / error))), at most `maxRetries` times, never below dtReset.tmin). For
   * potentials with steep short-range walls that the dt/reset rule cannot see coming, e.g. a DP-Tab entering its
   * per-atom table blend window, where the forces one step ahead are orders of magnitude larger than now.
   */
  energyCheck?: { tol: number; maxRetries?: number } | null;
}

export interface MdState {
  system: System;
  vel: Float64Array;
  mass: Float64Array;
  force: Float64Array;
  atomEnergy: Float64Array;
  pe: number;
  ke: number;
  time: number;
  step: number;
  /** Time step for the next step (ps). */
  dt: number;
  /** Cumulative energy removed by the thermostat (eV). */
  thermostatEnergy: number;
  /** Steps undone and redone with a smaller dt by `energyCheck`. */
  rejectedSteps: number;
  rng: Rng;
}

export function kineticEnergy(vel: Float64Array, mass: Float64Array, mask?: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < mass.length; i++) {
    if (mask && !mask[i]) continue;
    s += mass[i] * (vel[3 * i] ** 2 + vel[3 * i + 1] ** 2 + vel[3 * i + 2] ** 2);
  }
  return 0.5 * MVV2E * s;
}

/** The LAMMPS fix dt/reset rule (PHYSICS.md §2.3, src/fix_dt_reset.cpp). Returns the new dt. */
export function dtResetValue(vel: Float64Array, force: Float64Array, mass: Float64Array, p: DtReset, include?: (i: number) => boolean): number {
  let dtmin = Infinity;
  const n = mass.length;
  for (let i = 0; i < n; i++) {
    if (include && !include(i)) continue;
    const vx = vel[3 * i], vy = vel[3 * i + 1], vz = vel[3 * i + 2];
    const fx = force[3 * i], fy = force[3 * i + 1], fz = force[3 * i + 2];
    const vsq = vx * vx + vy * vy + vz * vz;
    const fsq = fx * fx + fy * fy + fz * fz;
    const massinv = 1 / mass[i];
    let dtv = Infinity, dtf = Infinity;
    if (vsq > 0) dtv = p.xmax / Math.sqrt(vsq);
    if (fsq > 0) dtf = Math.sqrt((2 * p.xmax) / (FTM2V * Math.sqrt(fsq) * massinv));
    let dt = Math.min(dtv, dtf);
    if (p.emax !== undefined && p.emax > 0 && fsq * vsq > 0) {
      const dte = p.emax / Math.sqrt(fsq * vsq) / Math.sqrt(FTM2V * MVV2E);
      dt = Math.min(dt, dte);
    }
    if (!Number.isFinite(dt)) continue;
    const dtsq = dt * dt;
    const c = 0.5 * dtsq * massinv * FTM2V;
    const dx = dt * vx + c * fx, dy = dt * vy + c * fy, dz = dt * vz + c * fz;
    const delr = Math.sqrt(dx * dx + dy * dy + dz * dz);
    if (delr > p.xmax) dt *= p.xmax / delr;
    if (dt < dtmin) dtmin = dt;
  }
  let dt = dtmin;
  if (p.tmin !== null) dt = Math.max(dt, p.tmin);
  if (p.tmax !== null) dt = Math.min(dt, p.tmax);
  return dt;
}

function checkFinite(state: MdState): void {
  const { system, force, vel } = state;
  for (let q = 0; q < force.length; q++) {
    if (!Number.isFinite(force[q]) || !Number.isFinite(vel[q]) || !Number.isFinite(system.coord[q])) {
      const i = Math.floor(q / 3);
      throw new PotentialRangeError(
        `non-finite ${!Number.isFinite(force[q]) ? 'force' : !Number.isFinite(vel[q]) ? 'velocity' : 'position'} ` +
          `on atom ${i} (${system.species[system.atype[i]]}) at step ${state.step}, t = ${state.time} ps`,
      );
    }
  }
}

async function evaluate(pot: Potential, state: MdState): Promise<void> {
  wrapPositions(state.system);
  const r = await pot.compute(state.system);
  state.force.set(r.force);
  state.atomEnergy.set(r.atomEnergy);
  state.pe = r.energy;
}

/** Sets up the state: first force evaluation, and dt from dt/reset (as LAMMPS does at set-up). */
export async function mdInit(pot: Potential, system: System, vel: Float64Array, mass: Float64Array, cfg: MdConfig): Promise<MdState> {
  const n = mass.length;
  const state: MdState = {
    system, vel, mass, force: new Float64Array(3 * n), atomEnergy: new Float64Array(n), pe: 0, ke: 0, time: 0, step: 0,
    dt: cfg.dt, thermostatEnergy: 0, rejectedSteps: 0, rng: makeRng(cfg.thermostat?.seed ?? 12345),
  };
  if (cfg.frozen) zeroFrozen(state, cfg.frozen);
  await evaluate(pot, state);
  if (cfg.dtReset) state.dt = dtResetValue(state.vel, state.force, state.mass, cfg.dtReset, includeFn(cfg, state));
  state.ke = kineticEnergy(vel, mass);
  checkFinite(state);
  return state;
}

function includeFn(cfg: MdConfig, state: MdState): ((i: number) => boolean) | undefined {
  const f = cfg.dtInclude;
  return f ? (i: number) => f(i, state) : undefined;
}

function zeroFrozen(state: MdState, frozen: Uint8Array): void {
  for (let i = 0; i < frozen.length; i++) if (frozen[i]) state.vel.fill(0, 3 * i, 3 * i + 3);
}

function halfKick(state: MdState, dt: number, frozen?: Uint8Array): void {
  const { vel, force, mass } = state;
  for (let i = 0; i < mass.length; i++) {
    if (frozen && frozen[i]) continue;
    const c = (0.5 * dt * FTM2V) / mass[i];
    vel[3 * i] += c * force[3 * i];
    vel[3 * i + 1] += c * force[3 * i + 1];
    vel[3 * i + 2] += c * force[3 * i + 2];
  }
}

/** Applies the thermostat to the masked atoms over a step of length dt; returns the energy removed (eV). */
export function applyThermostat(state: MdState, th: Thermostat, dt: number): number {
  const { vel, mass } = state;
  const before = kineticEnergy(vel, mass, th.mask);
  if (th.kind === 'berendsen') {
    let nm = 0;
    for (let i = 0; i < mass.length; i++) if (th.mask[i]) nm++;
    if (nm === 0) return 0;
    const T = (2 * before) / (3 * nm * BOLTZ);
    if (T <= 0) return 0;
    const lam = Math.sqrt(Math.max(0, 1 + (dt / th.tau) * (th.T / T - 1)));
    for (let i = 0; i < mass.length; i++) {
      if (!th.mask[i]) continue;
      vel[3 * i] *= lam; vel[3 * i + 1] *= lam; vel[3 * i + 2] *= lam;
    }
  } else {
    // Exact Ornstein-Uhlenbeck update of the velocity (the "O" step of BAOAB-type Langevin integrators).
    const c = Math.exp(-dt / th.tau);
    const s = Math.sqrt(1 - c * c);
    for (let i = 0; i < mass.length; i++) {
      if (!th.mask[i]) continue;
      const sd = s * Math.sqrt((BOLTZ * th.T) / (mass[i] * MVV2E));
      for (let a = 0; a < 3; a++) vel[3 * i + a] = c * vel[3 * i + a] + sd * state.rng.normal();
    }
  }
  return before - kineticEnergy(vel, mass, th.mask);
}

async function verletMove(pot: Potential, state: MdState, cfg: MdConfig, dt: number): Promise<void> {
  const { vel, mass } = state;
  const x = state.system.coord;
  halfKick(state, dt, cfg.frozen);
  for (let i = 0; i < mass.length; i++) {
    if (cfg.frozen && cfg.frozen[i]) continue;
    x[3 * i] += dt * vel[3 * i];
    x[3 * i + 1] += dt * vel[3 * i + 1];
    x[3 * i + 2] += dt * vel[3 * i + 2];
  }
  await evaluate(pot, state);
  halfKick(state, dt, cfg.frozen);
}

/** One velocity-Verlet step of length state.dt (shorter if `energyCheck` rejects it); updates state in place. */
export async function mdStep(pot: Potential, state: MdState, cfg: MdConfig): Promise<void> {
  let dt = state.dt;
  const { vel, mass } = state;
  const chk = cfg.energyCheck;
  if (chk) {
    const x0 = Float64Array.from(state.system.coord), v0 = Float64Array.from(vel);
    const f0 = Float64Array.from(state.force), ae0 = Float64Array.from(state.atomEnergy);
    const pe0 = state.pe, e0 = kineticEnergy(vel, mass) + pe0;
    const tmin = cfg.dtReset?.tmin ?? 0;
    for (let k = 0; ; k++) {
      let err = Infinity;
      try {
        await verletMove(pot, state, cfg, dt);
        err = Math.abs(kineticEnergy(vel, mass) + state.pe - e0);
      } catch (e) {
        // A range error at the full step may vanish at a shorter one; rethrow when dt cannot shrink further.
        if (!(e instanceof PotentialRangeError) || k >= (chk.maxRetries ?? 10) || dt <= tmin) throw e;
      }
      if (err <= chk.tol || k >= (chk.maxRetries ?? 10) || dt <= tmin) break;
      state.system.coord.set(x0); vel.set(v0); state.force.set(f0); state.atomEnergy.set(ae0); state.pe = pe0;
      dt = Math.max(tmin, dt * (Number.isFinite(err) ? Math.max(0.1, Math.min(0.5, Math.sqrt(chk.tol / err))) : 0.1));
      state.rejectedSteps++;
    }
  } else {
    await verletMove(pot, state, cfg, dt);
  }
  if (cfg.thermostat) state.thermostatEnergy += applyThermostat(state, cfg.thermostat, dt);
  state.time += dt;
  state.step++;
  if (cfg.dtReset && state.step % cfg.dtReset.every === 0) state.dt = dtResetValue(vel, state.force, mass, cfg.dtReset, includeFn(cfg, state));
  state.ke = kineticEnergy(vel, mass);
  checkFinite(state);
}

/** Maxwell-Boltzmann velocities at temperature T (K) with zero total momentum; rescaled to T exactly. */
export function maxwellBoltzmann(mass: Float64Array, T: number, rng: Rng, mask?: Uint8Array): Float64Array {
  const n = mass.length;
  const v = new Float64Array(3 * n);
  if (T <= 0) return v;
  const p = [0, 0, 0];
  let mtot = 0, nm = 0;
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    const s = Math.sqrt((BOLTZ * T) / (mass[i] * MVV2E));
    for (let a = 0; a < 3; a++) { v[3 * i + a] = s * rng.normal(); p[a] += mass[i] * v[3 * i + a]; }
    mtot += mass[i];
    nm++;
  }
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    for (let a = 0; a < 3; a++) v[3 * i + a] -= p[a] / mtot;
  }
  const ke = kineticEnergy(v, mass, mask);
  const Tnow = (2 * ke) / (3 * (nm - 1) * BOLTZ);
  const f = Math.sqrt(T / Tnow);
  for (let q = 0; q < 3 * n; q++) v[q] *= f;
  return v;
}
