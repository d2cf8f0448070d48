// The GPU engine against the float64 reference: the MoS2 configurations the acceptance names and the comparison
// metrics. Used by the browser self-check page (gpu-check.html), its Playwright test and the Node tests.
import { buildSheet } from '../../physics/lattice.ts';
import { makeRng } from '../../md/random.ts';
import type { EvalResult, System } from '../types.ts';

export const ACCEPTANCE = { energyRel: 1e-5, forceRmsRel: 1e-4, virialRel: 1e-4 } as const;

export interface CheckCase { label: string; system: System }

export interface Comparison {
  label: string;
  energyGpu: number;
  energyRef: number;
  energyRel: number;
  /** RMS of the force error over the RMS of the reference forces. */
  forceRmsRel: number;
  forceRms: number;
  forceMaxAbs: number;
  /** Largest virial component error over the largest reference component. */
  virialRel: number;
  pass: boolean;
  warnings: string[];
}

export function compareResults(label: string, gpu: EvalResult, ref: EvalResult): Comparison {
  let e2 = 0, f2 = 0, fmax = 0;
  for (let q = 0; q < ref.force.length; q++) {
    const d = gpu.force[q] - ref.force[q];
    e2 += d * d;
    f2 += ref.force[q] ** 2;
    fmax = Math.max(fmax, Math.abs(d));
  }
  let vmax = 0, vref = 0;
  for (let q = 0; q < 9; q++) { vmax = Math.max(vmax, Math.abs(gpu.virial[q] - ref.virial[q])); vref = Math.max(vref, Math.abs(ref.virial[q])); }
  const energyRel = Math.abs(gpu.energy - ref.energy) / Math.max(Math.abs(ref.energy), 1e-12);
  const forceRmsRel = Math.sqrt(e2 / Math.max(f2, 1e-300));
  const virialRel = vmax / Math.max(vref, 1e-12);
  const pass = energyRel <= ACCEPTANCE.energyRel && forceRmsRel <= ACCEPTANCE.forceRmsRel && virialRel <= ACCEPTANCE.virialRel;
  return {
    label, energyGpu: gpu.energy, energyRef: ref.energy, energyRel, forceRmsRel, forceRms: Math.sqrt(f2 / ref.force.length), forceMaxAbs: fmax, virialRel, pass,
    warnings: gpu.warnings,
  };
}

/** Compressed against uncompressed (both GPU): force difference RMS and max (eV/Å). */
export function forceDifference(a: EvalResult, b: EvalResult): { rms: number; max: number } {
  let s = 0, m = 0;
  for (let q = 0; q < a.force.length; q++) { const d = a.force[q] - b.force[q]; s += d * d; m = Math.max(m, Math.abs(d)); }
  return { rms: Math.sqrt(s / a.force.length), max: m };
}

function copySystem(s: System, species = s.species): System {
  return { ...s, coord: Float64Array.from(s.coord), atype: Int32Array.from(s.atype), species: [...species], cell: s.cell ? Float64Array.from(s.cell) : null };
}

/**
 * MoS2 configurations: pristine, thermally disordered (Gaussian displacements of `sigma` Å), an S atom pushed
 * towards its Mo neighbour to each distance in `pairDistances` (inside and around the 1.0-1.2 Å switch window), and
 * an Ar atom 0.5 Å from a top S atom.
 */
export function mos2CheckCases(o: { nx?: number; ny?: number; sigma?: number; pairDistances?: number[]; seed?: number } = {}): CheckCase[] {
  const sheet = buildSheet({ nx: o.nx ?? 4, ny: o.ny ?? 3, lz: 40 });
  const rng = makeRng(o.seed ?? 7);
  const sigma = o.sigma ?? 0.08;
  const pristine = sheet.system;
  const thermal = copySystem(pristine);
  for (let q = 0; q < thermal.coord.length; q++) thermal.coord[q] += sigma * rng.normal();
  const cases: CheckCase[] = [{ label: 'pristine', system: pristine }, { label: `thermal (sigma ${sigma} Å)`, system: thermal }];
  // The first Mo and its nearest S: slide the S along the bond.
  const n = pristine.atype.length;
  const mo = 0;
  let s = -1, best = Infinity;
  for (let i = 0; i < n; i++) {
    if (pristine.atype[i] !== 1) continue;
    const d = Math.hypot(...[0, 1, 2].map((k) => thermal.coord[3 * i + k] - thermal.coord[3 * mo + k]));
    if (d < best) { best = d; s = i; }
  }
  for (const r of o.pairDistances ?? [0.8, 1.0, 1.1, 1.2, 1.5]) {
    const sys = copySystem(thermal);
    const v = [0, 1, 2].map((k) => sys.coord[3 * s + k] - sys.coord[3 * mo + k]);
    const len = Math.hypot(...v);
    for (let k = 0; k < 3; k++) sys.coord[3 * s + k] = sys.coord[3 * mo + k] + (v[k] * r) / len;
    cases.push({ label: `Mo-S pair at ${r} Å`, system: sys });
  }
  // Ar 0.5 Å above the highest top-layer S.
  let top = -1;
  for (let i = 0; i < n; i++) if (pristine.atype[i] === 1 && (top < 0 || thermal.coord[3 * i + 2] > thermal.coord[3 * top + 2])) top = i;
  const ion = copySystem(thermal, ['Mo', 'S', 'Ar']);
  ion.coord = Float64Array.from([...ion.coord, ion.coord[3 * top], ion.coord[3 * top + 1], ion.coord[3 * top + 2] + 0.5]);
  ion.atype = Int32Array.from([...ion.atype, 2]);
  cases.push({ label: 'Ar 0.5 Å from an S atom', system: ion });
  return cases;
}
