// Reading a model file into a DpModel plus its display summary (runs in the simulation worker; also usable from
// Node or tests). No DOM, no React.
import { loadModelFile } from '../model/load';
import type { DpModel } from '../model/types';
import type { LoadedModelInfo, SummaryRow } from './protocol';

export async function parseModel(bytes: Uint8Array, fileName: string): Promise<{ model: DpModel; info: LoadedModelInfo }> {
  const t0 = performance.now();
  const model = await loadModelFile(bytes, fileName);
  const rows = basicRows(model);
  return {
    model,
    info: {
      fileName,
      byteLength: bytes.byteLength,
      typeMap: [...model.typeMap],
      rcut: model.descriptor.rcut,
      rows,
      summary: null,
      parseMs: performance.now() - t0,
    },
  };
}

// Interim rows until model/summary.ts (summarizeModel + formatSummary) lands; then this goes.
function basicRows(m: DpModel): SummaryRow[] {
  const d = m.descriptor;
  return [
    { label: 'Type map', value: m.typeMap.join(', ') },
    { label: 'Descriptor', value: d.type },
    { label: 'rcut', value: `${d.rcut} Å` },
    { label: 'rcut_smth', value: `${d.rcutSmth} Å` },
    { label: 'sel', value: d.sel.join(', ') },
    { label: 'Pair table', value: m.pairTable ? 'yes' : 'no' },
    { label: 'Format', value: `${m.source.format}, ${m.source.family}` },
  ];
}

export function errorPayload(e: unknown): { name: string; message: string } {
  if (e instanceof Error) return { name: e.name || 'Error', message: e.message || String(e) };
  return { name: 'Error', message: String(e) };
}
