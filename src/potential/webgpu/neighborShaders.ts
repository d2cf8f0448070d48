// Cell-list neighbour search in WGSL (rebuilt only when some atom has moved more than half the skin).
// Bins live in a frame whose rows are the cell vectors along periodic directions; along open directions they
// span the atoms' current extent. The result is a full, symmetric list per atom of (neighbour j, image code)
// within rc + skin, sorted by (j, code) so that sums over it are deterministic, plus for each entry the index of
// the reverse entry in j's list. atomInfo[i] = (model type, species, entry count, 0) (the force gather reads through it instead of using float atomics).
import { GEOMETRY_DECL, PAIR_DISP_FN } from './wgslCommon.ts';

export const NB_PARAMS_DECL = /* wgsl */ `
struct NbParams {
  n: u32, cap: u32, nbins: u32, pad0: u32,
  nb: vec4<u32>,
  reach: vec4<u32>,
  periodic: vec4<u32>,
  origin: vec4f,
  hinv0: vec4f, hinv1: vec4f, hinv2: vec4f,
  umin: vec4f,
  invWidth: vec4f,
  rc2: f32, pad1: f32, pad2: f32, pad3: f32,
};
`;

/** Floats in NbParams (for the uniform buffer). */
export const NB_PARAMS_FLOATS = 4 * 11 + 4;

const head = /* wgsl */ `
${NB_PARAMS_DECL}
${GEOMETRY_DECL}
@group(0) @binding(0) var<uniform> nb: NbParams;
@group(0) @binding(1) var<uniform> geo: Geometry;
`;

const binOfFn = /* wgsl */ `
fn binCoords(p: vec3f) -> vec3<i32> {
  let u = p - nb.origin.xyz;
  let f = vec3f(dot(u, nb.hinv0.xyz), dot(u, nb.hinv1.xyz), dot(u, nb.hinv2.xyz));
  let b = floor((f - nb.umin.xyz) * nb.invWidth.xyz);
  return clamp(vec3<i32>(b), vec3<i32>(0), vec3<i32>(nb.nb.xyz) - vec3<i32>(1));
}
`;

export const NB_BIN = /* wgsl */ `${head}
@group(0) @binding(2) var<storage, read> pos: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> binOf: array<u32>;
@group(0) @binding(4) var<storage, read_write> binCount: array<atomic<u32>>;
${binOfFn}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= nb.n) { return; }
  let c = binCoords(pos[2u * i].xyz + pos[2u * i + 1u].xyz);
  let b = u32(c.x) + nb.nb.x * (u32(c.y) + nb.nb.y * u32(c.z));
  binOf[i] = b;
  atomicAdd(&binCount[b], 1u);
}
`;

/** Exclusive scan of the bin counts by one workgroup; binStart has nbins + 1 entries. Also clears binFill. */
export const NB_SCAN = /* wgsl */ `${head}
@group(0) @binding(2) var<storage, read_write> binCount: array<u32>;
@group(0) @binding(3) var<storage, read_write> binStart: array<u32>;
@group(0) @binding(4) var<storage, read_write> binFill: array<u32>;
var<workgroup> part: array<u32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3u) {
  let t = lid.x;
  let per = (nb.nbins + 255u) / 256u;
  let b0 = min(t * per, nb.nbins);
  let b1 = min(b0 + per, nb.nbins);
  var s = 0u;
  for (var b = b0; b < b1; b++) { s += binCount[b]; }
  part[t] = s;
  workgroupBarrier();
  for (var off = 1u; off < 256u; off *= 2u) {
    var v = 0u;
    if (t >= off) { v = part[t - off]; }
    workgroupBarrier();
    part[t] += v;
    workgroupBarrier();
  }
  var run = part[t] - s;
  for (var b = b0; b < b1; b++) { binStart[b] = run; run += binCount[b]; binFill[b] = 0u; }
  if (t == 255u) { binStart[nb.nbins] = part[255]; }
}
`;

export const NB_PLACE = /* wgsl */ `${head}
@group(0) @binding(2) var<storage, read> binOf: array<u32>;
@group(0) @binding(3) var<storage, read> binStart: array<u32>;
@group(0) @binding(4) var<storage, read_write> binFill: array<atomic<u32>>;
@group(0) @binding(5) var<storage, read_write> binAtoms: array<u32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= nb.n) { return; }
  let b = binOf[i];
  binAtoms[binStart[b] + atomicAdd(&binFill[b], 1u)] = i;
}
`;

/** The list itself: every image of every atom in the bins within reach, kept when closer than rc + skin. */
export const NB_LIST = /* wgsl */ `${head}
@group(0) @binding(2) var<storage, read> pos: array<vec4f>;
@group(0) @binding(3) var<storage, read> binOf: array<u32>;
@group(0) @binding(4) var<storage, read> binStart: array<u32>;
@group(0) @binding(5) var<storage, read> binAtoms: array<u32>;
@group(0) @binding(6) var<storage, read_write> entries: array<vec2<u32>>;
@group(0) @binding(7) var<storage, read_write> atomInfo: array<vec4<i32>>;
${PAIR_DISP_FN}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= nb.n) { return; }
  let bi = binOf[i];
  let nbv = vec3<i32>(nb.nb.xyz);
  let home = vec3<i32>(i32(bi % nb.nb.x), i32((bi / nb.nb.x) % nb.nb.y), i32(bi / (nb.nb.x * nb.nb.y)));
  let reach = vec3<i32>(nb.reach.xyz);
  let base = i * nb.cap;
  var cnt = 0u;
  for (var oz = -reach.z; oz <= reach.z; oz++) {
    for (var oy = -reach.y; oy <= reach.y; oy++) {
      for (var ox = -reach.x; ox <= reach.x; ox++) {
        let raw = home + vec3<i32>(ox, oy, oz);
        var m = vec3<i32>(0);
        var w = raw;
        var inside = true;
        for (var k = 0; k < 3; k++) {
          if (nb.periodic[k] != 0u) {
            m[k] = i32(floor(f32(raw[k]) / f32(nbv[k])));
            w[k] = raw[k] - m[k] * nbv[k];
          } else if (raw[k] < 0 || raw[k] >= nbv[k]) { inside = false; }
        }
        if (!inside) { continue; }
        let b = u32(w.x) + nb.nb.x * (u32(w.y) + nb.nb.y * u32(w.z));
        let code = u32(m.x + 128) | (u32(m.y + 128) << 8u) | (u32(m.z + 128) << 16u);
        for (var q = binStart[b]; q < binStart[b + 1u]; q++) {
          let j = binAtoms[q];
          if (j == i && m.x == 0 && m.y == 0 && m.z == 0) { continue; }
          let d = pairDisp(i, j, code);
          if (dot(d, d) < nb.rc2) {
            if (cnt < nb.cap) { entries[base + cnt] = vec2<u32>(j, code); }
            cnt++;
          }
        }
      }
    }
  }
  atomInfo[i].z = i32(cnt);
  // Insertion sort by (j, code): deterministic order whatever the binning order was.
  let len = min(cnt, nb.cap);
  for (var a = 1u; a < len; a++) {
    let e = entries[base + a];
    var b = a;
    loop {
      if (b == 0u) { break; }
      let p = entries[base + b - 1u];
      if (p.x < e.x || (p.x == e.x && p.y < e.y)) { break; }
      entries[base + b] = p;
      b--;
    }
    entries[base + b] = e;
  }
}
`;

/** For each entry (j, m) of atom i, the position of (i, -m) in j's sorted list (binary search). */
export const NB_REVERSE = /* wgsl */ `${head}
@group(0) @binding(2) var<storage, read> entries: array<vec2<u32>>;
@group(0) @binding(3) var<storage, read> atomInfo: array<vec4<i32>>;
@group(0) @binding(4) var<storage, read_write> rev: array<u32>;
fn negCode(code: u32) -> u32 {
  return (256u - (code & 255u)) | ((256u - ((code >> 8u) & 255u)) << 8u) | ((256u - ((code >> 16u) & 255u)) << 16u);
}
fn countOf(i: u32) -> u32 { return min(u32(atomInfo[i].z), nb.cap); }
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= nb.n) { return; }
  let len = countOf(i);
  for (var p = 0u; p < len; p++) {
    let e = entries[i * nb.cap + p];
    let j = e.x;
    let want = vec2<u32>(i, negCode(e.y));
    var lo = 0u;
    var hi = countOf(j);
    while (lo < hi) {
      let mid = (lo + hi) / 2u;
      let c = entries[j * nb.cap + mid];
      if (c.x < want.x || (c.x == want.x && c.y < want.y)) { lo = mid + 1u; } else { hi = mid; }
    }
    var r = 0xffffffffu;
    if (lo < countOf(j)) {
      let c = entries[j * nb.cap + lo];
      if (c.x == want.x && c.y == want.y) { r = lo; }
    }
    rev[i * nb.cap + p] = r;
  }
}
`;
