// Mo/S DP-Tab models with deterministic random weights, for checks and benchmarks where the cost and the code
// paths matter but the physics does not (the energy surface is not MoS2's): the GPU engine's self-check against the
// float64 reference, the benchmarks at the paper's size, and tests. The pair table is universal ZBL blended in per
// atom between 1.0 and 1.2 Å, as in the DP-Tab MoS2 model.
import { sizeSkip } from './nets.ts';
import { attachPairTable, zblTableRows } from './pairtable.ts';
import type { DenseLayer, DpModel, Net } from './types.ts';

export interface SyntheticOptions {
  /** Embedding widths after the input, e.g. [25, 50, 100]. */
  embedding: number[];
  axis: number;
  /** Fitting hidden widths, e.g. [240, 240, 240]. */
  fitting: number[];
  sel: [number, number];
  rcut: number;
  rcutSmth?: number;
  seed?: number;
  /** Scale of the output layer: atomic energies vary by about this (eV). */
  outScale?: number;
  /** Leave out the pair table. */
  noTable?: boolean;
}

/** The paper's architecture: embedding 25-50-100, axis 16, fitting 240x3, rcut 6 Å. */
export const PAPER_SIZE: SyntheticOptions = { embedding: [25, 50, 100], axis: 16, fitting: [240, 240, 240], sel: [40, 80], rcut: 6, seed: 1, outScale: 0.3 };
/** A small model for tests (compiles and runs fast on SwiftShader). */
export const SMALL_SIZE: SyntheticOptions = { embedding: [4, 8, 16], axis: 4, fitting: [16, 16], sel: [12, 24], rcut: 5, seed: 1, outScale: 0.3 };

export function syntheticMoS2DpTab(o: SyntheticOptions): DpModel {
  let seed = o.seed ?? 1;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
  const net = (sizes: number[], embedding: boolean): Net => {
    const layers: DenseLayer[] = [];
    for (let l = 1; l < sizes.length; l++) {
      const [nIn, nOut] = [sizes[l - 1], sizes[l]];
      const last = !embedding && l === sizes.length - 1;
      const sc = last ? o.outScale ?? 1 : 1;
      layers.push({
        nIn, nOut, w: Float64Array.from({ length: nIn * nOut }, () => (sc * 2 * rnd()) / Math.sqrt(nIn)), b: Float64Array.from({ length: nOut }, () => sc * rnd()),
        idt: null, activation: last ? 'linear' : 'tanh',
        skip: last ? 'none' : embedding ? sizeSkip(nIn, nOut) : l >= 2 && nIn === nOut ? 'identity' : 'none',
      });
    }
    return { layers, precision: 'float64' };
  };
  const nnei = o.sel[0] + o.sel[1];
  const M1 = o.embedding.at(-1)!;
  const rcutSmth = o.rcutSmth ?? 0.5;
  // Statistics of the environment columns roughly as in a MoS2 sheet.
  const davg = new Float64Array(2 * nnei * 4);
  const dstd = new Float64Array(2 * nnei * 4).fill(0.3);
  for (let q = 0; q < davg.length; q += 4) { davg[q] = 0.2; dstd[q] = 0.15; }
  const m: DpModel = {
    typeMap: ['Mo', 'S'],
    descriptor: {
      type: 'se_e2_a', rcut: o.rcut, rcutSmth, switchWidth: o.rcut - rcutSmth, sel: [...o.sel], ncol: 4, davg, dstd, typeOneSide: false,
      embeddings: Array.from({ length: 4 }, () => net([1, ...o.embedding], true)), axisNeuron: o.axis, normN: nnei,
      excludeTypes: [], envProtection: 0, nlistRule: 'nearest-overall',
    },
    fitting: {
      nets: [0, 1].map(() => net([M1 * o.axis, ...o.fitting, 1], false)),
      biasAtomE: Float64Array.of(-7, -4), numbFparam: 0, numbAparam: 0, fparamAvg: null, fparamInvStd: null, aparamAvg: null, aparamInvStd: null, dimDescrpt: M1 * o.axis,
    },
    pairTable: null, blend: null, source: { format: 'json', family: 'synthetic (random weights)' },
  };
  return o.noTable ? m : attachPairTable(m, zblTableRows(['Mo', 'S'], o.rcut, 0.05, 0.002), { swRmin: 1.0, swRmax: 1.2, alpha: 0.1 });
}

/** Floating-point operations of one DP atom-step (forward + backward) from the layer sizes, as DeePMD counts them. */
export function dpFlopsPerAtom(m: DpModel, compressed = false): { embedding: number; contraction: number; fitting: number; total: number } {
  const d = m.descriptor;
  const nnei = d.sel.reduce((a, b) => a + b, 0);
  const emb = d.embeddings.find((x) => x)!;
  const M1 = emb.layers.at(-1)!.nOut;
  // Embedding per neighbour row: 2 nIn nOut per layer forward; backward twice that (here: input gradient only,
  // plus the recomputed forward) -> 3x forward in total. Compressed: a quintic per output (value and slope).
  const embFwd = emb.layers.reduce((s, l) => s + 2 * l.nIn * l.nOut, 0);
  const embedding = nnei * (compressed ? 2 * 12 * M1 : 3 * embFwd);
  const contraction = nnei * 3 * 2 * d.ncol * M1 + 3 * 2 * d.ncol * M1 * d.axisNeuron;
  const fit = m.fitting.nets[0].layers.reduce((s, l) => s + 2 * l.nIn * l.nOut, 0);
  const fitting = 2 * fit;
  return { embedding, contraction, fitting, total: embedding + contraction + fitting };
}
