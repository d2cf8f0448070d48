// What the LAMMPS writers (data file, dump, deck) share: the restricted triclinic box of a general cell, the
// atom types, and number formatting.
//
// LAMMPS needs a "restricted" triclinic box: a along +x, b in the x-y plane, c with positive z
// (https://docs.lammps.org/Howto_triclinic.html). From general rows A, B, C:
//   ax = |A|, bx = B·Â, by = |Â × B|, cx = C·Â, cy = (B·C − bx cx) / by, cz = sqrt(|C|² − cx² − cy²)
//   box: xlo = ylo = zlo = 0, xhi = ax, yhi = by, zhi = cz, xy = bx, xz = cx, yz = cy
// Positions and velocities go through the same linear map M = H⁻¹ H' (H rows A, B, C; H' rows of the LAMMPS
// box): a rotation for a right-handed cell (a left-handed cell is mirrored, which no energy notices). The MoS2
// cell of physics/lattice.ts is orthogonal with a along x, so M is the identity there. When two periodic
// directions allow it, a tilt beyond half the box length is reduced by a lattice vector (the same lattice;
// LAMMPS refuses larger tilts by default).

export interface LammpsBox {
  xlo: number; xhi: number; ylo: number; yhi: number; zlo: number; zhi: number;
  xy: number; xz: number; yz: number;
  /** Row-vector map r' = r M (9 numbers, row-major) from the original Cartesian frame to the LAMMPS one. */
  map: Float64Array;
  /** True when M is the identity (no rotation needed). */
  identity: boolean;
}

const dot = (a: number[], b: number[]): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

function inv3(m: ArrayLike<number>): Float64Array {
  const [a, b, c, d, e, f, g, h, i] = Array.from(m);
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!(Math.abs(det) > 0)) throw new Error('LAMMPS box: the cell is singular');
  return Float64Array.from([A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d].map((x) => x / det));
}

function mul3(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const o = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) o[3 * r + c] = a[3 * r] * b[c] + a[3 * r + 1] * b[3 + c] + a[3 * r + 2] * b[6 + c];
  return o;
}

/** The restricted triclinic LAMMPS box of a cell (rows a, b, c) and the map of coordinates into it. */
export function lammpsBox(cell: ArrayLike<number>, pbc: readonly [boolean, boolean, boolean] = [true, true, true]): LammpsBox {
  const A = [cell[0], cell[1], cell[2]], B = [cell[3], cell[4], cell[5]], C = [cell[6], cell[7], cell[8]];
  const ax = Math.sqrt(dot(A, A));
  const u = A.map((x) => x / ax);
  const bx = dot(B, u);
  const cr = [u[1] * B[2] - u[2] * B[1], u[2] * B[0] - u[0] * B[2], u[0] * B[1] - u[1] * B[0]];
  const by = Math.sqrt(dot(cr, cr));
  const cx = dot(C, u);
  const cy = (dot(B, C) - bx * cx) / by;
  const cz = Math.sqrt(Math.max(0, dot(C, C) - cx * cx - cy * cy));
  if (!(ax > 0 && by > 0 && cz > 0)) throw new Error('LAMMPS box: degenerate cell');
  const H2 = [ax, 0, 0, bx, by, 0, cx, cy, cz];
  const map = mul3(inv3(cell), H2);
  const identity = map.every((x, k) => Math.abs(x - (k % 4 === 0 ? 1 : 0)) < 1e-14);
  let xy = bx, xz = cx, yz = cy;
  // Multiples of a lattice vector to take off a tilt beyond half the box (an exact half stays as it is).
  const over = (tilt: number, len: number): number => (Math.abs(tilt) > 0.5 * len * (1 + 1e-12) ? Math.round(tilt / len) : 0);
  if (pbc[0] && pbc[1]) xy -= over(xy, ax) * ax;
  if (pbc[2]) {
    const k = pbc[1] ? over(yz, by) : 0;
    yz -= k * by;
    xz -= k * xy;
    if (pbc[0]) xz -= over(xz, ax) * ax;
  }
  return { xlo: 0, xhi: ax, ylo: 0, yhi: by, zlo: 0, zhi: cz, xy, xz, yz, map: identity ? Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]) : map, identity };
}

/** Applies the box map to flat natoms*3 vectors (positions or velocities); returns the input when identity. */
export function toLammpsFrame(box: LammpsBox, v: Float64Array): Float64Array {
  if (box.identity) return v;
  const m = box.map, o = new Float64Array(v.length);
  for (let q = 0; q < v.length; q += 3) {
    const x = v[q], y = v[q + 1], z = v[q + 2];
    o[q] = x * m[0] + y * m[3] + z * m[6];
    o[q + 1] = x * m[1] + y * m[4] + z * m[7];
    o[q + 2] = x * m[2] + y * m[5] + z * m[8];
  }
  return o;
}

export interface LammpsTypes {
  /** LAMMPS types 1..T: element and mass. */
  types: { species: string; mass: number }[];
  /** LAMMPS type (1-based) per atom. */
  typeOf: Int32Array;
}

/**
 * LAMMPS atom types: one per (species, mass) pair, ordered by species index then first appearance, so that the
 * sheet's Mo and S are types 1 and 2 and a foreign ion comes after them.
 */
export function lammpsTypes(species: readonly string[], atype: Int32Array, masses: Float64Array): LammpsTypes {
  const n = atype.length;
  const keys: { s: number; m: number }[] = [];
  const first = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const k = `${atype[i]}:${masses[i]}`;
    if (!first.has(k)) { first.set(k, keys.length); keys.push({ s: atype[i], m: masses[i] }); }
  }
  const order = keys.map((_, q) => q).sort((p, q) => keys[p].s - keys[q].s || p - q);
  const typeOfKey = new Map<string, number>();
  order.forEach((q, t) => typeOfKey.set(`${keys[q].s}:${keys[q].m}`, t + 1));
  const typeOf = new Int32Array(n);
  for (let i = 0; i < n; i++) typeOf[i] = typeOfKey.get(`${atype[i]}:${masses[i]}`)!;
  return { types: order.map((q) => ({ species: species[keys[q].s], mass: keys[q].m })), typeOf };
}

/** Full precision (shortest round-trip) or fixed decimals. */
export const fmt = (x: number, decimals?: number): string => (decimals === undefined ? String(x) : x.toFixed(decimals));

/** LAMMPS boundary letters of one direction: 'p' when periodic, else the given non-periodic style. */
export const boundaryLetter = (periodic: boolean, open: 'f' | 's' | 'm'): string => (periodic ? 'p' : open);
