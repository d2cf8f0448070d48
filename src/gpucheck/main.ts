// The GPU engine self-check page (gpu-check.html): the WebGPU engine against the float64 reference in this browser.
// A button runs the built-in MoS2 cases; `window.dptabGpuCheck` lets tests run any model and configuration.
import { createGpuContext, type GpuContext } from '../potential/webgpu/device.ts';
import { WebGpuDpPotential } from '../potential/webgpu/engine.ts';
import { DpCpuPotential } from '../potential/cpu/dpPotential.ts';
import { compareResults, forceDifference, mos2CheckCases, type Comparison } from '../potential/webgpu/selfCheck.ts';
import { loadModelFile } from '../model/load.ts';
import { PAPER_SIZE, SMALL_SIZE, syntheticMoS2DpTab } from '../model/synthetic.ts';
import type { DpModel } from '../model/types.ts';
import { modelForVector, type VectorSpec } from '../model/vectorModel.ts';
import type { System } from '../potential/types.ts';

export interface CaseReport extends Comparison { compressedForceRms: number; compressedForceMax: number; gpuMs: number }
export interface CheckReport { adapter: string; fallback: boolean; compression: WebGpuDpPotential['compression']; cases: CaseReport[]; compileMs: number }

let ctx: Promise<GpuContext> | null = null;
const gpuContext = () => (ctx ??= createGpuContext(navigator.gpu));

async function check(model: DpModel, cases: { label: string; system: System }[], withCompressed = true): Promise<CheckReport> {
  const c = await gpuContext();
  const t0 = performance.now();
  const plain = await WebGpuDpPotential.create(c, model, { compress: false });
  const packed = withCompressed ? await WebGpuDpPotential.create(c, model, { compress: true }) : null;
  const compileMs = performance.now() - t0;
  const ref = new DpCpuPotential(model);
  const out: CaseReport[] = [];
  try {
    for (const k of cases) {
      const t1 = performance.now();
      const g = await plain.compute(k.system);
      const gpuMs = performance.now() - t1;
      const d = packed ? forceDifference(await packed.compute(k.system), g) : { rms: NaN, max: NaN };
      out.push({ ...compareResults(k.label, g, ref.compute(k.system)), compressedForceRms: d.rms, compressedForceMax: d.max, gpuMs });
    }
  } finally {
    plain.dispose();
    packed?.dispose();
  }
  return { adapter: c.adapterName, fallback: c.isFallback, compression: packed?.compression ?? null, cases: out, compileMs };
}

interface PlainSystem { coord: number[]; atype: number[]; species: string[]; cell: number[] | null; pbc: [boolean, boolean, boolean] }
const toSystem = (s: PlainSystem): System => ({ coord: Float64Array.from(s.coord), atype: Int32Array.from(s.atype), species: s.species, cell: s.cell ? Float64Array.from(s.cell) : null, pbc: s.pbc });

const api = {
  /** The built-in MoS2 cases on the small synthetic DP-Tab. */
  mos2: () => check(syntheticMoS2DpTab(SMALL_SIZE), mos2CheckCases()),
  /** The paper's architecture (embedding 25-50-100, axis 16, fitting 240x3; several row chunks per type block). */
  paperSize: () => check(syntheticMoS2DpTab(PAPER_SIZE), mos2CheckCases({ nx: 2, ny: 2 }).filter((c) => /thermal|Ar/.test(c.label))),
  /** DeePMD-kit test vectors (model files given as bytes by name), uncompressed; vectors of one model share a run. */
  vectors: async (vs: (VectorSpec & { file: string; coord: number[]; atype: number[]; box: number[] | null })[], files: Record<string, number[]>) => {
    const groups = new Map<string, typeof vs>();
    for (const v of vs) {
      const key = JSON.stringify([v.model_file, v.srtab ?? null, v.tab_info ?? null, v.sel ?? null, v.rcut ?? null]);
      groups.set(key, [...(groups.get(key) ?? []), v]);
    }
    const reports: CheckReport[] = [];
    for (const g of groups.values()) {
      const model = await modelForVector(g[0], (f) => loadModelFile(Uint8Array.from(files[f]), f));
      const cases = g.map((v) => ({ label: v.file, system: toSystem({ coord: v.coord, atype: v.atype, species: model.typeMap, cell: v.box, pbc: [true, true, true] }) }));
      reports.push(await check(model, cases, false));
    }
    return reports;
  },
};
declare global { interface Window { dptabGpuCheck: typeof api } }
window.dptabGpuCheck = api;

const out = document.getElementById('out')!;
document.getElementById('run')!.addEventListener('click', async () => {
  out.textContent = 'compiling the kernels and running...';
  try {
    const r = await api.mos2();
    const row = (c: CaseReport) => `${c.pass ? 'PASS' : 'FAIL'}  ${c.label.padEnd(26)} E rel ${c.energyRel.toExponential(1)}  F rms rel ${c.forceRmsRel.toExponential(1)}  W rel ${c.virialRel.toExponential(1)}  compressed dF rms ${c.compressedForceRms.toExponential(1)} eV/Å  ${c.gpuMs.toFixed(0)} ms`;
    out.textContent = [`adapter: ${r.adapter}${r.fallback ? ' (CPU fallback)' : ''}; kernels compiled in ${(r.compileMs / 1000).toFixed(1)} s`, ...r.cases.map(row)].join('\n');
  } catch (e) {
    out.textContent = `The self-check could not run: ${(e as Error).message}`;
  }
});
