// Messages of the batch worker: a sweep of the sputtering yield against ion or PKA energy (independent impacts at
// random, seeded points or PKA directions; mean and standard error per energy). Cancelling = terminating the worker.
import type { ProjectileSpec } from '../md/cascade';
import type { PkaSite } from '../md/projectile';
import type { ModelChoice } from './settings';

export interface BatchSpec {
  model: ModelChoice;
  /** The DP model file's bytes for a DP choice (the built-in model or the user's file; the batch worker parses its own copy). */
  modelFile?: { name: string; bytes: ArrayBuffer };
  /** Tabulated embedding nets on the WebGPU engine (SimSettings.compress); default true. */
  compress?: boolean;
  /** The ion's element; for a PKA sweep, the element of the recoiling sheet atom. */
  species: string;
  /** Set for a sweep of primary knock-on atoms of this site (no ion); absent = ion impacts. */
  pkaSite?: PkaSite;
  /** eV, in sweep order. */
  energies: number[];
  impacts: number;
  nx: number;
  ny: number;
  temperature: number;
  border: number;
  polar: number;
  azimuth: number;
  /** ps */
  time: number;
  seed: number;
}

/** One energy of the sweep. Yields count sputtered sheet atoms per impact (the ion is not counted; a PKA is). */
export interface BatchPoint {
  energy: number;
  n: number;
  mean: number;
  /** Standard error of the mean (NaN for n < 2). */
  stdError: number;
  yields: number[];
  meanS: number;
  meanMo: number;
}

export type ToBatch = { type: 'start'; spec: BatchSpec };

export type FromBatch =
  | { type: 'progress'; done: number; total: number; energy: number; message: string }
  | { type: 'point'; point: BatchPoint }
  | { type: 'done'; wallSeconds: number }
  | { type: 'error'; error: { name: string; message: string } };

/** A PKA sweep draws random azimuths unless the recoil is along the normal (where the azimuth means nothing). */
export const pkaRandomAzimuth = (polar: number): boolean => polar > 0 && polar < 180;

/**
 * Impact k of a sweep: an ion at a random point (random azimuth too when oblique), or the PKA of the chosen site
 * nearest the cell centre, recoiling at the set polar angle and a random azimuth (when not along the normal);
 * the run's seed is spec.seed + k either way.
 */
export function sweepProjectile(spec: Omit<BatchSpec, 'modelFile'>, energy: number): ProjectileSpec {
  return spec.pkaSite
    ? { kind: 'pka', site: spec.pkaSite, energy, polar: spec.polar, azimuth: spec.azimuth, randomAzimuth: pkaRandomAzimuth(spec.polar) }
    : { kind: 'ion', species: spec.species, energy, polar: spec.polar, azimuth: spec.azimuth, randomImpact: true };
}

/** "Ar ions" or "S-top PKAs", for labels and file names. */
export const sweepLabel = (spec: Pick<BatchSpec, 'species' | 'pkaSite'>): string => (spec.pkaSite ? `${spec.pkaSite} PKAs` : `${spec.species} ions`);

export function summarizeYields(energy: number, perImpact: { total: number; S: number; Mo: number }[]): BatchPoint {
  const n = perImpact.length;
  const y = perImpact.map((r) => r.total);
  const mean = y.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const variance = n > 1 ? y.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : NaN;
  return {
    energy, n, mean, stdError: n > 1 ? Math.sqrt(variance / n) : NaN, yields: y,
    meanS: perImpact.reduce((a, r) => a + r.S, 0) / Math.max(1, n),
    meanMo: perImpact.reduce((a, r) => a + r.Mo, 0) / Math.max(1, n),
  };
}
