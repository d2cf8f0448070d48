// Model compression at load time, as DeePMD-kit's `dp compress` does: each embedding net G(s) (one input s, the
// normalised first environment column, M1 outputs) is tabulated on a uniform grid of s as piecewise quintic
// polynomials that match G, dG/ds and d2G/ds2 at both ends of every interval (so the table is C2 and its forces
// are smooth). The derivatives come from forward-mode differentiation through the net in float64. The table covers
// s from its value at r >= rcut (R = 0) up to its value at r = rLow; beyond that the last polynomial extrapolates.
import type { Activation, DpModel, Net } from '../../model/types.ts';
import { embeddingNetId, type CompressedLayout } from './dpShaders.ts';
import { smoothSwitch } from '../cpu/dp.ts';

export interface CompressionReport {
  /** Grid step in s. */
  step: number;
  /** Intervals per net. */
  intervals: number[];
  /** Table size on the GPU. */
  bytes: number;
  /** Largest |G_table - G_net| and |dG/ds_table - dG/ds_net| over interval midpoints and thirds (float32 coefficients). */
  maxErrorG: number;
  maxErrorDG: number;
  tolerance: number;
  withinTolerance: boolean;
  /** Shortest distance (Å) the table covers exactly. */
  rLow: number;
  reason?: string;
}

export interface CompressedEmbedding {
  coefficients: Float32Array;
  layout: CompressedLayout;
}

interface Jet { y: Float64Array; d1: Float64Array; d2: Float64Array }

function actJet(a: Activation, z: number): [number, number, number] | null {
  switch (a) {
    case 'tanh': { const h = Math.tanh(z); const g = 1 - h * h; return [h, g, -2 * h * g]; }
    case 'linear': return [z, 1, 0];
    case 'relu': return [Math.max(z, 0), z > 0 ? 1 : 0, 0];
    case 'relu6': return [Math.min(Math.max(z, 0), 6), z > 0 && z < 6 ? 1 : 0, 0];
    case 'sigmoid': { const h = 1 / (1 + Math.exp(-z)); const g = h * (1 - h); return [h, g, g * (1 - 2 * h)]; }
    case 'softplus': { const s = 1 / (1 + Math.exp(-z)); return [z > 30 ? z : Math.log1p(Math.exp(z)), s, s * (1 - s)]; }
    default: return null;
  }
}

/** G, dG/ds, d2G/ds2 of an embedding net at s (forward-mode, float64). */
export function netJet(net: Net, s: number): Jet {
  let y = Float64Array.of(s), d1 = Float64Array.of(1), d2 = Float64Array.of(0);
  for (const l of net.layers) {
    const ny = new Float64Array(l.nOut), n1 = new Float64Array(l.nOut), n2 = new Float64Array(l.nOut);
    for (let o = 0; o < l.nOut; o++) {
      let z = l.b[o], z1 = 0, z2 = 0;
      for (let q = 0; q < l.nIn; q++) {
        const w = l.w[q * l.nOut + o];
        z += y[q] * w; z1 += d1[q] * w; z2 += d2[q] * w;
      }
      const [h, g, gg] = actJet(l.activation, z)!;
      const t = l.idt ? l.idt[o] : 1;
      ny[o] = h * t; n1[o] = g * z1 * t; n2[o] = (gg * z1 * z1 + g * z2) * t;
      const src = l.skip === 'identity' ? o : l.skip === 'concat' ? o % l.nIn : -1;
      if (src >= 0) { ny[o] += y[src]; n1[o] += d1[src]; n2[o] += d2[src]; }
    }
    y = ny; d1 = n1; d2 = n2;
  }
  return { y, d1, d2 };
}

/** The s range each net sees: from R = 0 (beyond rcut, padding) to r = rLow. */
function sRange(model: DpModel, net: number, rLow: number): [number, number] {
  const d = model.descriptor;
  const nt = model.typeMap.length;
  const nnei = d.sel.reduce((a, b) => a + b, 0);
  const R = smoothSwitch(rLow, d.rcutSmth, d.rcut, d.switchWidth)[0] / (rLow + d.envProtection);
  let lo = Infinity, hi = -Infinity;
  for (let ti = 0; ti < nt; ti++) for (let tj = 0; tj < nt; tj++) {
    if (embeddingNetId(model, ti, tj) !== net) continue;
    const start = d.sel.slice(0, tj).reduce((a, b) => a + b, 0);
    for (let k = start; k < start + d.sel[tj]; k++) {
      const q = (ti * nnei + k) * d.ncol;
      const s0 = (0 - d.davg[q]) / d.dstd[q], s1 = (R - d.davg[q]) / d.dstd[q];
      lo = Math.min(lo, s0, s1); hi = Math.max(hi, s0, s1);
    }
  }
  return [lo, hi];
}

export function compressEmbeddings(model: DpModel, o: { step?: number; tolerance?: number; rLow?: number } = {}): { table: CompressedEmbedding | null; report: CompressionReport } {
  const d = model.descriptor;
  const h = o.step ?? 0.01;
  const tolerance = o.tolerance ?? 1e-5;
  const rLow = o.rLow ?? 0.4;
  const report: CompressionReport = { step: h, intervals: [], bytes: 0, maxErrorG: 0, maxErrorDG: 0, tolerance, withinTolerance: false, rLow };
  const first = d.embeddings.find((x) => x)!;
  const bad = first.layers.find((l) => !actJet(l.activation, 0));
  if (bad) return { table: null, report: { ...report, reason: `activation '${bad.activation}' is not supported by the tabulation` } };
  if (first.layers[0].nIn !== 1) return { table: null, report: { ...report, reason: 'the embedding nets do not take one input' } };
  const M1 = first.layers.at(-1)!.nOut;
  const layout: CompressedLayout = { netOffset: [], lower: [], invH: [], nInt: [], upper: [] };
  const blocks: Float32Array[] = [];
  let off = 0;
  d.embeddings.forEach((net, id) => {
    if (!net) { layout.netOffset.push(-1); layout.lower.push(0); layout.invH.push(1); layout.nInt.push(1); layout.upper.push(0); return; }
    const [lo0, hi0] = sRange(model, id, rLow);
    if (!Number.isFinite(lo0)) { layout.netOffset.push(-1); layout.lower.push(0); layout.invH.push(1); layout.nInt.push(1); layout.upper.push(0); return; }
    const lower = Math.floor(lo0 / h) * h - h;
    const nInt = Math.ceil((hi0 - lower) / h) + 1;
    const nodes: Jet[] = [];
    for (let k = 0; k <= nInt; k++) nodes.push(netJet(net, lower + k * h));
    const c = new Float32Array(nInt * 6 * M1);
    for (let k = 0; k < nInt; k++) {
      const A = nodes[k], B = nodes[k + 1];
      for (let m = 0; m < M1; m++) {
        const y0 = A.y[m], y1 = B.y[m], d0 = A.d1[m], d1 = B.d1[m], s0 = A.d2[m], s1 = B.d2[m];
        const dy = y1 - y0;
        const base = k * 6 * M1 + m;
        c[base] = y0;
        c[base + M1] = d0;
        c[base + 2 * M1] = s0 / 2;
        c[base + 3 * M1] = (20 * dy - (8 * d1 + 12 * d0) * h - (3 * s0 - s1) * h * h) / (2 * h ** 3);
        c[base + 4 * M1] = (-30 * dy + (14 * d1 + 16 * d0) * h + (3 * s0 - 2 * s1) * h * h) / (2 * h ** 4);
        c[base + 5 * M1] = (12 * dy - 6 * (d1 + d0) * h - (s0 - s1) * h * h) / (2 * h ** 5);
      }
    }
    // Error of the stored (float32) table against the net, inside intervals.
    for (let k = 0; k < nInt; k++) for (const frac of [1 / 3, 0.5, 2 / 3]) {
      const t = frac * h;
      const ref = netJet(net, lower + k * h + t);
      for (let m = 0; m < M1; m++) {
        const base = k * 6 * M1 + m;
        let g = c[base + 5 * M1], dg = 5 * g;
        for (let p = 4; p >= 1; p--) { g = g * t + c[base + p * M1]; dg = dg * t + p * c[base + p * M1]; }
        g = g * t + c[base];
        report.maxErrorG = Math.max(report.maxErrorG, Math.abs(g - ref.y[m]));
        report.maxErrorDG = Math.max(report.maxErrorDG, Math.abs(dg - ref.d1[m]));
      }
    }
    layout.netOffset.push(off);
    layout.lower.push(lower);
    layout.invH.push(1 / h);
    layout.nInt.push(nInt);
    layout.upper.push(lower + nInt * h);
    report.intervals.push(nInt);
    blocks.push(c);
    off += c.length;
  });
  const coefficients = new Float32Array(off);
  let p = 0;
  for (const b of blocks) { coefficients.set(b, p); p += b.length; }
  report.bytes = coefficients.byteLength;
  report.withinTolerance = report.maxErrorG <= tolerance && report.maxErrorDG <= tolerance * 10;
  if (!report.withinTolerance) report.reason = `table error ${report.maxErrorG.toExponential(2)} (G), ${report.maxErrorDG.toExponential(2)} (dG/ds) above the bound ${tolerance}`;
  return { table: { coefficients, layout }, report };
}
