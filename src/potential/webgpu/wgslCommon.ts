// WGSL pieces shared by the neighbour-list and DP kernels.
//
// Positions are uploaded as hi + lo float32 pairs: hi is the f64 position rounded to a 1/256 Å grid, lo the rest.
// Cell vectors are split the same way. Then (hi_j - hi_i) + m·L_hi is exact in f32 and the displacement keeps
// ~1e-7 relative precision even 100 Å from the origin, where a plain f32 position is good to only ~4e-6 Å.
// A pair is always evaluated from its canonical side (lower index; for an atom and its own image, the smaller
// image code) and negated on the other, so both directions of a pair see bitwise opposite displacements: the
// symmetric neighbour lists and the force gather depend on it.

/** The cell split into hi/lo rows (a uniform). Positions: `pos`, hi at 2i and lo at 2i + 1. */
export const GEOMETRY_DECL = /* wgsl */ `
struct Geometry {
  lhi0: vec4f, lhi1: vec4f, lhi2: vec4f,
  llo0: vec4f, llo1: vec4f, llo2: vec4f,
};
`;

export const PAIR_DISP_FN = /* wgsl */ `
fn imageOf(code: u32) -> vec3f {
  return vec3f(f32(i32(code & 255u) - 128), f32(i32((code >> 8u) & 255u) - 128), f32(i32((code >> 16u) & 255u) - 128));
}
fn negCode(code: u32) -> u32 {
  return (256u - (code & 255u)) | ((256u - ((code >> 8u) & 255u)) << 8u) | ((256u - ((code >> 16u) & 255u)) << 16u);
}
fn dispRaw(a: u32, b: u32, code: u32) -> vec3f {
  let m = imageOf(code);
  let hi = (pos[2u * b].xyz - pos[2u * a].xyz) + (m.x * geo.lhi0.xyz + m.y * geo.lhi1.xyz + m.z * geo.lhi2.xyz);
  let lo = (pos[2u * b + 1u].xyz - pos[2u * a + 1u].xyz) + (m.x * geo.llo0.xyz + m.y * geo.llo1.xyz + m.z * geo.llo2.xyz);
  return hi + lo;
}
/** r_j + image - r_i for the list entry (j, code) of atom i. */
fn pairDisp(i: u32, j: u32, code: u32) -> vec3f {
  let nc = negCode(code);
  if (i < j || (i == j && code < nc)) { return dispRaw(i, j, code); }
  return -dispRaw(j, i, nc);
}
`;

/** Linear workgroup id for dispatches spread over x and y (more than 65535 workgroups). */
export const LINEAR_WG = /* wgsl */ `
fn linearWg(wid: vec3u, nwg: vec3u) -> u32 { return wid.x + wid.y * nwg.x; }
`;

export const IMAGE_BIAS = 128;

/** Packs an image vector (each component in [-127, 127]) as the kernels do. */
export const packImage = (mx: number, my: number, mz: number): number => (mx + 128) | ((my + 128) << 8) | ((mz + 128) << 16);
