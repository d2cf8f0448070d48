// WGSL kernels of one DP(-Tab) evaluation, generated per model (sizes, cut-offs and weight offsets baked in as
// constants, so each model compiles its own pipelines once). Per step:
//   select      per atom: displacements of all list entries; the DeePMD neighbour slots (nearest sel[t] per type
//               within rcut, or the v3 nearest-overall rule), overflow counts; the pair table's entries.
//   embedFwd    per (atom, neighbour type): environment rows, embedding net (or its compressed table), and the
//               partial contraction T = R~^T G of that type block.
//   descriptor  per atom: D = T^T T< (se_e2_a) or T/5 (se_e2_r), plus fparam/aparam: the fitting input.
//   fitting     tiled GEMMs per centre type and layer (gemm.ts), forward then backward to dE/dD.
//   gradT       per atom: dE/dT from dE/dD.
//   embedBwd    per (atom, neighbour type): recomputes the block forward, back-propagates, and writes dE_i/dd_ik
//               per slot through the environment-matrix derivative.
//   blend       per atom: soft-min distance, switch lambda, pair-table energy, the atom's blended energy.
//   assemble    per list entry: the total dE_i/dd_ij of the pair (DP share (1-lambda), switch and table terms,
//               universal ZBL for species outside the model), split into the part whose virial goes to j and
//               the part split between i and j.
//   gather      per atom: forces and atomic virials by reading its own entries and, through the reverse index,
//               its neighbours' entries that point back at it. No float atomics anywhere.
import type { Activation, DpModel, Net } from '../../model/types.ts';
import { nneiOf } from '../../model/types.ts';
import { GEOMETRY_DECL, PAIR_DISP_FN } from './wgslCommon.ts';

export const SLOT_NONE = 0xfffff;
export const TAB_BIT = 1 << 20;
/** Status flags per atom (after the per-type overflow counts). */
export const FLAG_TABLE_RANGE = 1;
export const FLAG_COMPRESS_RANGE = 2;
export const FLAG_NO_REVERSE = 4;
export const FLAG_TOO_CLOSE = 8;

/** Per-step uniform. */
export const STEP_DECL = /* wgsl */ `
struct Step { n: u32, nModel: u32, cap: u32, nSpecies: u32 };
`;

export function wgslActivation(a: Activation): string {
  switch (a) {
    case 'tanh': return 'return tanh(z);';
    case 'relu': return 'return max(z, 0.0);';
    case 'relu6': return 'return clamp(z, 0.0, 6.0);';
    case 'softplus': return 'if (z > 30.0) { return z; } return log(1.0 + exp(z));';
    case 'sigmoid': return 'return 1.0 / (1.0 + exp(-z));';
    case 'gelu': return 'return 0.5 * z * (1.0 + tanh(0.7978845608028654 * (z + 0.044715 * z * z * z)));';
    case 'linear': return 'return z;';
  }
}

/** d act/dz given z and h = act(z). */
export function wgslActivationGrad(a: Activation): string {
  switch (a) {
    case 'tanh': return 'return 1.0 - h * h;';
    case 'relu': return 'return select(0.0, 1.0, z > 0.0);';
    case 'relu6': return 'return select(0.0, 1.0, z > 0.0 && z < 6.0);';
    case 'softplus': return 'return 1.0 / (1.0 + exp(-z));';
    case 'sigmoid': return 'return h * (1.0 - h);';
    case 'gelu': return 'let t = tanh(0.7978845608028654 * (z + 0.044715 * z * z * z)); return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * 0.7978845608028654 * (1.0 + 3.0 * 0.044715 * z * z);';
    case 'linear': return 'return 1.0;';
  }
}

export const activationFns = (name: string, a: Activation): string => /* wgsl */ `
fn ${name}(z: f32) -> f32 { ${wgslActivation(a)} }
fn ${name}Grad(z: f32, h: f32) -> f32 { ${wgslActivationGrad(a)} }
`;

/** Layout of the embedding nets inside the params buffer (all nets share one architecture). */
export interface NetLayout {
  /** Per layer: offsets (in floats, relative to the net's base) of W (nIn x nOut), b, idt (-1 if none). */
  layers: { nIn: number; nOut: number; w: number; b: number; idt: number; activation: Activation; skip: Net['layers'][number]['skip'] }[];
  stride: number;
}

export function netLayout(net: Net): NetLayout {
  let off = 0;
  const layers = net.layers.map((l) => {
    const w = off;
    off += l.nIn * l.nOut;
    const b = off;
    off += l.nOut;
    let idt = -1;
    if (l.idt) { idt = off; off += l.nOut; }
    return { nIn: l.nIn, nOut: l.nOut, w, b, idt, activation: l.activation, skip: l.skip };
  });
  return { layers, stride: off };
}

export function sameArchitecture(a: Net, b: Net): boolean {
  return a.layers.length === b.layers.length && a.layers.every((l, k) => {
    const m = b.layers[k];
    return l.nIn === m.nIn && l.nOut === m.nOut && l.activation === m.activation && l.skip === m.skip && Boolean(l.idt) === Boolean(m.idt);
  });
}

/** Compressed embedding: per net, piecewise quintic polynomials of s on a uniform grid (compress.ts). */
export interface CompressedLayout {
  /** Offsets (floats) of each net's coefficient block in the table buffer; -1 for no net. */
  netOffset: number[];
  lower: number[];
  invH: number[];
  nInt: number[];
  upper: number[];
}

export interface ShaderOptions {
  /** Rows of the uncompressed embedding processed together in workgroup memory. */
  rowChunk: number;
  compressed: CompressedLayout | null;
  /** Offsets in the consts buffer. */
  tableOffset: number;
  zblOffset: number;
  zblRc: number;
  zblMinDistance: number;
}

const f = (x: number): string => {
  if (!Number.isFinite(x)) throw new Error(`non-finite constant ${x} in a shader`);
  const s = Math.fround(x).toPrecision(9);
  return /[.eE]/.test(s) ? s : `${s}.0`;
};
const arr = (type: string, xs: number[], fmt: (x: number) => string = (x) => `${x}`): string => `array<${type}, ${xs.length}>(${xs.map(fmt).join(', ')})`;
const u = (x: number): string => `${x}u`;
const iv = (x: number): string => `${x}`;

export interface DpShaders {
  select: string;
  embedFwd: string;
  descriptor: string;
  gradT: string;
  embedBwd: string;
  blend: string;
  assemble: string;
  gather: string;
  /** Workgroup-memory rows per chunk used by the uncompressed embedding kernels. */
  rowChunk: number;
}

/** The embedding-net id used by centre type ti and neighbour type tj, or -1. */
export function embeddingNetId(model: DpModel, ti: number, tj: number): number {
  const d = model.descriptor;
  const nt = model.typeMap.length;
  if (d.excludeTypes.some(([a, b]) => (a === ti && b === tj) || (a === tj && b === ti))) return -1;
  const idx = d.typeOneSide ? tj : ti * nt + tj;
  return d.embeddings[idx] ? idx : -1;
}

export function dpShaders(model: DpModel, o: ShaderOptions): DpShaders {
  const d = model.descriptor;
  const nt = model.typeMap.length;
  const NNEI = nneiOf(d);
  const NC = d.ncol;
  const firstNet = d.embeddings.find((x) => x)!;
  const lay = netLayout(firstNet);
  const M1 = firstNet.layers.at(-1)!.nOut;
  const M2 = d.axisNeuron;
  const DIMD = model.fitting.dimDescrpt;
  const NF = model.fitting.numbFparam, NA = model.fitting.numbAparam;
  const DIMIN = DIMD + NF + NA;
  const selStart: number[] = [];
  d.sel.reduce((acc, s) => (selStart.push(acc), acc + s), 0);
  const netIds: number[] = [];
  for (let ti = 0; ti < nt; ti++) for (let tj = 0; tj < nt; tj++) netIds.push(embeddingNetId(model, ti, tj));
  const tab = model.pairTable;
  const blend = model.blend;
  const hasTable = Boolean(tab && blend);
  const RC = o.rowChunk;
  const maxSel = Math.max(...d.sel);
  const ZW = lay.layers.reduce((s, l) => s + l.nOut, 0);
  const zOff: number[] = [];
  lay.layers.reduce((acc, l) => (zOff.push(acc), acc + l.nOut), 0);
  const cmp = o.compressed;
  // Padding slots of a (centre type, neighbour type) block all have the same normalised row when the block's
  // statistics do not vary along the slots (DeePMD-kit computes them per type pair): the compressed kernels then
  // evaluate one padding row and weight it by the padding count, as DeePMD-kit's tabulate_fusion kernel does.
  const padMerge: boolean[] = [];
  for (let ti = 0; ti < nt; ti++) for (let tj = 0; tj < nt; tj++) {
    let same = NC === 4;
    for (let k = selStart[tj] + 1; same && k < selStart[tj] + d.sel[tj]; k++) {
      for (let c = 0; c < NC; c++) {
        const q = (ti * NNEI + k) * NC + c, q0 = (ti * NNEI + selStart[tj]) * NC + c;
        if (d.davg[q] !== d.davg[q0] || d.dstd[q] !== d.dstd[q0]) same = false;
      }
    }
    padMerge.push(same);
  }

  const common = /* wgsl */ `
${STEP_DECL}
${GEOMETRY_DECL}
const NT = ${u(nt)};
const NNEI = ${u(NNEI)};
const NC = ${u(NC)};
const M1 = ${u(M1)};
const M2 = ${u(M2)};
const DIMD = ${u(DIMD)};
const DIMIN = ${u(DIMIN)};
const SEL = ${arr('u32', d.sel, u)};
const SEL_START = ${arr('u32', selStart, u)};
const NET_ID = ${arr('i32', netIds, iv)};
const NET_STRIDE = ${u(lay.stride)};
const RCUT = ${f(d.rcut)};
const RCUT_SMTH = ${f(d.rcutSmth)};
const SW_WIDTH = ${f(d.switchWidth)};
const ENV_P = ${f(d.envProtection)};
const INV_N = ${f(1 / d.normN)};
const SLOT_NONE = ${u(SLOT_NONE)};
const TAB_BIT = ${u(TAB_BIT)};
@group(0) @binding(0) var<uniform> step: Step;
fn smoothSwitch(r: f32, rmin: f32, rmax: f32, width: f32) -> vec2f {
  if (r < rmin) { return vec2f(1.0, 0.0); }
  if (r < rmax) {
    let x = (r - rmin) / width;
    let x2 = x * x;
    return vec2f(x2 * x * (-6.0 * x2 + 15.0 * x - 10.0) + 1.0, (3.0 * x2 * (-6.0 * x2 + 15.0 * x - 10.0) + x2 * x * (-12.0 * x + 15.0)) / width);
  }
  return vec2f(0.0, 0.0);
}
`;

  // ---------------------------------------------------------------------------------------------- select
  const v3Table = tab && blend && tab.rule === 'v3';
  const select = /* wgsl */ `${common}
@group(0) @binding(1) var<uniform> geo: Geometry;
@group(0) @binding(2) var<storage, read> pos: array<vec4f>;
@group(0) @binding(3) var<storage, read> atomInfo: array<vec4<i32>>;
@group(0) @binding(4) var<storage, read> entries: array<vec2<u32>>;
@group(0) @binding(5) var<storage, read_write> entryD: array<vec4f>;
@group(0) @binding(6) var<storage, read_write> entrySlot: array<u32>;
@group(0) @binding(7) var<storage, read_write> slotEntry: array<vec2<u32>>;
@group(0) @binding(8) var<storage, read_write> status: array<u32>;
${PAIR_DISP_FN}
fn before(ra: f32, ea: u32, rb: f32, eb: u32) -> bool { return ra < rb || (ra == rb && ea < eb); }
/** The k-th smallest (r, entry) key among entries with r <= cut of model type (k = NNEI), or a huge key. */
fn rankCut(base: u32, len: u32, cut: f32, k: u32) -> vec2f {
  for (var p = 0u; p < len; p++) {
    let r = entryD[base + p].w;
    if (r > cut || atomInfo[entries[base + p].x].x < 0) { continue; }
    var below = 0u;
    for (var q = 0u; q < len; q++) {
      let rq = entryD[base + q].w;
      if (rq > cut || atomInfo[entries[base + q].x].x < 0) { continue; }
      if (before(rq, q, r, p)) { below++; }
    }
    if (below == k - 1u) { return vec2f(r, f32(p)); }
  }
  return vec2f(3.0e38, 0.0);
}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= step.n) { return; }
  let base = i * step.cap;
  let len = min(u32(atomInfo[i].z), step.cap);
  for (var p = 0u; p < len; p++) {
    let e = entries[base + p];
    let dv = pairDisp(i, e.x, e.y);
    entryD[base + p] = vec4f(dv, length(dv));
    entrySlot[base + p] = SLOT_NONE;
  }
  let ti = atomInfo[i].x;
  let sbase = i * (NT + 1u);
  for (var t = 0u; t <= NT; t++) { status[sbase + t] = 0u; }
  if (ti < 0) { return; }
  let nb = i * NNEI;
  for (var k = 0u; k < NNEI; k++) { slotEntry[nb + k] = vec2<u32>(0xffffffffu, bitcast<u32>(3.0e38)); }
  var fill: array<u32, ${nt}>;
  for (var t = 0u; t < NT; t++) { fill[t] = 0u; }
  // Nearest-overall rule (v3): when more than NNEI candidates, only keys up to the NNEI-th take part.
  var cutKey = vec2f(3.0e38, 0.0);
  ${d.nlistRule === 'nearest-overall' ? /* wgsl */ `
  var ncand = 0u;
  for (var p = 0u; p < len; p++) { if (entryD[base + p].w <= RCUT && atomInfo[entries[base + p].x].x >= 0) { ncand++; } }
  if (ncand > NNEI) { cutKey = rankCut(base, len, RCUT, NNEI); }` : ''}
  for (var p = 0u; p < len; p++) {
    let r = entryD[base + p].w;
    let tj = atomInfo[entries[base + p].x].x;
    if (r > RCUT || tj < 0) { continue; }
    let t = u32(tj);
    if (!before(r, p, cutKey.x, u32(cutKey.y)) && !(r == cutKey.x && p == u32(cutKey.y))) { status[sbase + t] += 1u; continue; }
    let s0 = nb + SEL_START[t];
    var at = fill[t];
    if (at == SEL[t]) {
      status[sbase + t] += 1u;
      let last = slotEntry[s0 + at - 1u];
      if (!before(r, p, bitcast<f32>(last.y), last.x)) { continue; }
      at = at - 1u;
    } else {
      fill[t] = at + 1u;
    }
    // Insert (r, p) keeping the block sorted.
    var k = at;
    loop {
      if (k == 0u) { break; }
      let prev = slotEntry[s0 + k - 1u];
      if (before(bitcast<f32>(prev.y), prev.x, r, p)) { break; }
      slotEntry[s0 + k] = prev;
      k--;
    }
    slotEntry[s0 + k] = vec2<u32>(p, bitcast<u32>(r));
  }
  for (var k = 0u; k < NNEI; k++) {
    let s = slotEntry[nb + k];
    if (s.x != 0xffffffffu) { entrySlot[base + s.x] = k${hasTable && !v3Table ? ' | TAB_BIT' : ''}; }
  }
  ${v3Table ? /* wgsl */ `
  // The v3 pair table's own list: the nearest NNEI of any model type within its cut-off.
  let tcut = ${f(tab!.rcut)};
  var nt2 = 0u;
  for (var p = 0u; p < len; p++) { if (entryD[base + p].w <= tcut && atomInfo[entries[base + p].x].x >= 0) { nt2++; } }
  var tkey = vec2f(3.0e38, 0.0);
  if (nt2 > NNEI) { tkey = rankCut(base, len, tcut, NNEI); }
  for (var p = 0u; p < len; p++) {
    let r = entryD[base + p].w;
    if (r > tcut || atomInfo[entries[base + p].x].x < 0) { continue; }
    if (before(r, p, tkey.x, u32(tkey.y)) || (r == tkey.x && p == u32(tkey.y))) { entrySlot[base + p] |= TAB_BIT; }
  }` : ''}
}
`;

  // ------------------------------------------------------------------------------------ environment rows
  const envFns = /* wgsl */ `
/** Unnormalised environment row of a neighbour at d (se_e2_a: 4 columns; se_e2_r: the first only). */
fn envRow(dv: vec3f, r: f32) -> vec4f {
  let sw = smoothSwitch(r, RCUT_SMTH, RCUT, SW_WIDTH).x;
  let inv = 1.0 / (r + ENV_P);
  return vec4f(sw * inv, sw * dv * inv * inv);
}
fn statOf(ti: u32, k: u32, c: u32) -> vec2f { return stats[(ti * NNEI + k) * NC + c]; }
/** The normalised row of slot k of a centre of type ti: (R - avg) / std per column (zero R for padding). */
fn normRow(ti: u32, k: u32, dr: vec4f) -> vec4f {
  var R = vec4f(0.0);
  if (dr.w > 0.0) { R = envRow(dr.xyz, dr.w); }
  var o = vec4f(0.0);
  for (var c = 0u; c < NC; c++) { let st = statOf(ti, k, c); o[c] = (R[c] - st.x) * st.y; }
  return o;
}
/** dE/dd of a slot from dE/dR~ (per column): chain through the normalisation and the row's derivative. */
fn slotGradient(ti: u32, k: u32, dr: vec4f, gRt: vec4f) -> vec3f {
  if (dr.w <= 0.0) { return vec3f(0.0); }
  let dv = dr.xyz;
  let r = dr.w;
  let s = smoothSwitch(r, RCUT_SMTH, RCUT, SW_WIDTH);
  let rp = r + ENV_P;
  let inv = 1.0 / rp;
  let inv2 = inv * inv;
  let g0 = gRt.x * statOf(ti, k, 0u).y;
  var g = (dv / r) * (s.y * inv - s.x * inv2) * g0;
  if (NC == 4u) {
    let ga = vec3f(gRt.y * statOf(ti, k, 1u).y, gRt.z * statOf(ti, k, 2u).y, gRt.w * statOf(ti, k, 3u).y);
    // sum_a ga_a d(sw d_a / rp^2)/dd_b = sw (ga_b / rp^2 - 2 (ga.d) d_b / (r rp^3)) + (ga.d) / rp^2 dsw d_b / r
    let gd = dot(ga, dv);
    g += s.x * (ga * inv2 - 2.0 * gd * dv / (r * rp * rp * rp)) + gd * inv2 * s.y * dv / r;
  }
  return g;
}
fn slotDr(i: u32, k: u32) -> vec4f {
  let s = slotEntry[i * NNEI + k];
  if (s.x == 0xffffffffu) { return vec4f(0.0); }
  return entryD[i * step.cap + s.x];
}
`;

  // ---------------------------------------------------------------------------------- embedding (MLP)
  const embAct = firstNet.layers.map((l, k) => activationFns(`embAct${k}`, l.activation)).join('');
  // The uncompressed embedding works on chunks of RC rows in workgroup memory. Each thread owns up to four output
  // columns (a vector accumulator per row), so every input value read from workgroup memory serves four columns and
  // every weight read serves all RC rows of the chunk (rows beyond the chunk's count compute on stale but finite
  // values and are never stored).
  /** Columns per thread for a layer width (the vector width of the accumulators) and the threads that share them. */
  const blocking = (width: number) => {
    const cpt = width >= 64 ? 4 : width >= 32 ? 2 : 1;
    return { cpt, span: Math.ceil(width / cpt), vec: cpt === 1 ? 'f32' : `vec${cpt}f` };
  };
  const lanes = (cpt: number) => Array.from({ length: cpt }, (_, j) => j);
  const comp = (cpt: number, j: number) => (cpt === 1 ? '' : `.${'xyzw'[j]}`);
  /** Forward of one chunk of rows through all layers: Zs/Ys hold each layer's pre-activation and output. */
  const mlpChunk = lay.layers.map((l, k) => {
    const inp = (r: string, q: string) => (k === 0 ? `rt[${r}].x` : `Ys[${r} * ZW + ${zOff[k - 1]}u + ${q}]`);
    const { cpt, span, vec } = blocking(l.nOut);
    const J = lanes(cpt);
    let skip = '';
    if (l.skip === 'identity') skip = `y += ${inp('r', 'o')};`;
    else if (l.skip === 'concat') skip = `y += ${inp('r', `(o % ${l.nIn}u)`)};`;
    return /* wgsl */ `
  for (var o0 = lid; o0 < ${span}u; o0 += 64u) {
    ${J.map((j) => `let col${j} = min(o0 + ${j * span}u, ${l.nOut - 1}u);`).join(' ')}
    var acc: array<${vec}, RC>;
    let bo = ${vec}(${J.map((j) => `P[wb + ${l.b}u + col${j}]`).join(', ')});
    for (var r = 0u; r < RC; r++) { acc[r] = bo; }
    for (var q = 0u; q < ${l.nIn}u; q++) {
      let wr = wb + ${l.w}u + q * ${l.nOut}u;
      let w = ${vec}(${J.map((j) => `P[wr + col${j}]`).join(', ')});
      for (var r = 0u; r < RC; r++) { acc[r] += ${inp('r', 'q')} * w; }
    }
    for (var r = 0u; r < rows; r++) {${J.map((j) => `
      if (o0 + ${j * span}u < ${l.nOut}u) {
        let o = col${j};
        let z = acc[r]${comp(cpt, j)};
        Zs[r * ZW + ${zOff[k]}u + o] = z;
        var y = embAct${k}(z)${l.idt >= 0 ? ` * P[wb + ${l.idt}u + o]` : ''};
        ${skip}
        Ys[r * ZW + ${zOff[k]}u + o] = y;
      }`).join('')}
    }
  }
  workgroupBarrier();`;
  }).join('');
  /** Inside the row-chunk loop: the chunk's environment rows, then the nets' forward pass over them. */
  const chunkForward = /* wgsl */ `let rows = min(RC, nrows - c0);
    for (var r = lid; r < rows; r += 64u) {
      let k = SEL_START[tj] + c0 + r;
      rt[r] = normRow(ti, k, slotDr(a, k));
    }
    workgroupBarrier();
    ${mlpChunk}`;
  const L = lay.layers.length;
  const GOFF = zOff[L - 1];
  /** Backward of the chunk: Ys of the last layer must hold dE/dG; Zs become dE/dz, Ys dE/dy; ds left in dsv. */
  const mlpChunkBwd = lay.layers.map((l, k) => k).reverse().map((k) => {
    const l = lay.layers[k];
    const gzStep = /* wgsl */ `
  for (var idx = lid; idx < rows * ${l.nOut}u; idx += 64u) {
    let r = idx / ${l.nOut}u;
    let o = idx % ${l.nOut}u;
    let z = Zs[r * ZW + ${zOff[k]}u + o];
    let h = embAct${k}(z);
    Zs[r * ZW + ${zOff[k]}u + o] = Ys[r * ZW + ${zOff[k]}u + o] ${l.idt >= 0 ? `* P[wb + ${l.idt}u + o]` : ''} * embAct${k}Grad(z, h);
  }
  workgroupBarrier();`;
    const skipTerm =
      l.skip === 'identity' ? `s += Ys[r * ZW + ${zOff[k]}u + q];` :
      l.skip === 'concat' ? `for (var c2 = q; c2 < ${l.nOut}u; c2 += ${l.nIn}u) { s += Ys[r * ZW + ${zOff[k]}u + c2]; }` : '';
    const store = k === 0 ? 'dsv[r] = s;' : `Ys[r * ZW + ${zOff[k - 1]}u + q] = s;`;
    const { cpt, span, vec } = blocking(l.nIn);
    const J = lanes(cpt);
    return gzStep + /* wgsl */ `
  for (var q0 = lid; q0 < ${span}u; q0 += 64u) {
    ${J.map((j) => `let col${j} = min(q0 + ${j * span}u, ${l.nIn - 1}u);`).join(' ')}
    // Explicitly zeroed: SwiftShader was seen to keep the values of the previous chunk in an uninitialised array.
    var acc: array<${vec}, RC>;
    for (var r = 0u; r < RC; r++) { acc[r] = ${vec}(0.0); }
    for (var o = 0u; o < ${l.nOut}u; o++) {
      let w = ${vec}(${J.map((j) => `P[wb + ${l.w}u + col${j} * ${l.nOut}u + o]`).join(', ')});
      for (var r = 0u; r < RC; r++) { acc[r] += Zs[r * ZW + ${zOff[k]}u + o] * w; }
    }
    for (var r = 0u; r < rows; r++) {${J.map((j) => `
      if (q0 + ${j * span}u < ${l.nIn}u) {
        let q = col${j};
        var s = acc[r]${comp(cpt, j)};
        ${skipTerm}
        ${store}
      }`).join('')}
    }
  }
  workgroupBarrier();`;
  }).join('');

  const embedHead = /* wgsl */ `${common}
${envFns}
const ZW = ${u(ZW)};
const RC = ${u(RC)};
@group(0) @binding(1) var<storage, read> slotEntry: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read> entryD: array<vec4f>;
@group(0) @binding(3) var<storage, read> atomInfo: array<vec4<i32>>;
@group(0) @binding(4) var<storage, read> P: array<f32>;
@group(0) @binding(5) var<storage, read> stats: array<vec2f>;
`;
  /** Entry of the per-(atom, neighbour type) kernels: `setup` runs first; without a net, `noNet` clears the outputs. */
  const blockMain = (setup: string, noNet: string): string => /* wgsl */ `fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lidv: vec3u) {
  let lid = lidv.x;
  let a = wid.x + wid.z * 65535u;
  let tj = wid.y;
  if (a >= step.nModel) { return; }
  let ti = u32(atomInfo[a].x);
  let net = NET_ID[ti * NT + tj];
  ${setup}
  if (net < 0) {
    ${noNet}
    return;
  }`;
  const cmpDecl = cmp ? /* wgsl */ `
const CMP_OFF = ${arr('i32', cmp.netOffset, iv)};
const CMP_LOWER = ${arr('f32', cmp.lower, f)};
const CMP_INVH = ${arr('f32', cmp.invH, f)};
const CMP_NINT = ${arr('u32', cmp.nInt, u)};
const CMP_UPPER = ${arr('f32', cmp.upper, f)};
const PAD_MERGE = ${arr('bool', padMerge.map(Number), (x) => `${x === 1}`)};
var<workgroup> firstPad: atomic<u32>;
/** Slots filled in the (a, tj) block (the select kernel sorts them to the front); the whole workgroup calls it. */
fn realRows(a: u32, tj: u32, rows: u32, lid: u32) -> u32 {
  if (lid == 0u) { atomicStore(&firstPad, rows); }
  workgroupBarrier();
  for (var r = lid; r < rows; r += 64u) {
    if (slotEntry[a * NNEI + SEL_START[tj] + r].x == 0xffffffffu) { atomicMin(&firstPad, r); }
  }
  return workgroupUniformLoad(&firstPad);
}
/** Coefficients a0..a5 of column m in the interval of s, and the offset t = s - node. */
fn cmpLocate(net: u32, s: f32) -> vec2f {
  let x = (s - CMP_LOWER[net]) * CMP_INVH[net];
  let k = clamp(floor(x), 0.0, f32(CMP_NINT[net] - 1u));
  return vec2f(k, (x - k) / CMP_INVH[net]);
}
fn cmpCoef(net: u32, k: u32, p: u32, m: u32) -> f32 { return TAB[u32(CMP_OFF[net]) + (k * 6u + p) * M1 + m]; }
` : '';

  const embedFwd = cmp ? /* wgsl */ `${embedHead}
@group(0) @binding(6) var<storage, read_write> Tpart: array<f32>;
@group(0) @binding(7) var<storage, read> TAB: array<f32>;
${cmpDecl}
var<workgroup> rt: array<vec4f, ${maxSel}>;
var<workgroup> loc: array<vec2f, ${maxSel}>;
@compute @workgroup_size(64)
${blockMain('let out = (a * NT + tj) * NC * M1;', 'for (var q = lid; q < NC * M1; q += 64u) { Tpart[out + q] = 0.0; }')}
  let sel = SEL[tj];
  let nreal = realRows(a, tj, sel, lid);
  // Rows evaluated: the real neighbours, then either every padding slot or one standing for all of them.
  let merge = PAD_MERGE[ti * NT + tj] && nreal < sel;
  let rows = select(sel, nreal + 1u, merge);
  for (var r = lid; r < rows; r += 64u) {
    let k = SEL_START[tj] + r;
    rt[r] = normRow(ti, k, slotDr(a, k));
    loc[r] = cmpLocate(u32(net), rt[r].x);
    if (merge && r == nreal) { rt[r] *= f32(sel - nreal); }
  }
  workgroupBarrier();
  for (var m = lid; m < M1; m += 64u) {
    var acc = vec4f(0.0);
    for (var r = 0u; r < rows; r++) {
      let t = loc[r].y;
      let kk = u32(loc[r].x);
      var g = cmpCoef(u32(net), kk, 5u, m);
      for (var p = 4; p >= 0; p--) { g = g * t + cmpCoef(u32(net), kk, u32(p), m); }
      if (NC == 4u) { acc += rt[r] * g; } else { acc.x += g; }
    }
    for (var c = 0u; c < NC; c++) { Tpart[out + c * M1 + m] = acc[c]; }
  }
}
` : /* wgsl */ `${embedHead}
@group(0) @binding(6) var<storage, read_write> Tpart: array<f32>;
${embAct}
var<workgroup> Zs: array<f32, ${RC * ZW}>;
var<workgroup> Ys: array<f32, ${RC * ZW}>;
var<workgroup> rt: array<vec4f, ${RC}>;
const PER = ${u(Math.ceil((NC * M1) / 64))};
@compute @workgroup_size(64)
${blockMain('let out = (a * NT + tj) * NC * M1;', 'for (var q = lid; q < NC * M1; q += 64u) { Tpart[out + q] = 0.0; }')}
  let wb = u32(net) * NET_STRIDE;
  var acc: array<f32, PER>;
  for (var u = 0u; u < PER; u++) { acc[u] = 0.0; }
  let nrows = SEL[tj];
  for (var c0 = 0u; c0 < nrows; c0 += RC) {
${chunkForward}
    for (var u = 0u; u < PER; u++) {
      let q = lid + 64u * u;
      if (q < NC * M1) {
        let c = q / M1;
        let m = q % M1;
        var s = 0.0;
        for (var r = 0u; r < rows; r++) {
          let w = select(1.0, rt[r][c], NC == 4u);
          s += w * Ys[r * ZW + ${GOFF}u + m];
        }
        acc[u] += s;
      }
    }
    workgroupBarrier();
  }
  for (var u = 0u; u < PER; u++) {
    let q = lid + 64u * u;
    if (q < NC * M1) { Tpart[out + q] = acc[u]; }
  }
}
`;

  // --------------------------------------------------------------------------- descriptor and dE/dT
  /** Per-atom kernels that start from T = (1/N) sum of the type blocks' partial contractions in workgroup memory. */
  const atomMainWithT = /* wgsl */ `var<workgroup> Ts: array<f32, ${NC * M1}>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lidv: vec3u) {
  let lid = lidv.x;
  let a = wid.x + wid.y * 65535u;
  if (a >= step.nModel) { return; }
  for (var q = lid; q < NC * M1; q += 64u) {
    var s = 0.0;
    for (var tj = 0u; tj < NT; tj++) { s += Tpart[(a * NT + tj) * NC * M1 + q]; }
    Ts[q] = s * INV_N;
  }
  workgroupBarrier();`;
  const descriptor = /* wgsl */ `${common}
@group(0) @binding(1) var<storage, read> Tpart: array<f32>;
@group(0) @binding(2) var<storage, read_write> X: array<f32>;
@group(0) @binding(3) var<storage, read> extra: array<f32>;
${atomMainWithT}
  ${NC === 4 ? /* wgsl */ `
  for (var q = lid; q < M1 * M2; q += 64u) {
    let m = q / M2;
    let nn = q % M2;
    var s = 0.0;
    for (var c = 0u; c < 4u; c++) { s += Ts[c * M1 + m] * Ts[c * M1 + nn]; }
    X[a * DIMIN + q] = s;
  }` : /* wgsl */ `
  for (var m = lid; m < M1; m += 64u) { X[a * DIMIN + m] = Ts[m] / 5.0; }`}
  ${NF + NA > 0 ? /* wgsl */ `
  // extra = [fparam (normalised), aparam (normalised) per atom]
  for (var q = lid; q < ${u(NF + NA)}; q += 64u) {
    if (q < ${u(NF)}) { X[a * DIMIN + DIMD + q] = extra[q]; }
    else { X[a * DIMIN + DIMD + q] = extra[${u(NF)} + a * ${u(Math.max(NA, 1))} + q - ${u(NF)}]; }
  }` : ''}
}
`;
  const gradT = /* wgsl */ `${common}
@group(0) @binding(1) var<storage, read> Tpart: array<f32>;
@group(0) @binding(2) var<storage, read> gX: array<f32>;
@group(0) @binding(3) var<storage, read_write> gT: array<f32>;
${atomMainWithT}
  let g0 = a * DIMIN;
  for (var q = lid; q < NC * M1; q += 64u) {
    ${NC === 4 ? /* wgsl */ `
    let c = q / M1;
    let m = q % M1;
    var s = 0.0;
    for (var nn = 0u; nn < M2; nn++) { s += gX[g0 + m * M2 + nn] * Ts[c * M1 + nn]; }
    if (m < M2) { for (var mm = 0u; mm < M1; mm++) { s += gX[g0 + mm * M2 + m] * Ts[c * M1 + mm]; } }
    gT[a * NC * M1 + q] = s;` : /* wgsl */ `
    gT[a * NC * M1 + q] = gX[g0 + q] / 5.0;`}
  }
}
`;

  // -------------------------------------------------------------------------- embedding backward
  const embedBwd = cmp ? /* wgsl */ `${embedHead}
@group(0) @binding(6) var<storage, read> gT: array<f32>;
@group(0) @binding(7) var<storage, read_write> slotGrad: array<vec4f>;
@group(0) @binding(8) var<storage, read> TAB: array<f32>;
${cmpDecl}
var<workgroup> gTs: array<f32, ${NC * M1}>;
@compute @workgroup_size(64)
${blockMain('let rows = SEL[tj];', 'for (var r = lid; r < rows; r += 64u) { slotGrad[a * NNEI + SEL_START[tj] + r] = vec4f(0.0); }')}
  for (var q = lid; q < NC * M1; q += 64u) { gTs[q] = gT[a * NC * M1 + q] * INV_N; }
  let nreal = realRows(a, tj, rows, lid);
  // Padding slots have a constant row: no gradient.
  for (var r = nreal + lid; r < rows; r += 64u) { slotGrad[a * NNEI + SEL_START[tj] + r] = vec4f(0.0); }
  for (var r = lid; r < nreal; r += 64u) {
    let k = SEL_START[tj] + r;
    let dr = slotDr(a, k);
    let rt = normRow(ti, k, dr);
    let lc = cmpLocate(u32(net), rt.x);
    let t = lc.y;
    let kk = u32(lc.x);
    var gr = vec4f(0.0);
    var ds = 0.0;
    for (var m = 0u; m < M1; m++) {
      var g = cmpCoef(u32(net), kk, 5u, m);
      var dg = 5.0 * g;
      for (var p = 4; p >= 1; p--) {
        let cp = cmpCoef(u32(net), kk, u32(p), m);
        g = g * t + cp;
        dg = dg * t + f32(p) * cp;
      }
      g = g * t + cmpCoef(u32(net), kk, 0u, m);
      if (NC == 4u) {
        let gt = vec4f(gTs[m], gTs[M1 + m], gTs[2u * M1 + m], gTs[3u * M1 + m]);
        ds += dg * dot(rt, gt);
        gr += gt * g;
      } else {
        ds += dg * gTs[m];
      }
    }
    gr.x += ds;
    slotGrad[a * NNEI + k] = vec4f(slotGradient(ti, k, dr, gr), 0.0);
  }
}
` : /* wgsl */ `${embedHead}
@group(0) @binding(6) var<storage, read> gT: array<f32>;
@group(0) @binding(7) var<storage, read_write> slotGrad: array<vec4f>;
${embAct}
var<workgroup> Zs: array<f32, ${RC * ZW}>;
var<workgroup> Ys: array<f32, ${RC * ZW}>;
var<workgroup> rt: array<vec4f, ${RC}>;
var<workgroup> grs: array<vec4f, ${RC}>;
var<workgroup> dsv: array<f32, ${RC}>;
var<workgroup> gTs: array<f32, ${NC * M1}>;
@compute @workgroup_size(64)
${blockMain('let nrows = SEL[tj];', 'for (var r = lid; r < nrows; r += 64u) { slotGrad[a * NNEI + SEL_START[tj] + r] = vec4f(0.0); }')}
  let wb = u32(net) * NET_STRIDE;
  for (var q = lid; q < NC * M1; q += 64u) { gTs[q] = gT[a * NC * M1 + q] * INV_N; }
  for (var c0 = 0u; c0 < nrows; c0 += RC) {
${chunkForward}
    // dE/dR~ through the contraction (se_e2_a), then dE/dG into the last layer's outputs.
    for (var idx = lid; idx < rows * NC; idx += 64u) {
      let r = idx / NC;
      let c = idx % NC;
      var s = 0.0;
      if (NC == 4u) { for (var m = 0u; m < M1; m++) { s += gTs[c * M1 + m] * Ys[r * ZW + ${GOFF}u + m]; } }
      grs[r][c] = s;
    }
    workgroupBarrier();
    for (var idx = lid; idx < rows * M1; idx += 64u) {
      let r = idx / M1;
      let m = idx % M1;
      var s = 0.0;
      if (NC == 4u) { for (var c = 0u; c < 4u; c++) { s += rt[r][c] * gTs[c * M1 + m]; } } else { s = gTs[m]; }
      Ys[r * ZW + ${GOFF}u + m] = s;
    }
    workgroupBarrier();
    ${mlpChunkBwd}
    for (var r = lid; r < rows; r += 64u) {
      let k = SEL_START[tj] + c0 + r;
      var g = grs[r];
      g.x += dsv[r];
      slotGrad[a * NNEI + k] = vec4f(slotGradient(ti, k, slotDr(a, k), g), 0.0);
    }
    workgroupBarrier();
  }
}
`;

  // ------------------------------------------------------------------------ pair table, blend, ZBL
  const tableFn = tab ? /* wgsl */ `
const TAB_RMIN = ${f(tab.rmin)};
const TAB_HI = ${f(1 / tab.h)};
const TAB_NSPLINE = ${u(tab.nspline)};
const TAB_NT = ${u(tab.ntypes)};
const TAB_RCUT = ${f(tab.rcut)};
const TAB_END = ${f(tab.rmin + tab.nspline * tab.h)};
/** (V, dV/dr, in range) of the pair table. */
fn tableValue(ti: u32, tj: u32, r: f32) -> vec3f {
  var uu = (r - TAB_RMIN) * TAB_HI;
  ${tab.rule === 'tf' ? /* wgsl */ `
  if (uu < 0.0) { return vec3f(0.0, 0.0, 0.0); }
  var s = u32(floor(uu));
  if (s >= TAB_NSPLINE) { return vec3f(0.0, 0.0, 1.0); }` : /* wgsl */ `
  if (r >= TAB_RCUT || r >= TAB_END) { return vec3f(0.0, 0.0, 1.0); }
  let st = trunc(uu);
  uu -= st;
  let s = u32(clamp(st, 0.0, f32(TAB_NSPLINE - 1u)));`}
  ${tab.rule === 'tf' ? 'uu -= f32(s);' : ''}
  let b = ${u(o.tableOffset)} + (ti * TAB_NT + tj) * 4u * TAB_NSPLINE + 4u * s;
  let a3 = K[b]; let a2 = K[b + 1u]; let a1 = K[b + 2u]; let a0 = K[b + 3u];
  let et = (a3 * uu + a2) * uu + a1;
  return vec3f(et * uu + a0, ((2.0 * a3 * uu + a2) * uu + et) * TAB_HI, 1.0);
}
` : '';
  const blendConsts = blend ? /* wgsl */ `
const ALPHA = ${f(blend.alpha)};
const SW_RMIN = ${f(blend.swRmin)};
const SW_RMAX = ${f(blend.swRmax)};
const SW_W = ${f(blend.swWidth)};
const TAB_BIAS = ${arr('f32', Array.from(blend.tabBias), f)};
const OUT_BIAS = ${arr('f32', Array.from(blend.outBias), f)};
` : '';
  const blendK = /* wgsl */ `${common}
@group(0) @binding(1) var<storage, read> entries: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read> entryD: array<vec4f>;
@group(0) @binding(3) var<storage, read> entrySlot: array<u32>;
@group(0) @binding(4) var<storage, read> atomInfo: array<vec4<i32>>;
@group(0) @binding(5) var<storage, read> eDp: array<f32>;
@group(0) @binding(6) var<storage, read> K: array<f32>;
@group(0) @binding(7) var<storage, read_write> blendInfo: array<vec4f>;
@group(0) @binding(8) var<storage, read_write> status: array<u32>;
${tableFn}
${blendConsts}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= step.n) { return; }
  let ti = atomInfo[i].x;
  if (ti < 0) { blendInfo[2u * i] = vec4f(0.0); blendInfo[2u * i + 1u] = vec4f(0.0); return; }
  let edp = eDp[i];
  ${hasTable ? /* wgsl */ `
  let base = i * step.cap;
  let len = min(u32(atomInfo[i].z), step.cap);
  var r0 = 3.0e38;
  for (var p = 0u; p < len; p++) { if ((entrySlot[base + p] & TAB_BIT) != 0u) { r0 = min(r0, entryD[base + p].w); } }
  var A = 0.0;
  var B = 0.0;
  var etab = 0.0;
  for (var p = 0u; p < len; p++) {
    if ((entrySlot[base + p] & TAB_BIT) == 0u) { continue; }
    let r = entryD[base + p].w;
    let ex = exp(-(r - r0) / ALPHA);
    A += ex;
    B += r * ex;
    let tv = tableValue(u32(ti), u32(atomInfo[entries[base + p].x].x), r);
    if (tv.z == 0.0) { status[i * (NT + 1u) + NT] |= ${u(FLAG_TABLE_RANGE)}; }
    etab += 0.5 * tv.x;
  }
  var lam = vec2f(0.0);
  if (A > 0.0) {
    let sigma = B / A;
    ${blend!.kind === 'srtab' ? 'lam = smoothSwitch(sigma, SW_RMIN, SW_RMAX, SW_W);' : 'if (sigma != 0.0) { lam = smoothSwitch(sigma, SW_RMIN, SW_RMAX, SW_W); }'}
  }
  etab += TAB_BIAS[ti];
  let e = lam.x * etab + (1.0 - lam.x) * edp + OUT_BIAS[ti];
  blendInfo[2u * i] = vec4f(lam.x, (etab - edp) * lam.y, A, B);
  blendInfo[2u * i + 1u] = vec4f(r0, e, 0.0, 0.0);` : /* wgsl */ `
  blendInfo[2u * i] = vec4f(0.0);
  blendInfo[2u * i + 1u] = vec4f(0.0, edp, 0.0, 0.0);`}
}
`;

  const assemble = /* wgsl */ `${common}
@group(0) @binding(1) var<storage, read> entries: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read> entryD: array<vec4f>;
@group(0) @binding(3) var<storage, read> entrySlot: array<u32>;
@group(0) @binding(4) var<storage, read> slotGrad: array<vec4f>;
@group(0) @binding(5) var<storage, read> blendInfo: array<vec4f>;
@group(0) @binding(6) var<storage, read> atomInfo: array<vec4<i32>>;
@group(0) @binding(7) var<storage, read> K: array<f32>;
@group(0) @binding(8) var<storage, read_write> pairG: array<vec4f>;
${tableFn}
${blendConsts}
const ZBL_RC = ${f(o.zblRc)};
/** Switched universal ZBL between species sa and sb: (E, dE/dr). Params per species pair: a^-1, k, A, B, C, rin. */
fn zbl(sa: u32, sb: u32, r: f32) -> vec2f {
  let b = ${u(o.zblOffset)} + (sa * step.nSpecies + sb) * 8u;
  let ainv = K[b]; let kq = K[b + 1u]; let A = K[b + 2u]; let B = K[b + 3u]; let C = K[b + 4u]; let rin = K[b + 5u];
  let cc = array<f32, 4>(0.18175, 0.50986, 0.28022, 0.02817);
  let dd = array<f32, 4>(3.1998, 0.94229, 0.4029, 0.20162);
  var phi = 0.0;
  var dphi = 0.0;
  for (var q = 0u; q < 4u; q++) {
    let t = cc[q] * exp(-dd[q] * ainv * r);
    phi += t;
    dphi -= dd[q] * ainv * t;
  }
  var e = kq / r * phi;
  var de = kq / r * dphi - e / r;
  e += C;
  if (r > rin) {
    let t = r - rin;
    e += A / 3.0 * t * t * t + B / 4.0 * t * t * t * t;
    de += A * t * t + B * t * t * t;
  }
  return vec2f(e, de);
}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= step.n) { return; }
  let ti = atomInfo[i].x;
  let base = i * step.cap;
  let len = min(u32(atomInfo[i].z), step.cap);
  let b0 = blendInfo[2u * i];
  let b1 = blendInfo[2u * i + 1u];
  let lam = b0.x;
  for (var p = 0u; p < len; p++) {
    let e = entries[base + p];
    let dr = entryD[base + p];
    let dv = dr.xyz;
    let r = dr.w;
    let fl = entrySlot[base + p];
    let tj = atomInfo[e.x].x;
    var gj = vec3f(0.0);
    var gs = vec3f(0.0);
    var ez = 0.0;
    if (ti >= 0) {
      let slot = fl & SLOT_NONE;
      if (slot != SLOT_NONE) { gj += (1.0 - lam) * slotGrad[i * NNEI + slot].xyz; }
      ${hasTable ? /* wgsl */ `
      if ((fl & TAB_BIT) != 0u) {
        let ex = exp(-(r - b1.x) / ALPHA);
        let A = b0.z;
        let B = b0.w;
        let ts = b0.y * (A * (1.0 / r - 1.0 / ALPHA) * ex + B * ex / (r * ALPHA)) / (A * A);
        gj += ts * dv;
        let tv = tableValue(u32(ti), u32(tj), r);
        gs += lam * 0.5 * tv.y / r * dv;
      }` : ''}
    }
    if ((ti < 0 || tj < 0) && r < ZBL_RC) {
      let z = zbl(u32(atomInfo[i].y), u32(atomInfo[e.x].y), max(r, ${f(o.zblMinDistance)}));
      ez = 0.5 * z.x;
      gs += 0.5 * z.y / r * dv;
    }
    pairG[2u * (base + p)] = vec4f(gj, ez);
    pairG[2u * (base + p) + 1u] = vec4f(gs, 0.0);
  }
}
`;

  const gather = /* wgsl */ `${common}
@group(0) @binding(1) var<storage, read> entries: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read> entryD: array<vec4f>;
@group(0) @binding(3) var<storage, read> atomInfo: array<vec4<i32>>;
@group(0) @binding(4) var<storage, read> pairG: array<vec4f>;
@group(0) @binding(5) var<storage, read> rev: array<u32>;
@group(0) @binding(6) var<storage, read> blendInfo: array<vec4f>;
@group(0) @binding(7) var<storage, read_write> outBuf: array<vec4f>;
@group(0) @binding(8) var<storage, read_write> status: array<u32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= step.n) { return; }
  let base = i * step.cap;
  let len = min(u32(atomInfo[i].z), step.cap);
  var F = vec3f(0.0);
  var e = blendInfo[2u * i + 1u].y;
  var v0 = vec3f(0.0);
  var v1 = vec3f(0.0);
  var v2 = vec3f(0.0);
  for (var p = 0u; p < len; p++) {
    let dv = entryD[base + p].xyz;
    if (entryD[base + p].w < ${f(o.zblMinDistance)}) { status[i * (NT + 1u) + NT] |= ${u(FLAG_TOO_CLOSE)}; }
    let gj = pairG[2u * (base + p)];
    let gs = pairG[2u * (base + p) + 1u].xyz;
    e += gj.w;
    F += gj.xyz + gs;
    // own split share: -1/2 gs (x) d
    v0 -= 0.5 * gs.x * dv; v1 -= 0.5 * gs.y * dv; v2 -= 0.5 * gs.z * dv;
    let j = entries[base + p].x;
    let q = rev[base + p];
    if (q == 0xffffffffu) { status[i * (NT + 1u) + NT] |= ${u(FLAG_NO_REVERSE)}; continue; }
    let jb = j * step.cap + q;
    let hj = pairG[2u * jb].xyz;
    let hs = pairG[2u * jb + 1u].xyz;
    let dj = entryD[jb].xyz;
    F -= hj + hs;
    let w = hj + 0.5 * hs;
    v0 -= w.x * dj; v1 -= w.y * dj; v2 -= w.z * dj;
  }
  outBuf[4u * i] = vec4f(F, e);
  outBuf[4u * i + 1u] = vec4f(v0, 0.0);
  outBuf[4u * i + 2u] = vec4f(v1, 0.0);
  outBuf[4u * i + 3u] = vec4f(v2, 0.0);
}
`;

  return { select, embedFwd, descriptor, gradT, embedBwd, blend: blendK, assemble, gather, rowChunk: RC };
}

/** Largest power-of-two row chunk whose workgroup arrays fit the device's workgroup memory. */
export function rowChunkFor(model: DpModel, workgroupBytes: number): number {
  const net = model.descriptor.embeddings.find((x) => x)!;
  const ZW = net.layers.reduce((s, l) => s + l.nOut, 0);
  const M1 = net.layers.at(-1)!.nOut;
  const fixed = 4 * model.descriptor.ncol * M1 + 64;
  let rc = 32;
  while (rc > 1 && rc * (8 * ZW + 40) + fixed > workgroupBytes) rc /= 2;
  return rc;
}
