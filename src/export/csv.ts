// CSV (RFC 4180 quoting: fields quoted when they hold a comma, quote or newline; lines end with "\n")
// for a run's time series (energies, temperature, dt, damage counters) and for batch yield results.
// Numbers are written in full precision (shortest round-trip); NaN, ±Infinity, null and undefined as empty cells.
// Units are in the column names (ps, eV, K, Å²).

import type { DamageSample, EnergySample } from '../md/cascade.ts';
import { BOLTZ } from '../md/units.ts';

export type Cell = string | number | boolean | null | undefined;

function field(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A header and rows as CSV text (ends with a newline). */
export function toCsv(header: readonly string[], rows: Iterable<readonly Cell[]>): string {
  const out = [header.map(field).join(',')];
  for (const r of rows) out.push(r.map(field).join(','));
  return out.join('\n') + '\n';
}

/** Records as CSV; columns default to the union of the records' keys in first-seen order. */
export function recordsToCsv(records: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const cols = columns ?? [...new Set(records.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown): Cell => (v === null || v === undefined || ['string', 'number', 'boolean'].includes(typeof v) ? (v as Cell) : JSON.stringify(v));
  return toCsv(cols, records.map((r) => cols.map((c) => cell(r[c]))));
}

export interface TimeSeriesOptions {
  /** Number of atoms: adds temperature_K = 2 KE / (3 N kB) of the whole system. */
  natoms?: number;
}

const ENERGY_COLS = ['step', 'time_ps', 'dt_ps', 'ke_eV', 'pe_eV', 'thermostat_eV', 'total_eV', 'drift_eV'] as const;
const DAMAGE_COLS = ['sputtered', 'vacancies', 'interstitials', 'displaced', 'pores', 'ion_fate'] as const;

/**
 * The run's time series: one row per step that has an energy sample or a damage sample (runCascade's
 * `energy` every sampleEvery steps, `damageSeries` every analyzeEvery steps), sorted by step; cells of the
 * series without a sample at that step are empty.
 */
export function timeSeriesCsv(energy: readonly EnergySample[], damage: readonly DamageSample[] = [], opts: TimeSeriesOptions = {}): string {
  const byStep = new Map<number, { e?: EnergySample; d?: DamageSample }>();
  for (const e of energy) byStep.set(e.step, { ...byStep.get(e.step), e });
  for (const d of damage) byStep.set(d.step, { ...byStep.get(d.step), d });
  const withT = opts.natoms !== undefined && opts.natoms > 0;
  const withD = damage.length > 0;
  const header = [...ENERGY_COLS, ...(withT ? ['temperature_K'] : []), ...(withD ? DAMAGE_COLS : [])];
  const rows = [...byStep.entries()].sort((a, b) => a[0] - b[0]).map(([step, { e, d }]) => {
    const r: Cell[] = [step, e?.time ?? d?.time, e?.dt, e?.ke, e?.pe, e?.thermostat, e?.total, e?.drift];
    if (withT) r.push(e ? (2 * e.ke) / (3 * opts.natoms! * BOLTZ) : undefined);
    if (withD) r.push(d?.sputtered, d?.vacancies, d?.interstitials, d?.displaced, d?.pores, d?.ionFate);
    return r;
  });
  return toCsv(header, rows);
}

export interface YieldPoint {
  /** Projectile species (optional when the sweep has one). */
  species?: string;
  /** Projectile energy (eV). */
  energy: number;
  /** Mean sputtering yield (atoms per impact). */
  mean: number;
  /** Standard error of the mean (NaN when n < 2). */
  stdError: number;
  /** Number of impacts. */
  n: number;
  /** More columns (e.g. yield_S, yield_Mo, failed), written after the standard ones in first-seen order. */
  extra?: Record<string, Cell>;
}

/** Batch yield results: species, energy_eV, yield_mean, yield_std_error, n, then any extra columns. */
export function yieldCsv(points: readonly YieldPoint[]): string {
  const extra = [...new Set(points.flatMap((p) => Object.keys(p.extra ?? {})))];
  const hasSpecies = points.some((p) => p.species !== undefined);
  const header = [...(hasSpecies ? ['species'] : []), 'energy_eV', 'yield_mean', 'yield_std_error', 'n', ...extra];
  return toCsv(header, points.map((p) => [
    ...(hasSpecies ? [p.species] : []), p.energy, p.mean, p.stdError, p.n, ...extra.map((k) => p.extra?.[k]),
  ]));
}
