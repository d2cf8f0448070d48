// The model a DeePMD-kit test vector (../shared/deepmd/vectors) describes: a model file, plus inline srtab parameters
// or an inline pair table. Shared by the float64 reference tests and the GPU self-check page.
import type { DpModel } from './types.ts';

export interface VectorSpec {
  model_file: string | null;
  sel?: number[];
  rcut?: number;
  tab_info?: number[];
  tab_data?: number[];
  srtab?: { tab_info: number[]; tab_data: number[]; smin_alpha: number; sw_rmin: number; sw_rmax: number; srtab_add_bias: boolean };
  [k: string]: unknown;
}

const f32 = Math.fround;

export async function modelForVector(v: VectorSpec, load: (file: string) => Promise<DpModel>): Promise<DpModel> {
  if (v.model_file === null) {
    // Pair-table kernel vector: lambda = 1 everywhere (switch window far above any soft-min distance), so the
    // atom energy is exactly the table's; the DP part is multiplied by zero.
    const base = await load('models/deeppot.pbtxt');
    const sel = v.sel!;
    const nnei = sel.reduce((a, b) => a + b, 0);
    const info = v.tab_info!;
    return {
      ...base,
      descriptor: { ...base.descriptor, rcut: v.rcut!, sel, davg: new Float64Array(2 * nnei * 4), dstd: new Float64Array(2 * nnei * 4).fill(1), normN: nnei },
      pairTable: { rmin: info[0], h: info[1], nspline: Math.round(info[2]), ntypes: Math.round(info[3]), data: Float64Array.from(v.tab_data!), rule: 'tf', rcut: v.rcut! },
      blend: { kind: 'srtab', alpha: 1, swRmin: 1e6, swRmax: 2e6, swWidth: 1e6, tabBias: new Float64Array(2), outBias: new Float64Array(2) },
    };
  }
  const m = await load(v.model_file);
  const s = v.srtab;
  if (!s) return m;
  const nt = m.typeMap.length;
  return {
    ...m,
    pairTable: { rmin: s.tab_info[0], h: s.tab_info[1], nspline: Math.round(s.tab_info[2]), ntypes: nt, data: Float64Array.from(s.tab_data), rule: 'tf', rcut: m.descriptor.rcut },
    blend: {
      kind: 'srtab', alpha: f32(s.smin_alpha), swRmin: f32(s.sw_rmin), swRmax: f32(s.sw_rmax), swWidth: f32(f32(s.sw_rmax) - f32(s.sw_rmin)),
      tabBias: s.srtab_add_bias ? m.fitting.biasAtomE.slice() : new Float64Array(nt), outBias: new Float64Array(nt),
    },
  };
}
