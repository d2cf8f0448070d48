// Tiled f32 matrix multiply in WGSL: 64x64 output tiles per workgroup of 16x16 threads (4x4 outputs each),
// K in steps of 16 through workgroup memory. The fitting nets run as these GEMMs (rows = atoms of one centre type),
// with the layer's bias, activation, ResNet step and skip fused into the epilogue, or in reverse with the
// activation derivative fused into the operand load. The same kernel in 'plain' mode measures the adapter's dense
// matmul rate for the benchmark, so the DP step is compared with what this code achieves on a plain GEMM.
import type { Activation, Skip } from '../../model/types.ts';
import { activationFns } from './dpShaders.ts';

export type GemmMode = 'fwd' | 'last' | 'bwd' | 'plain';

export interface GemmSpec {
  mode: GemmMode;
  /** Inner dimension. */
  K: number;
  /** Output columns. */
  N: number;
  /** Row stride of the A operand (fwd/last: the layer input; plain: K). */
  lda: number;
  /** Row stride of the output (bwd: may be wider than N, e.g. the fitting input with fparam). */
  ldo: number;
  activation?: Activation;
  skip?: Skip;
  /** Input width of the layer (fwd: for the concat skip). */
  nIn?: number;
  hasIdt?: boolean;
}

/** Per-dispatch uniform: which rows, where the layer's weights are in the params buffer. */
export const GEMM_UNIFORM_WORDS = 8;
export const GEMM_DECL = /* wgsl */ `
struct Gemm { rowOff: u32, M: u32, wOff: u32, bOff: u32, idtOff: u32, pad0: u32, ebias: f32, pad1: f32 };
@group(0) @binding(0) var<uniform> g: Gemm;
`;

export function gemmShader(s: GemmSpec): string {
  const { K, N, lda, ldo, mode } = s;
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
    loadA = `A[row * ${lda}u + k]`;
    loadB = `B[k * ${N}u + n]`;
    epi = `C[row * ${ldo}u + n] = acc;`;
  } else if (mode === 'fwd' || mode === 'last') {
    decl = /* wgsl */ `
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> P: array<f32>;
@group(0) @binding(3) var<storage, read_write> Z: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;
${activationFns('act', act)}`;
    loadA = `A[(g.rowOff + row) * ${lda}u + k]`;
    loadB = `P[g.wOff + k * ${N}u + n]`;
    if (mode === 'last') {
      epi = `Y[(g.rowOff + row) * ${ldo}u + n] = acc + P[g.bOff + n] + g.ebias;`;
    } else {
      const skip = s.skip === 'identity' ? `y += A[(g.rowOff + row) * ${lda}u + n];` : s.skip === 'concat' ? `y += A[(g.rowOff + row) * ${lda}u + n % ${s.nIn}u];` : '';
      epi = /* wgsl */ `
      let z = acc + P[g.bOff + n];
      Z[(g.rowOff + row) * ${ldo}u + n] = z;
      var y = act(z)${s.hasIdt ? ' * P[g.idtOff + n]' : ''};
      ${skip}
      Y[(g.rowOff + row) * ${ldo}u + n] = y;`;
    }
  } else {
    // Reverse: out = (gY * idt * act'(Z)) W^T + skip(gY); K = the layer's nOut, N = its nIn.
    decl = /* wgsl */ `
@group(0) @binding(1) var<storage, read> GY: array<f32>;
@group(0) @binding(2) var<storage, read> Z: array<f32>;
@group(0) @binding(3) var<storage, read> P: array<f32>;
@group(0) @binding(4) var<storage, read_write> OUT: array<f32>;
${activationFns('act', act)}
fn gz(row: u32, k: u32) -> f32 {
  let q = (g.rowOff + row) * ${K}u + k;
  let z = Z[q];
  return GY[q]${s.hasIdt ? ' * P[g.idtOff + k]' : ''} * actGrad(z, act(z));
}`;
    loadA = `gz(row, k)`;
    loadB = `P[g.wOff + n * ${K}u + k]`;
    const skip = s.skip === 'identity' ? `v += GY[(g.rowOff + row) * ${K}u + n];` : s.skip === 'concat' ? `for (var c2 = n; c2 < ${K}u; c2 += ${N}u) { v += GY[(g.rowOff + row) * ${K}u + c2]; }` : '';
    epi = /* wgsl */ `
      var v = acc;
      ${skip}
      OUT[(g.rowOff + row) * ${ldo}u + n] = v;`;
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
  for (var k0 = 0u; k0 < ${K}u; k0 += 16u) {
    for (var q = 0u; q < 4u; q++) {
      let idx = tid + q * 256u;
      let r = idx / 16u;
      let kk = idx % 16u;
      let row = row0 + r;
      let k = k0 + kk;
      var v = 0.0;
      if (row < g.M && k < ${K}u) { v = ${loadA}; }
      As[kk * 64u + r] = v;
      let kb = idx / 64u;
      let c = idx % 64u;
      let n = col0 + c;
      let k2 = k0 + kb;
      var w = 0.0;
      if (n < ${N}u && k2 < ${K}u) { w = ${loadB.replace(/\bk\b/g, 'k2')}; }
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
      if (n >= ${N}u) { continue; }
      let acc = acc4[i][j];
      ${epi}
    }
  }
}
`;
}

/** Workgroups for an M x N output. */
export const gemmGrid = (M: number, N: number): [number, number] => [Math.ceil(N / 64), Math.ceil(M / 64)];
