// Tiled f32 matrix multiply in WGSL: 64x64 output tiles per workgroup of 16x16 threads (4x4 outputs each),
// K in steps of 16 through workgroup memory. The fitting nets run as these GEMMs (rows = atoms of one centre type),
// with the layer's bias, activation, ResNet step and skip fused into the epilogue, or in reverse. The forward
// epilogue stores D = idt * act'(z) beside the output, so the reverse operand load is one multiply (no
// transcendental per tile re-read of the operand). The same kernel in 'plain' mode measures the adapter's dense
// matmul rate for the benchmark, so the DP step is compared with what this code achieves on a plain GEMM.
import type { Activation, Skip } from '../../model/types.ts';
import { activationFns } from './dpShaders.ts';

export type GemmMode = 'fwd' | 'bwd' | 'plain';

/** What is compiled into a GEMM kernel; the sizes are uniforms, so layers of one shape share a pipeline. */
export interface GemmSpec {
  mode: GemmMode;
  activation?: Activation;
}

/** Skip connection codes in the uniform. */
export const SKIP_CODE: Record<Skip, number> = { none: 0, identity: 1, concat: 2 };
export const NO_IDT = 0xffffffff;

/**
 * Per-dispatch uniform: rows [rowOff, rowOff + M) of the operands; the layer's weights at wOff (nIn x nOut), bias
 * at bOff, ResNet step at idtOff; K inner size, N output columns, lda/ldo row strides of the A operand and the
 * output, nIn the layer's input width (concat skip), ebias the atom-energy bias added by the last layer.
 */
export interface GemmDims { rowOff: number; M: number; wOff: number; bOff: number; idtOff: number; K: number; N: number; lda: number; ldo: number; nIn: number; skip: Skip; last: boolean; ebias: number }
export const GEMM_UNIFORM_BYTES = 64;
export const GEMM_DECL = /* wgsl */ `
struct Gemm { rowOff: u32, M: u32, wOff: u32, bOff: u32, idtOff: u32, K: u32, N: u32, lda: u32, ldo: u32, nIn: u32, skip: u32, last: u32, ebias: f32, pad0: f32, pad1: f32, pad2: f32 };
@group(0) @binding(0) var<uniform> g: Gemm;
`;

export function gemmUniform(d: GemmDims): ArrayBuffer {
  const buf = new ArrayBuffer(GEMM_UNIFORM_BYTES);
  new Uint32Array(buf).set([d.rowOff, d.M, d.wOff, d.bOff, d.idtOff, d.K, d.N, d.lda, d.ldo, d.nIn, SKIP_CODE[d.skip], d.last ? 1 : 0]);
  new Float32Array(buf)[12] = d.ebias;
  return buf;
}

export function gemmShader(s: GemmSpec): string {
  const { mode } = s;
  const K = 'g.K', N = 'g.N', lda = 'g.lda', ldo = 'g.ldo';
  const act = s.activation ?? 'linear';
  let decl = '';
  let loadA = '';
  let loadB = '';
  let epi = '';
  if (mode === 'plain') {
    decl = /* wgsl */ `
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;`;
    loadA = `A[row * ${lda} + k]`;
    loadB = `B[k * ${N} + n]`;
    epi = `C[row * ${ldo} + n] = acc;`;
  } else if (mode === 'fwd') {
    decl = /* wgsl */ `
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> P: array<f32>;
@group(0) @binding(3) var<storage, read_write> D: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;
${activationFns('act', act)}`;
    loadA = `A[(g.rowOff + row) * ${lda} + k]`;
    loadB = `P[g.wOff + k * ${N} + n]`;
    // The output layer (g.last) is linear with one column: the atom energy plus its bias.
    epi = /* wgsl */ `
      let z = acc + P[g.bOff + n];
      let o = (g.rowOff + row) * ${ldo} + n;
      if (g.last != 0u) { Y[o] = z + g.ebias; continue; }
      let h = act(z);
      var idt = 1.0;
      if (g.idtOff != ${NO_IDT}u) { idt = P[g.idtOff + n]; }
      D[o] = idt * actGrad(z, h);
      var y = h * idt;
      if (g.skip == 1u) { y += A[(g.rowOff + row) * ${lda} + n]; }
      if (g.skip == 2u) { y += A[(g.rowOff + row) * ${lda} + n % g.nIn]; }
      Y[o] = y;`;
  } else {
    // Reverse: out = (gY * D) W^T + skip(gY), D = idt * act'(z) stored by the forward pass;
    // K = the layer's nOut, N = its nIn.
    decl = /* wgsl */ `
@group(0) @binding(1) var<storage, read> GY: array<f32>;
@group(0) @binding(2) var<storage, read> D: array<f32>;
@group(0) @binding(3) var<storage, read> P: array<f32>;
@group(0) @binding(4) var<storage, read_write> OUT: array<f32>;
fn gz(row: u32, k: u32) -> f32 {
  let q = (g.rowOff + row) * ${K} + k;
  return GY[q] * D[q];
}`;
    loadA = `gz(row, k)`;
    loadB = `P[g.wOff + n * ${K} + k]`;
    epi = /* wgsl */ `
      var v = acc;
      if (g.skip == 1u) { v += GY[(g.rowOff + row) * ${K} + n]; }
      if (g.skip == 2u) { for (var c2 = n; c2 < ${K}; c2 += ${N}) { v += GY[(g.rowOff + row) * ${K} + c2]; } }
      OUT[(g.rowOff + row) * ${ldo} + n] = v;`;
  }
  return /* wgsl */ `
${GEMM_DECL}
${decl}
var<workgroup> As: array<f32, 1024>;
var<workgroup> Bs: array<f32, 1024>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row0 = wid.y * 64u;
  let col0 = wid.x * 64u;
  let tid = lid.y * 16u + lid.x;
  var acc4: array<vec4f, 4>;
  for (var i = 0u; i < 4u; i++) { acc4[i] = vec4f(0.0); }
  for (var k0 = 0u; k0 < ${K}; k0 += 16u) {
    for (var q = 0u; q < 4u; q++) {
      let idx = tid + q * 256u;
      let r = idx / 16u;
      let kk = idx % 16u;
      let row = row0 + r;
      let k = k0 + kk;
      var v = 0.0;
      if (row < g.M && k < ${K}) { v = ${loadA}; }
      As[kk * 64u + r] = v;
      // B tile: threads walk the contiguous index of the weights (n forward, k in reverse, where B = W^T).
      let kb = idx ${mode === 'bwd' ? '% 16u' : '/ 64u'};
      let c = idx ${mode === 'bwd' ? '/ 16u' : '% 64u'};
      let n = col0 + c;
      let k2 = k0 + kb;
      var w = 0.0;
      if (n < ${N} && k2 < ${K}) { w = ${loadB.replace(/\bk\b/g, 'k2')}; }
      Bs[kb * 64u + c] = w;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      let a = vec4f(As[kk * 64u + lid.y * 4u], As[kk * 64u + lid.y * 4u + 1u], As[kk * 64u + lid.y * 4u + 2u], As[kk * 64u + lid.y * 4u + 3u]);
      let b = vec4f(Bs[kk * 64u + lid.x * 4u], Bs[kk * 64u + lid.x * 4u + 1u], Bs[kk * 64u + lid.x * 4u + 2u], Bs[kk * 64u + lid.x * 4u + 3u]);
      acc4[0] += a.x * b;
      acc4[1] += a.y * b;
      acc4[2] += a.z * b;
      acc4[3] += a.w * b;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let row = row0 + lid.y * 4u + i;
    if (row >= g.M) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + lid.x * 4u + j;
      if (n >= ${N}) { continue; }
      let acc = acc4[i][j];
      ${epi}
    }
  }
}
`;
}

/** Workgroups for an M x N output. */
export const gemmGrid = (M: number, N: number): [number, number] => [Math.ceil(N / 64), Math.ceil(M / 64)];
