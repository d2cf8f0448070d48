// `npm run bench`: performance figures recorded in BENCHMARKS.md: model loading time of a DP-Tab model of
// the paper's size (se_e2_a, embedding 25-50-100, axis 16, fitting 240x3, Mo/S, ZBL pair table), per format, and
// the atom-steps per second of the float64 CPU reference and of the WebGPU engine (uncompressed, compressed) on MoS2
// sheets of about 100-6400 atoms, with the adapter's dense matmul rate. The last line is one JSON object.
import { cpus } from 'node:os';
import { loadModelFile } from '../src/model/load.ts';
import { dpFlopsPerAtom, PAPER_SIZE, syntheticMoS2DpTab } from '../src/model/synthetic.ts';
import { modelToJson, modelToYaml } from '../src/model/v3/write.ts';
import { evaluateDp } from '../src/potential/cpu/dp.ts';
import type { System } from '../src/potential/types.ts';
import { nodeGpuContext } from '../src/potential/webgpu/nodeGpu.ts';
import { WebGpuDpPotential } from '../src/potential/webgpu/engine.ts';
import { measureMatmulRate } from '../src/potential/webgpu/matmulRate.ts';
import { forceDifference } from '../src/potential/webgpu/selfCheck.ts';
import { benchSheet } from './sheet.ts';

async function timeLoad(bytes: Uint8Array, name: string, reps = 3): Promise<number> {
  let best = Infinity;
  for (let k = 0; k < reps; k++) {
    const t0 = performance.now();
    await loadModelFile(bytes, name);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const m = syntheticMoS2DpTab(PAPER_SIZE);
const enc = new TextEncoder();
const json = enc.encode(modelToJson(m));
const yaml = enc.encode(modelToYaml(m));
const results: Record<string, unknown> = { machine: `${cpus()[0]?.model ?? 'cpu'} x${cpus().length}`, node: process.version };
const load: Record<string, { MB: number; ms: number }> = {};
for (const [name, bytes] of [['model.json', json], ['model.yaml', yaml]] as const) {
  const ms = await timeLoad(bytes, name);
  load[name.split('.')[1]] = { MB: +(bytes.length / 2 ** 20).toFixed(2), ms: +ms.toFixed(1) };
  console.log(`load ${name}: ${(bytes.length / 2 ** 20).toFixed(2)} MB in ${ms.toFixed(1)} ms`);
}
results.load = load;
// DP step: CPU reference and WebGPU engine (uncompressed, compressed) on sheets of about 100-6400 atoms, and the
// adapter's dense matmul rate measured in the same run with the engine's GEMM kernel.
// BENCH_SIZES="4x4,8x8" picks sheets (nx x ny orthogonal cells of 6 atoms); CPU-fallback adapters are slow.
const SIZES = (process.env.BENCH_SIZES ?? '4x4,8x8,16x17,33x32').split(',').map((w) => w.split('x').map(Number) as [number, number]);
const cpuMaxAtoms = Number(process.env.BENCH_CPU_MAX_ATOMS ?? 7000);
const cpu: Record<string, number> = {};
const gpuPlain: Record<string, number> = {};
const gpuPacked: Record<string, number> = {};
const flops = dpFlopsPerAtom(m);
const flopsPacked = dpFlopsPerAtom(m, true);
const ctx = await nodeGpuContext();
const mm = await measureMatmulRate(ctx, ctx.isFallback ? 1024 : 4096);
console.log(`adapter: ${ctx.adapterName}${ctx.isFallback ? ' (CPU fallback)' : ''}; dense f32 matmul ${mm.size}^3: ${mm.ms.toFixed(1)} ms = ${mm.gflops.toFixed(2)} GFLOP/s`);
console.log(`DP FLOPs per atom-step: ${(flops.total / 1e6).toFixed(2)} M uncompressed (embedding ${(flops.embedding / 1e6).toFixed(2)} M, fitting ${(flops.fitting / 1e6).toFixed(2)} M), ${(flopsPacked.total / 1e6).toFixed(2)} M compressed`);
const plain = await WebGpuDpPotential.create(ctx, m, { compress: false });
const packed = await WebGpuDpPotential.create(ctx, m, { compress: true });
console.log(`compression: ${packed.compression!.intervals.length} tables x ${packed.compression!.intervals[0]} intervals, ${(packed.compression!.bytes / 2 ** 20).toFixed(1)} MiB, max error G ${packed.compression!.maxErrorG.toExponential(2)}, dG/ds ${packed.compression!.maxErrorDG.toExponential(2)}`);
// BENCH_PROFILE=1: one more step per variant with every kernel submitted on its own and timed (where the time goes);
// BENCH_PROFILE=compressed or uncompressed profiles that variant only.
const profileStep = async (sys: System, n: number) => {
  const which = process.env.BENCH_PROFILE;
  for (const compress of which === 'compressed' ? [true] : which === 'uncompressed' ? [false] : [false, true]) {
    const prof = new Map<string, number>();
    const p = await WebGpuDpPotential.create(ctx, m, { compress, profile: prof });
    await p.compute(sys);
    prof.clear();
    await p.compute(sys);
    p.dispose();
    const total = [...prof.values()].reduce((x, y) => x + y, 0);
    const parts = [...prof.entries()].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v.toFixed(0)} ms (${((100 * v) / total).toFixed(0)}%)`);
    console.log(`profile ${n} atoms, ${compress ? 'compressed' : 'uncompressed'}: ${total.toFixed(0)} ms (${((1000 * total) / n).toFixed(0)} µs per atom-step) = ${parts.join(', ')}`);
  }
};
const rows: { atoms: number; cpu?: number; plain: number; packed: number; fraction: number; speedup: number; usPerAtom: number; usPerAtomPacked: number; dF: { rms: number; max: number } }[] = [];
for (const [nx, ny] of SIZES) {
  const { sys, n, timeSteps } = benchSheet(nx, ny);
  let cpuMs: number | undefined;
  if (n <= cpuMaxAtoms) {
    const t0 = performance.now();
    evaluateDp(m, { ...sys, atype: sys.atype });
    cpuMs = performance.now() - t0;
    cpu[String(n)] = +((n * 1000) / cpuMs).toFixed(1);
  }
  const reps = ctx.isFallback ? 1 : 20;
  const a = await timeSteps(plain, reps);
  const b = await timeSteps(packed, reps);
  const dF = forceDifference(await packed.compute(sys), await plain.compute(sys));
  gpuPlain[String(n)] = +((n * 1000) / a).toFixed(1);
  gpuPacked[String(n)] = +((n * 1000) / b).toFixed(1);
  const fraction = (n * flops.total) / (a * 1e6) / mm.gflops;
  rows.push({ atoms: n, cpu: cpuMs, plain: a, packed: b, fraction, speedup: a / b, usPerAtom: (a * 1000) / n, usPerAtomPacked: (b * 1000) / n, dF });
  if (process.env.BENCH_PROFILE) await profileStep(sys, n);
  console.log(`${n} atoms: cpu ${cpuMs ? `${cpuMs.toFixed(0)} ms` : '-'}; gpu ${a.toFixed(1)} ms (${((a * 1000) / n).toFixed(2)} µs/atom, ${((n * flops.total) / (a * 1e6)).toFixed(2)} GFLOP/s = ${(100 * fraction).toFixed(1)}% of matmul); compressed ${b.toFixed(1)} ms (${((b * 1000) / n).toFixed(2)} µs/atom, ${(a / b).toFixed(2)}x); compressed-uncompressed forces rms ${dF.rms.toExponential(2)} max ${dF.max.toExponential(2)} eV/Å`);
}
plain.dispose();
packed.dispose();
results.cpu_atom_steps_per_s = cpu;
results.gpu = {
  adapter: ctx.adapterName, fallback: ctx.isFallback, matmul_gflops: +mm.gflops.toFixed(2), matmul_size: mm.size,
  flops_per_atom_step: flops.total, flops_per_atom_step_compressed: flopsPacked.total,
  atom_steps_per_s: gpuPlain, atom_steps_per_s_compressed: gpuPacked,
  largest: (() => { const r = rows.at(-1)!; return { atoms: r.atoms, matmul_fraction: +r.fraction.toFixed(3), compression_speedup: +r.speedup.toFixed(2), us_per_step_per_atom: +r.usPerAtom.toFixed(3), us_per_step_per_atom_compressed: +r.usPerAtomPacked.toFixed(3), compressed_force_diff_rms: r.dF.rms, compressed_force_diff_max: r.dF.max }; })(),
};
console.log(JSON.stringify(results));
process.exit(0);
