// Messages between the UI thread and the simulation worker. The worker owns the heavy state (the parsed
// DpModel, later the potential engines and the MD system); the UI sends it settings and gets back small,
// display-ready results and frames. Everything here is structured-clone friendly.
import type { ModelSummary } from '../model/summary';

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
}

export type ToWorker =
  | { type: 'loadModel'; id: number; fileName: string; bytes: ArrayBuffer };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'modelLoaded'; id: number; model: LoadedModelInfo }
  | { type: 'modelError'; id: number; error: { name: string; message: string } };
