// Messages of the batch worker: a sweep of the sputtering yield against ion energy (independent impacts at
// random, seeded points; mean and standard error per energy). Cancelling = terminating the worker.
import type { ModelChoice } from './settings';

export interface BatchSpec {
  model: ModelChoice;
  /** The DP model file's bytes for a DP choice (the built-in model or the user's file; the batch worker parses its own copy). */
  modelFile?: { name: string; bytes: ArrayBuffer };
  /** Tabulated embedding nets on the WebGPU engine (SimSettings.compress); default true. */
  compress?: boolean;
  species: string;
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

/** One energy of the sweep. Yields count sputtered sheet atoms per impact (the ion is not counted). */
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
