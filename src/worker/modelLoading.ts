// Reading a model file into a DpModel plus its display summary (runs in the simulation worker; also usable from
// Node or tests). No DOM, no React.
import { loadModelFile } from '../model/load';
import { formatSummary, summarizeModel } from '../model/summary';
import type { DpModel } from '../model/types';
import type { LoadedModelInfo } from './protocol';

export async function parseModel(bytes: Uint8Array, fileName: string): Promise<{ model: DpModel; info: LoadedModelInfo }> {
  const t0 = performance.now();
  const model = await loadModelFile(bytes, fileName);
  const summary = summarizeModel(model);
  const rows = formatSummary(summary);
  return {
    model,
    info: {
      fileName,
      byteLength: bytes.byteLength,
      typeMap: [...model.typeMap],
      rcut: model.descriptor.rcut,
      rows,
      summary,
      parseMs: performance.now() - t0,
    },
  };
}

export function errorPayload(e: unknown): { name: string; message: string } {
  if (e instanceof Error) return { name: e.name || 'Error', message: e.message || String(e) };
  return { name: 'Error', message: String(e) };
}
