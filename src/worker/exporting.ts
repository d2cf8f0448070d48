// Turns a stored trajectory into the files the user downloads (runs in the worker; the serialisers are
// src/export's).
import type { ExportFormat } from './protocol.ts';
import { readRun } from './trajectoryStore.ts';
import { decodeTrajectory } from '../export/trajectory.ts';

export interface ExportResult {
  files: { fileName: string; mime: string; bytes: ArrayBuffer }[];
}

export async function exportRun(runId: string, format: ExportFormat): Promise<ExportResult> {
  const t = decodeTrajectory(await readRun(runId));
  throw new Error(`Export as ${format} is not available yet (${t.frames.length} frames stored).`);
}
