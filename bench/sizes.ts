// `npx tsx bench/sizes.ts`: the cost side of the model-size study of issue 7 (accuracy against cost). For each
// candidate DP-Tab architecture (cut-off, embedding, axis, fitting) the app's own engine is timed on one MoS2 sheet:
// the WebGPU step compressed (the app's default path) and uncompressed, and the float64 CPU reference, with the
// FLOPs per atom-step from the layer sizes. Weights are random (cost does not depend on them); the accuracy side
// comes from training the same architectures (training/README.md). BENCH_SHEET=8x8 picks the sheet. The last line
// is one JSON object.
import { cpus } from 'node:os';
import { dpFlopsPerAtom, syntheticMoS2DpTab, type SyntheticOptions } from '../src/model/synthetic.ts';
import { evaluateDp } from '../src/potential/cpu/dp.ts';
import { nodeGpuContext } from '../src/potential/webgpu/nodeGpu.ts';
import { WebGpuDpPotential } from '../src/potential/webgpu/engine.ts';
import { benchSheet } from './sheet.ts';

interface Candidate { name: string; o: SyntheticOptions }
// sel scales with the cut-off sphere's area in the sheet (~r^2): 40/80 at 6 Å as in training/train.py's default.
const cand = (rcut: number, embedding: number[], axis: number, fitting: number[]): Candidate => {
  const f = (rcut / 6) ** 2;
  const sel: [number, number] = [Math.ceil((40 * f) / 4) * 4, Math.ceil((80 * f) / 4) * 4];
  return { name: `rcut ${rcut}, emb ${embedding.join('-')}, axis ${axis}, fit ${fitting[0]}x${fitting.length}`, o: { embedding, axis, fitting, sel, rcut, seed: 1, outScale: 0.3 } };
};
const CANDIDATES: Candidate[] = [
  cand(6, [16, 32, 64], 8, [128, 128, 128]),
  cand(6, [25, 50, 100], 16, [240, 240, 240]),
  cand(5, [16, 32, 64], 8, [128, 128, 128]),
  cand(5, [25, 50, 100], 16, [240, 240, 240]),
  cand(6, [16, 32, 64], 8, [240, 240, 240]),
  cand(6, [25, 50, 100], 16, [128, 128, 128]),
];

const [nx, ny] = (process.env.BENCH_SHEET ?? '8x8').split('x').map(Number);
const ctx = await nodeGpuContext();
console.log(`adapter: ${ctx.adapterName}${ctx.isFallback ? ' (CPU fallback)' : ''}; sheet ${nx}x${ny}`);
const rows: Record<string, unknown>[] = [];
for (const c of CANDIDATES) {
  const m = syntheticMoS2DpTab(c.o);
  const { sys, n, timeSteps } = benchSheet(nx, ny);
  const t0 = performance.now();
  evaluateDp(m, sys);
  const cpuMs = performance.now() - t0;
  const gpu: Record<string, number> = {};
  for (const compress of [true, false]) {
    const p = await WebGpuDpPotential.create(ctx, m, { compress });
    gpu[compress ? 'compressed' : 'uncompressed'] = await timeSteps(p, ctx.isFallback ? 2 : 20);
    p.dispose();
  }
  const fl = dpFlopsPerAtom(m);
  const row = {
    name: c.name, sel: c.o.sel, atoms: n, mflops_per_atom_step: +(fl.total / 1e6).toFixed(2),
    us_per_atom_step_compressed: +((1000 * gpu.compressed) / n).toFixed(1), us_per_atom_step_uncompressed: +((1000 * gpu.uncompressed) / n).toFixed(1),
    us_per_atom_step_cpu: +((1000 * cpuMs) / n).toFixed(1),
  };
  rows.push(row);
  console.log(`${c.name} (sel ${c.o.sel.join('/')}): ${row.mflops_per_atom_step} MFLOP/atom-step; GPU compressed ${row.us_per_atom_step_compressed} µs/atom-step, uncompressed ${row.us_per_atom_step_uncompressed}; CPU f64 ${row.us_per_atom_step_cpu}`);
}
console.log(JSON.stringify({ machine: `${cpus()[0]?.model ?? 'cpu'} x${cpus().length}`, adapter: ctx.adapterName, fallback: ctx.isFallback, sheet: `${nx}x${ny}`, candidates: rows }));
process.exit(0);
