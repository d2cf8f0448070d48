// `npm run cli -- yield`: N independent impacts per (species, energy), random impact points, each from the
// pristine sheet; writes sputtering yields and defect statistics with standard errors (CSV and JSON).
// Resumable: every finished impact is appended to PREFIX.impacts.jsonl at once; a rerun with the same arguments
// skips the impacts already there (each impact's seed depends only on --seed, species, energy and its index).
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs, required } from '../args.ts';
import { runCascade } from '../../md/cascade.ts';
import { relaxSheet } from '../../physics/lattice.ts';
import { PotentialRangeError } from '../../potential/types.ts';
import { commonOptions, FLAGS, loadPotential } from './cascade.ts';
import { DEFAULT_MODEL } from '../defaultModel.ts';

export const summary = 'sputtering yields with standard errors over N random impacts per energy and species ([--potential default|sw|FILE])';
const USAGE = `npm run cli -- yield [--potential (default | FILE | sw | sw-jiang)] --size NXxNY --species Ar,Au --energies 100,500,1000 --impacts N
    [--polar DEG] [--azimuth DEG (default: random for oblique incidence)] [--time PS] [--seed N] [--temperature K] [--thermostat ...] (other options as for cascade)
    --out PREFIX          writes PREFIX.impacts.jsonl (resumable log), PREFIX.json and PREFIX.csv
  default (also when --potential is left out) = the project's DP-Tab MoS2 model, models/mos2-dptab.json of this
  repository (CPU float64 reference; --backend webgpu for the GPU engine); sw, sw-jiang = the classical baselines.`;

export interface ImpactRecord {
  key: string;
  species: string;
  energy: number;
  index: number;
  seed: number;
  ok: boolean;
  error?: string;
  impact?: unknown;
  sputtered?: { total: number; Mo: number; S: number; 'S-top': number; 'S-bottom': number };
  ionFate?: string;
  vacancies?: { total: number; Mo: number; S: number };
  interstitials?: number;
  pores?: number;
  poreArea?: number;
  displaced?: number;
  complexCounts?: Record<string, number>;
  maxAbsDrift?: number;
  time?: number;
  steps?: number;
  wallSeconds?: number;
}

/** Deterministic 31-bit seed from the base seed and the impact's identity. */
export function impactSeed(base: number, species: string, energy: number, index: number): number {
  let h = (base ^ 0x2545f491) >>> 0;
  for (const ch of `${species}|${energy}|${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h & 0x7fffffff;
}

export function meanSe(xs: number[]): { mean: number; se: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, se: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, se: NaN };
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(v / n) };
}

export function aggregate(records: ImpactRecord[]): Record<string, unknown>[] {
  const groups = new Map<string, ImpactRecord[]>();
  for (const r of records) {
    const k = `${r.species}|${r.energy}`;
    const g = groups.get(k);
    if (g) g.push(r); else groups.set(k, [r]);
  }
  const rows: Record<string, unknown>[] = [];
  for (const g of groups.values()) {
    const ok = g.filter((r) => r.ok);
    const col = (f: (r: ImpactRecord) => number) => meanSe(ok.map(f));
    const frac = (f: (r: ImpactRecord) => boolean) => meanSe(ok.map((r) => (f(r) ? 1 : 0)));
    const row: Record<string, unknown> = { species: g[0].species, energy: g[0].energy, impacts: ok.length, failed: g.length - ok.length };
    const put = (name: string, s: { mean: number; se: number }) => { row[name] = s.mean; row[`${name}_se`] = s.se; };
    put('yield_total', col((r) => r.sputtered!.total));
    put('yield_S', col((r) => r.sputtered!.S));
    put('yield_Mo', col((r) => r.sputtered!.Mo));
    put('yield_S_top', col((r) => r.sputtered!['S-top']));
    put('yield_S_bottom', col((r) => r.sputtered!['S-bottom']));
    put('vacancies', col((r) => r.vacancies!.total));
    put('vacancies_Mo', col((r) => r.vacancies!.Mo));
    put('vacancies_S', col((r) => r.vacancies!.S));
    put('interstitials', col((r) => r.interstitials!));
    put('displaced', col((r) => r.displaced!));
    put('pore_probability', frac((r) => (r.pores ?? 0) > 0));
    put('pore_area', col((r) => r.poreArea!));
    put('transmitted', frac((r) => r.ionFate === 'transmitted'));
    put('reflected', frac((r) => r.ionFate === 'reflected'));
    put('embedded', frac((r) => r.ionFate === 'embedded'));
    rows.push(row);
  }
  return rows;
}

function toCsv(rows: Record<string, unknown>[]): string {
  if (!rows.length) return '';
  const cols = Object.keys(rows[0]);
  const fmt = (v: unknown) => (typeof v === 'number' ? (Number.isFinite(v) ? String(+v.toPrecision(8)) : '') : String(v));
  return [cols.join(','), ...rows.map((r) => cols.map((c) => fmt(r[c])).join(','))].join('\n') + '\n';
}

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, FLAGS);
  const prefix = required(a, 'out', USAGE);
  const species = required(a, 'species', USAGE).split(',').map((s) => s.trim()).filter(Boolean);
  const energies = required(a, 'energies', USAGE).split(',').map(Number);
  if (energies.some((e) => !(e > 0))) throw new Error('--energies: positive numbers in eV, comma separated');
  const nImp = Number(required(a, 'impacts', USAGE));
  if (!(nImp >= 1 && Number.isInteger(nImp))) throw new Error('--impacts: a positive integer');
  const polar = Number(a.opts.get('polar') ?? 0);
  const pot = await loadPotential(a.opts.get('potential') ?? DEFAULT_MODEL, a.opts.get('backend') ?? 'cpu');
  const base = commonOptions(a, pot);
  const baseSeed = base.seed ?? 1;
  const lattice = base.lattice ?? (await relaxSheet(pot));
  const log = `${prefix}.impacts.jsonl`;
  const done = new Map<string, ImpactRecord>();
  if (existsSync(log)) {
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try { const r = JSON.parse(line) as ImpactRecord; done.set(r.key, r); } catch { /* a line cut by an interruption */ }
    }
    process.stderr.write(`resuming: ${done.size} impacts already in ${log}\n`);
  }
  const tag = `${pot.name}|${base.nx}x${base.ny}|polar ${polar}|time ${base.time}|T ${base.temperature}`;
  for (const sp of species) {
    for (const E of energies) {
      for (let k = 0; k < nImp; k++) {
        const key = `${tag}|${sp}|${E}|${k}|seed ${baseSeed}`;
        if (done.has(key)) continue;
        const seed = impactSeed(baseSeed, sp, E, k);
        let rec: ImpactRecord;
        try {
          const r = await runCascade({
            ...base, lattice, seed,
            projectile: { kind: 'ion', species: sp, energy: E, polar, azimuth: a.opts.has('azimuth') ? Number(a.opts.get('azimuth')) : undefined, randomImpact: true, height: Number(a.opts.get('height') ?? 10) },
          });
          const d = r.damage;
          rec = {
            key, species: sp, energy: E, index: k, seed, ok: true, impact: (r.projectile as { impact?: unknown }).impact,
            sputtered: { total: d.sputtered.total - d.sputtered.ion, Mo: d.sputtered.Mo, S: d.sputtered.S, 'S-top': d.sputtered.byOrigin['S-top'], 'S-bottom': d.sputtered.byOrigin['S-bottom'] },
            ionFate: d.ionFate, vacancies: { total: d.vacancies.total, Mo: d.vacancies.Mo, S: d.vacancies.S },
            interstitials: d.interstitials.total, pores: d.pores.length, poreArea: d.poreArea, displaced: d.displaced,
            complexCounts: d.complexCounts, maxAbsDrift: r.maxAbsDrift, time: r.time, steps: r.steps, wallSeconds: r.wallSeconds,
          };
        } catch (e) {
          if (!(e instanceof PotentialRangeError)) throw e;
          rec = { key, species: sp, energy: E, index: k, seed, ok: false, error: e.message };
          process.stderr.write(`impact ${sp} ${E} eV #${k}: ${e.message}\n`);
        }
        appendFileSync(log, JSON.stringify(rec) + '\n');
        done.set(key, rec);
        process.stderr.write(`${sp} ${E} eV #${k + 1}/${nImp}: ${rec.ok ? `sputtered ${rec.sputtered!.total}, ion ${rec.ionFate}, ${rec.wallSeconds!.toFixed(1)} s` : 'FAILED'}\n`);
      }
    }
  }
  const mine = [...done.values()].filter((r) => r.key.startsWith(tag) && species.includes(r.species) && energies.includes(r.energy) && r.index < nImp);
  const rows = aggregate(mine);
  writeFileSync(`${prefix}.json`, JSON.stringify({ potential: pot.name, lattice, size: [base.nx, base.ny], polar, time: base.time, temperature: base.temperature, impactsPerPoint: nImp, rows }, null, 1));
  writeFileSync(`${prefix}.csv`, toCsv(rows));
  for (const r of rows) {
    process.stdout.write(`${r.species} ${r.energy} eV: yield ${(r.yield_total as number).toFixed(3)} ± ${(r.yield_total_se as number).toFixed(3)} (S ${(r.yield_S as number).toFixed(3)}, Mo ${(r.yield_Mo as number).toFixed(3)}), n = ${r.impacts}${r.failed ? `, ${r.failed} failed` : ''}\n`);
  }
  process.stdout.write(`written ${prefix}.json, ${prefix}.csv (log ${log})\n`);
  return 0;
}
