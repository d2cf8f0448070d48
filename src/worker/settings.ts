// What the user sets up for a run, and the rules that refuse bad values at the control (no DOM, no React: the UI
// validates each field as it is typed, the worker validates the whole again before it builds anything).
import { hasElement } from '../physics/elements.ts';

/**
 * Which potential runs the MD: the project's own DP-Tab MoS2 model (models/mos2-dptab.json, bundled with the app and
 * the default), the classical baselines, or 'loaded', the model file the user chose. The two DP choices name the
 * model slots the simulation worker holds (both can be held at once).
 */
export type ModelChoice = 'dptab-builtin' | 'sw-wen2017' | 'sw-jiang2015' | 'loaded';
export type DpChoice = Extract<ModelChoice, 'dptab-builtin' | 'loaded'>;

export const isDpChoice = (m: ModelChoice): m is DpChoice => m === 'dptab-builtin' || m === 'loaded';

export const MODEL_CHOICES: { id: ModelChoice; label: string }[] = [
  { id: 'dptab-builtin', label: 'DP-Tab MoS2 (built-in, project-trained)' },
  { id: 'sw-wen2017', label: 'Classical baseline: Stillinger-Weber (Wen 2017) + ZBL' },
  { id: 'sw-jiang2015', label: 'Classical: Stillinger-Weber (Jiang 2015) + ZBL' },
  { id: 'loaded', label: 'Loaded DP model file' },
];

/** What the settings check needs to know of the DP model behind a DP choice (LoadedModelInfo satisfies it). */
export interface DpModelFacts {
  typeMap: string[];
  /** Largest sheet it runs here (see maxAtomsFor). */
  maxAtoms?: number;
}

export type PkaSite = 'Mo' | 'S-top' | 'S-bottom';

export interface SampleSettings {
  /** Orthogonal a x sqrt(3)a cells along x and y (6 atoms each). */
  nx: number;
  ny: number;
  /** Initial temperature of the sheet and of the border thermostat (K). */
  temperature: number;
  /** Border thermostat strip width (Å); 0 = pure NVE. */
  border: number;
}

export interface ProjectileSettings {
  mode: 'ion' | 'pka';
  /** Ion species (element symbol). */
  species: string;
  /** PKA: which lattice site gets the recoil (the one nearest the impact point, or the cell centre). */
  pkaSite: PkaSite;
  /** eV. */
  energy: number;
  /** Degrees from the sheet normal (0 = straight down). */
  polar: number;
  /** Degrees from +x. */
  azimuth: number;
  /** Where the path crosses the Mo plane (Å, cell coordinates); null = random (seeded). */
  impact: [number, number] | null;
  /** Start height above the top S plane (Å). */
  height: number;
}

export interface RunSettings {
  /** Simulated-time limit (ps). */
  timeLimit: number;
  /** MD steps between frames (display and trajectory). */
  stepsPerFrame: number;
  seed: number;
}

export interface SimSettings {
  model: ModelChoice;
  /** DP models on the WebGPU engine: tabulated embedding nets (as `dp compress`) when the table's error is within
   * its bound; off evaluates the nets themselves (slower, for checking). */
  compress: boolean;
  sample: SampleSettings;
  projectile: ProjectileSettings;
  run: RunSettings;
}

export const DEFAULT_SETTINGS: SimSettings = {
  model: 'dptab-builtin',
  compress: true,
  sample: { nx: 8, ny: 5, temperature: 0, border: 3 },
  projectile: { mode: 'ion', species: 'Ar', pkaSite: 'S-top', energy: 500, polar: 0, azimuth: 0, impact: null, height: 10 },
  run: { timeLimit: 0.3, stepsPerFrame: 10, seed: 1 },
};

/** Projectile species offered first (the rest of physics/elements.ts follows). */
export const COMMON_SPECIES = ['S', 'Mo', 'He', 'Ne', 'Ar', 'Kr', 'Xe', 'Ga', 'Au'];

export const ENERGY_MIN = 1; // eV
export const ENERGY_MAX = 1e6; // eV (1 MeV)

/**
 * Largest sheet per engine. The classical potentials and the DP CPU reference run in the worker's JavaScript; the
 * limits keep a frame within a second or so. A DP model on the WebGPU engine reports its own limit from the
 * adapter's buffer sizes (LoadedModelInfo.maxAtoms, at most GPU_DP_MAX_ATOMS).
 */
export const CPU_DP_MAX_ATOMS = 3000;
export const GPU_DP_MAX_ATOMS = 100_000;
export function maxAtomsFor(model: ModelChoice, dpMaxAtoms = CPU_DP_MAX_ATOMS): number {
  return isDpChoice(model) ? dpMaxAtoms : 30000;
}

export const atomsOf = (s: Pick<SampleSettings, 'nx' | 'ny'>): number => 6 * s.nx * s.ny;

/** Cell lengths (Å) of an nx x ny sheet at lattice constant a. */
export const cellLengths = (nx: number, ny: number, a = 3.18): [number, number] => [nx * a, ny * Math.sqrt(3) * a];

type Rule = (v: number) => string | null;

const finite: Rule = (v) => (Number.isFinite(v) ? null : 'Enter a number.');
const all = (...rules: Rule[]): Rule => (v) => {
  for (const r of rules) {
    const e = r(v);
    if (e) return e;
  }
  return null;
};
const integer: Rule = (v) => (Number.isInteger(v) ? null : 'Use a whole number.');
const range = (lo: number, hi: number, what: string, unit = ''): Rule => (v) =>
  v < lo || v > hi ? `${what} must be between ${lo}${unit} and ${hi}${unit}.` : null;

/** Field rules; each returns the message to show at the control, or null when the value is acceptable. */
export const RULES = {
  cells: all(finite, integer, range(1, 200, 'The cell count')),
  temperature: all(finite, range(0, 3000, 'The temperature', ' K')),
  border: all(finite, range(0, 50, 'The border width', ' Å')),
  energy: all(finite, (v) => (v <= 0 ? 'The energy must be positive.' : null), range(ENERGY_MIN, ENERGY_MAX, 'The energy', ' eV')),
  polarIon: all(finite, (v) => (v < 0 || v >= 89 ? 'The polar angle must be at least 0° and below 89° (0° = normal incidence).' : null)),
  polarPka: all(finite, range(0, 180, 'The polar angle', '°')),
  azimuth: all(finite, (v) => (v < 0 || v >= 360 ? 'The azimuth must be at least 0° and below 360°.' : null)),
  height: all(finite, range(3, 50, 'The start height', ' Å')),
  timeLimit: all(finite, (v) => (v <= 0 ? 'The time limit must be positive.' : null), range(0.001, 100, 'The time limit', ' ps')),
  stepsPerFrame: all(finite, integer, range(1, 1000, 'Steps per frame')),
  seed: all(finite, integer, range(0, 2 ** 31 - 1, 'The seed')),
} satisfies Record<string, Rule>;

/**
 * Whole-settings check: every message, keyed by field ('sample.nx', 'projectile.energy', ...). Empty = valid.
 * `dp`: the model behind the chosen DP choice (null while it is not loaded); ignored for the classical choices.
 */
export function validateSettings(s: SimSettings, dp: DpModelFacts | null): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (key: string, msg: string | null) => { if (msg) out[key] = msg; };
  put('sample.nx', RULES.cells(s.sample.nx));
  put('sample.ny', RULES.cells(s.sample.ny));
  if (!out['sample.nx'] && !out['sample.ny']) put('sample.nx', supercellMessage(s.sample.nx, s.sample.ny, s.model, dp?.maxAtoms));
  put('sample.temperature', RULES.temperature(s.sample.temperature));
  put('sample.border', RULES.border(s.sample.border));
  const [lx, ly] = cellLengths(s.sample.nx, s.sample.ny);
  if (!out['sample.border'] && s.sample.border > 0 && 2 * s.sample.border >= Math.min(lx, ly) - 2) {
    out['sample.border'] = `The border strips (${s.sample.border} Å each side) would cover the whole ${Math.min(lx, ly).toFixed(1)} Å cell; use a narrower border or a larger sheet.`;
  }
  const p = s.projectile;
  if (p.mode === 'ion' && !hasElement(p.species)) out['projectile.species'] = `Unknown element "${p.species}".`;
  put('projectile.energy', RULES.energy(p.energy));
  put('projectile.polar', p.mode === 'ion' ? RULES.polarIon(p.polar) : RULES.polarPka(p.polar));
  put('projectile.azimuth', RULES.azimuth(p.azimuth));
  put('projectile.height', RULES.height(p.height));
  if (p.impact) {
    const [x, y] = p.impact;
    if (!(x >= 0 && x <= lx && y >= 0 && y <= ly)) out['projectile.impact'] = 'The impact point lies outside the cell.';
  }
  put('run.timeLimit', RULES.timeLimit(s.run.timeLimit));
  put('run.stepsPerFrame', RULES.stepsPerFrame(s.run.stepsPerFrame));
  put('run.seed', RULES.seed(s.run.seed));
  if (isDpChoice(s.model)) {
    const msg = dpModelMessage(s.model, dp?.typeMap ?? null);
    if (msg) out.model = msg;
  }
  return out;
}

/** Why the DP model of this choice cannot run the MoS2 sheet (not loaded, or without Mo or S), or null. */
export function dpModelMessage(choice: DpChoice, typeMap: readonly string[] | null): string | null {
  const which = choice === 'loaded' ? 'loaded model' : 'built-in DP-Tab model';
  if (!typeMap) {
    return choice === 'loaded'
      ? 'No model file is loaded; load one or choose a built-in model.'
      : 'The built-in DP-Tab model is not loaded (see the Model panel); choose a classical baseline or load a model file.';
  }
  const missing = ['Mo', 'S'].filter((e) => !typeMap.includes(e));
  return missing.length ? `The ${which} has type_map [${typeMap.join(', ')}], without ${missing.join(' and ')}: it cannot describe the MoS2 sheet.` : null;
}

/** Why an nx x ny sheet is refused for this engine, or null. */
export function supercellMessage(nx: number, ny: number, model: ModelChoice, dpMaxAtoms?: number): string | null {
  const n = atomsOf({ nx, ny });
  const max = maxAtomsFor(model, dpMaxAtoms);
  if (n > max) {
    return `${nx} × ${ny} cells = ${n.toLocaleString('en-US')} atoms, more than this engine handles (${max.toLocaleString('en-US')}).`;
  }
  return null;
}
