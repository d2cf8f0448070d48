// Reading a model file into a DpModel plus its display summary (runs in the simulation worker; also usable from
// Node or tests). No DOM, no React.
import { loadModelFile } from '../model/load';
import { formatSummary, summarizeModel } from '../model/summary';
import type { DpModel } from '../model/types';
import type { LoadedModelInfo } from './protocol';
import { gpuMaxAtoms } from '../potential/webgpu/engine';
import { CPU_DP_MAX_ATOMS, GPU_DP_MAX_ATOMS } from './settings';

/** How large a sheet this model can run here, and on which engine (asks for the WebGPU adapter's limits). */
async function atomLimit(model: DpModel): Promise<{ maxAtoms: number; engine: 'webgpu' | 'cpu' }> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  const adapter = gpu ? await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null) : null;
  if (!adapter) return { maxAtoms: CPU_DP_MAX_ATOMS, engine: 'cpu' };
  return { maxAtoms: Math.min(gpuMaxAtoms(model, adapter.limits), GPU_DP_MAX_ATOMS), engine: 'webgpu' };
}

/** A parsed model and what the UI shows of it. */
export interface ParsedModel {
  model: DpModel;
  info: LoadedModelInfo;
}

export async function parseModel(bytes: Uint8Array, fileName: string): Promise<ParsedModel> {
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
      ...(await atomLimit(model)),
    },
  };
}

export function errorPayload(e: unknown): { name: string; message: string } {
  if (e instanceof Error) return { name: e.name || 'Error', message: e.message || String(e) };
  return { name: 'Error', message: String(e) };
}
