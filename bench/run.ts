// `npm run bench`: performance figures recorded in BENCHMARKS.md. For now: model loading time of a DP-Tab model of
// the paper's size (se_e2_a, embedding 25-50-100, axis 16, fitting 240x3, Mo/S, ZBL pair table), per format, and
// the float64 CPU reference's atom-steps per second on small MoS2 sheets. The last line is one JSON object.
import { cpus } from 'node:os';
import { loadModelFile } from '../src/model/load.ts';
import { attachPairTable, zblTableRows } from '../src/model/pairtable.ts';
import type { DenseLayer, DpModel, Net } from '../src/model/types.ts';
import { modelToJson, modelToYaml } from '../src/model/v3/write.ts';
import { evaluateDp } from '../src/potential/cpu/dp.ts';
import { sizeSkip } from '../src/model/nets.ts';

let seed = 1;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);

function net(sizes: number[], embedding: boolean): Net {
  const layers: DenseLayer[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const [nIn, nOut] = [sizes[l - 1], sizes[l]];
    const last = !embedding && l === sizes.length - 1;
    layers.push({
      nIn, nOut, w: Float64Array.from({ length: nIn * nOut }, () => rnd() / Math.sqrt(nIn)), b: Float64Array.from({ length: nOut }, rnd),
      idt: null, activation: last ? 'linear' : 'tanh', skip: last ? 'none' : embedding ? sizeSkip(nIn, nOut) : l >= 2 && nIn === nOut ? 'identity' : 'none',
    });
  }
  return { layers, precision: 'float64' };
}

/** A DP-Tab model with the paper's layer sizes and random weights (cost and file size are what matter here). */
export function paperSizeModel(): DpModel {
  const sel = [40, 80];
  const nnei = 120;
  const M1 = 100, M2 = 16;
  const davg = new Float64Array(2 * nnei * 4);
  const dstd = new Float64Array(2 * nnei * 4).fill(1);
  for (let q = 0; q < davg.length; q += 4) { davg[q] = 0.1; dstd[q] = 0.1; }
  const m: DpModel = {
    typeMap: ['Mo', 'S'],
    descriptor: {
      type: 'se_e2_a', rcut: 6, rcutSmth: 0.5, switchWidth: 5.5, sel, ncol: 4, davg, dstd, typeOneSide: false,
      embeddings: Array.from({ length: 4 }, () => net([1, 25, 50, 100], true)), axisNeuron: M2, normN: nnei,
      excludeTypes: [], envProtection: 0, nlistRule: 'nearest-overall',
    },
    fitting: { nets: [net([M1 * M2, 240, 240, 240, 1], false), net([M1 * M2, 240, 240, 240, 1], false)], biasAtomE: Float64Array.of(-10, -5), numbFparam: 0, numbAparam: 0, fparamAvg: null, fparamInvStd: null, aparamAvg: null, aparamInvStd: null, dimDescrpt: M1 * M2 },
    pairTable: null, blend: null, source: { format: 'json', family: 'bench' },
  };
  return attachPairTable(m, zblTableRows(['Mo', 'S'], 6, 0.05, 0.002), { swRmin: 1.0, swRmax: 1.2, alpha: 0.1 });
}

function sheet(nx: number, ny: number) {
  const a = 3.18, b = a * Math.sqrt(3), t = 3.12;
  const frac: [number, number, number, number][] = [[0, 0, 0, 0], [0.5, 0.5, 0, 0], [0.5, 1 / 6, t / 2, 1], [0.5, 1 / 6, -t / 2, 1], [0, 2 / 3, t / 2, 1], [0, 2 / 3, -t / 2, 1]];
  const coord: number[] = [], atype: number[] = [];
  for (let i = 0; i < nx; i++) for (let j = 0; j < ny; j++) for (const [fx, fy, z, ty] of frac) { coord.push((fx + i) * a, (fy + j) * b, z); atype.push(ty); }
  return { coord: Float64Array.from(coord), atype: Int32Array.from(atype), cell: Float64Array.of(nx * a, 0, 0, 0, ny * b, 0, 0, 0, 40), pbc: [true, true, false] as const };
}

async function timeLoad(bytes: Uint8Array, name: string, reps = 3): Promise<number> {
  let best = Infinity;
  for (let k = 0; k < reps; k++) {
    const t0 = performance.now();
    await loadModelFile(bytes, name);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const m = paperSizeModel();
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
const cpu: Record<string, number> = {};
for (const [nx, ny] of [[4, 2], [6, 4]]) {
  const s = sheet(nx, ny);
  const n = s.atype.length;
  evaluateDp(m, { ...s, pbc: [...s.pbc] });
  const t0 = performance.now();
  const reps = 2;
  for (let k = 0; k < reps; k++) evaluateDp(m, { ...s, pbc: [...s.pbc] });
  const perStep = (performance.now() - t0) / reps;
  cpu[String(n)] = +((n * 1000) / perStep).toFixed(1);
  console.log(`cpu f64 reference, ${n} atoms: ${perStep.toFixed(0)} ms/step, ${(n * 1000 / perStep).toFixed(1)} atom-steps/s`);
}
results.cpu_atom_steps_per_s = cpu;
console.log(JSON.stringify(results));
