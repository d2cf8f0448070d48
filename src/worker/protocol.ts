// Messages between the UI thread and the simulation worker. The worker owns the heavy state (the parsed
// DpModel, the potential, the MD state, the trajectory file); the UI sends it settings and commands and gets back
// small, display-ready results and frames. Everything here is structured-clone friendly; frame arrays are
// transferred, not copied.
import type { ModelSummary } from '../model/summary';
import type { DtReset } from '../md/integrator';
import type { DpChoice, SimSettings } from './settings';

export interface SummaryRow {
  label: string;
  value: string;
}

/** What the UI needs to know about the model the worker now holds. */
export interface LoadedModelInfo {
  fileName: string;
  byteLength: number;
  /** Element symbols of the model's types, in type order. */
  typeMap: string[];
  /** Descriptor cut-off (Å). */
  rcut: number;
  /** Display rows from model/summary.ts formatSummary(). */
  rows: SummaryRow[];
  /** The plain summary object from model/summary.ts summarizeModel(). */
  summary: ModelSummary;
  /** Milliseconds spent parsing in the worker. */
  parseMs: number;
  /** Largest sheet this model can run here: from the WebGPU adapter's buffer limits, or the CPU engine's limit. */
  maxAtoms: number;
  /** Which engine runs it: the WebGPU engine where an adapter exists, else the float64 CPU reference. */
  engine: 'webgpu' | 'cpu';
}

/** The system of a prepared run (atom order fixed for the whole run; the projectile is atom `projectile`). */
export interface RunInfo {
  runId: string;
  potential: string;
  cutoff: number;
  natoms: number;
  species: string[];
  atype: Int32Array;
  /** SITE_* of physics/lattice.ts per atom (SITE_ION for the ion). */
  site: Int8Array;
  mass: Float64Array;
  /** Nine numbers, rows a, b, c (Å). */
  cell: number[];
  pbc: [boolean, boolean, boolean];
  /** Pristine sheet positions (the first reference.length / 3 atoms). */
  reference: Float64Array;
  zMid: number;
  a: number;
  t: number;
  projectile: number;
  /** Where the projectile's path crosses the Mo plane (ion) or the PKA's site (Å). */
  impact: [number, number];
  /** 1 for atoms in the thermostatted border strip; null = pure NVE. */
  thermostatMask: Uint8Array | null;
  dtReset: DtReset;
  settings: SimSettings;
  projectileInfo: Record<string, unknown>;
}

/** Time series since the previous frame message (one point per frame of `stepsPerFrame` steps). */
export interface SeriesChunk {
  step: number[];
  time: number[];
  dt: number[];
  ke: number[];
  pe: number[];
  total: number[];
  temperature: number[];
}

export interface DamageCounts {
  step: number;
  time: number;
  sputtered: { total: number; topS: number; bottomS: number; Mo: number; ion: number };
  sputteredAtoms: number[];
  vacancies: { total: number; Mo: number; S: number };
  /** Reference-site indices of the vacancies. */
  vacancySites: number[];
  interstitials: number;
  displaced: number;
  pores: { area: number; diameter: number; center: [number, number] }[];
  /** Total pore area (Å²) and the largest pore's effective diameter (Å). */
  poreArea: number;
  poreDiameter: number;
  complexes: Record<string, number>;
  ionFate: string;
}

export interface FrameData {
  runId: string;
  step: number;
  /** ps */
  time: number;
  dt: number;
  ke: number;
  pe: number;
  /** KE + PE + energy taken out by the thermostat (conserved). */
  total: number;
  drift: number;
  maxAbsDrift: number;
  /** Sheet temperature (K). */
  temperature: number;
  /** natoms*3 positions (Å), float32. */
  coord: Float32Array;
  /** Per-atom kinetic energy (eV). */
  kinetic: Float32Array;
  series: SeriesChunk;
  /** Latest damage analysis, when one ran for this frame. */
  damage: DamageCounts | null;
  /** Fraction of the time limit done. */
  progress: number;
  /** Frames stored in the run's trajectory so far. */
  recorded: number;
  /** Wall time per MD step in the worker (ms, smoothed); 0 before the first timed chunk. */
  msPerStep: number;
}

export type RunStatus = 'idle' | 'preparing' | 'running' | 'paused' | 'ended' | 'error';

/** A trajectory kept in browser storage (survives reloads and crashes). */
export interface SavedRun {
  runId: string;
  createdAt: string;
  /** e.g. "S 500 eV, normal incidence, 8 x 5 cells (240 atoms)". */
  title: string;
  natoms: number;
  frames: number;
  /** Simulated time of the last stored frame (ps). */
  time: number;
  bytes: number;
  /** False while it is being written (or when the writer was interrupted by a reload or a crash). */
  complete: boolean;
}

export type ExportFormat = 'extxyz' | 'extxyz-frame' | 'lammps-dump' | 'lammps-deck' | 'csv';

export type ToWorker =
  /** Parses a model file into the slot of a DP choice (the built-in model or the user's file); replies with its info. */
  | { type: 'loadModel'; id: number; slot: DpChoice; fileName: string; bytes: ArrayBuffer }
  /** Builds the run (relaxes the lattice for the potential on first use); replies with its RunInfo. */
  | { type: 'prepare'; id: number; settings: SimSettings }
  | { type: 'run' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'reset' }
  /** Display frames at most this often (ms); the trajectory keeps every frame regardless. */
  | { type: 'frameInterval'; ms: number }
  | { type: 'listRuns'; id: number }
  | { type: 'exportRun'; id: number; runId: string; format: ExportFormat }
  | { type: 'deleteRun'; id: number; runId: string };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'reply'; id: number; value: unknown }
  | { type: 'replyError'; id: number; error: { name: string; message: string } }
  | { type: 'frame'; frame: FrameData }
  | { type: 'status'; runId: string; status: RunStatus; message?: string };
