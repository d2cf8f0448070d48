// The one neighbour list of the project: every engine (the DP float64 reference, the classical SW + ZBL baseline,
// the foreign-species ZBL) uses it.
//
// `buildNeighborList`: all neighbours within a cut-off, for any triclinic cell with per-direction periodicity
// (including cells so small that an atom sees its own images, several image layers deep), or no cell at all.
// Atoms are wrapped into the cell along periodic directions; ghost images are made only for atoms within the
// cut-off of a face (fractional coordinate within rcut/face distance of the cell), then a bin grid with bins of
// edge >= rcut finds the pairs in O(N). Result: a CSR list of (owner index j, displacement d_ij = r_j' - r_i,
// distance) per atom, plus the closest pair (for "atoms too close" errors).
//
// `VerletList`: the same list built at rcut + skin and reused while no atom has moved more than skin/2 since the
// build (so no pair can have come from beyond rcut + skin to inside rcut) and the cell is unchanged; between builds
// only the displacements and distances are refreshed (d_ij = d_ij(build) + u_j - u_i, u = minimum-image
// displacement since the build, so wrapping atoms back into the cell between calls is harmless). Consumers must
// apply their own cut-offs (entries up to rcut + skin are present).

import { PotentialRangeError } from './types.ts';

export interface NeighborList {
  /** Number of atoms (centres). */
  n: number;
  /** offsets[i]..offsets[i+1] index the entries of atom i. */
  offsets: Int32Array;
  /** Owner (local) index of each neighbour (an image of it, possibly of i itself in a tiny cell). */
  index: Int32Array;
  /** Flat displacement vectors r_j(image) - r_i (Å), 3 per entry. */
  disp: Float64Array;
  /** |disp| (Å). */
  dist: Float64Array;
  /** Closest pair in the list: indices and distance (i = j = -1, r = Infinity when there are no pairs). */
  minPair: { i: number; j: number; r: number };
}

/** Positions and periodicity: the part of a `System` the neighbour search needs. */
export interface Geometry {
  coord: Float64Array;
  cell: Float64Array | null;
  pbc: readonly boolean[];
}

/** Inverse of a 3x3 row-major matrix. */
export function inverse3(m: ArrayLike<number>): Float64Array {
  const [a, b, c, d, e, f, g, h, i] = Array.from(m);
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new Error('The cell matrix is singular (zero volume): check the box vectors.');
  const r = 1 / det;
  return Float64Array.from([A * r, -(b * i - c * h) * r, (b * f - c * e) * r, B * r, (a * i - c * g) * r, -(a * f - c * d) * r, C * r, -(a * h - b * g) * r, (a * e - b * d) * r]);
}

/** Distance between the two lattice planes spanned by the other two cell vectors, per direction. */
export function faceDistances(cell: ArrayLike<number>): number[] {
  const v = [0, 1, 2].map((k) => [cell[3 * k], cell[3 * k + 1], cell[3 * k + 2]]);
  const cross = (p: number[], q: number[]) => [p[1] * q[2] - p[2] * q[1], p[2] * q[0] - p[0] * q[2], p[0] * q[1] - p[1] * q[0]];
  const vol = Math.abs(v[0][0] * cross(v[1], v[2])[0] + v[0][1] * cross(v[1], v[2])[1] + v[0][2] * cross(v[1], v[2])[2]);
  return [0, 1, 2].map((k) => {
    const n = cross(v[(k + 1) % 3], v[(k + 2) % 3]);
    return vol / Math.hypot(n[0], n[1], n[2]);
  });
}

const periodicOf = (g: Geometry): boolean[] => (g.cell ? [0, 1, 2].map((k) => Boolean(g.pbc[k])) : [false, false, false]);

/**
 * Wraps the positions of periodic directions into the cell (in place) and returns them.
 * Non-periodic directions are left untouched.
 */
export function wrapPositions(g: Geometry): Float64Array {
  const { coord, cell } = g;
  const periodic = periodicOf(g);
  if (!cell || !periodic.some(Boolean)) return coord;
  const inv = inverse3(cell);
  const n = coord.length / 3;
  for (let i = 0; i < n; i++) {
    const x = coord[3 * i], y = coord[3 * i + 1], z = coord[3 * i + 2];
    for (let k = 0; k < 3; k++) {
      if (!periodic[k]) continue;
      const sh = Math.floor(x * inv[k] + y * inv[3 + k] + z * inv[6 + k]);
      if (sh !== 0) for (let q = 0; q < 3; q++) coord[3 * i + q] -= sh * cell[3 * k + q];
    }
  }
  return coord;
}

export function buildNeighborList(
  coord: Float64Array,
  cell: Float64Array | null,
  pbc: readonly boolean[],
  rcut: number,
  /** Atoms with mask[i] = false get no neighbours and are nobody's neighbour. */
  mask?: ArrayLike<boolean>,
): NeighborList {
  const n = coord.length / 3;
  for (let q = 0; q < coord.length; q++) {
    if (!Number.isFinite(coord[q])) throw new PotentialRangeError(`atom ${Math.floor(q / 3)} has a non-finite coordinate (${coord[q]})`);
  }
  const on = (i: number) => !mask || Boolean(mask[i]);
  const periodic = periodicOf({ coord, cell, pbc });
  const pos = wrapPositions({ coord: Float64Array.from(coord), cell, pbc });
  // Ghost images of atoms near the faces (all image layers a tiny cell needs).
  const gx: number[] = [];
  const gowner: number[] = [];
  if (cell && periodic.some(Boolean)) {
    const inv = inverse3(cell);
    const h = faceDistances(cell);
    const nim = [0, 1, 2].map((k) => (periodic[k] ? Math.ceil(rcut / h[k]) : 0));
    const del = [0, 1, 2].map((k) => rcut / h[k]);
    const s = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      if (!on(i)) continue;
      const x = pos[3 * i], y = pos[3 * i + 1], z = pos[3 * i + 2];
      for (let k = 0; k < 3; k++) s[k] = x * inv[k] + y * inv[3 + k] + z * inv[6 + k];
      for (let n0 = -nim[0]; n0 <= nim[0]; n0++) {
        const s0 = s[0] + n0;
        if (n0 !== 0 && (s0 < -del[0] || s0 > 1 + del[0])) continue;
        for (let n1 = -nim[1]; n1 <= nim[1]; n1++) {
          const s1 = s[1] + n1;
          if (n1 !== 0 && (s1 < -del[1] || s1 > 1 + del[1])) continue;
          for (let n2 = -nim[2]; n2 <= nim[2]; n2++) {
            if (n0 === 0 && n1 === 0 && n2 === 0) continue;
            const s2 = s[2] + n2;
            if (n2 !== 0 && (s2 < -del[2] || s2 > 1 + del[2])) continue;
            gx.push(
              x + n0 * cell[0] + n1 * cell[3] + n2 * cell[6],
              y + n0 * cell[1] + n1 * cell[4] + n2 * cell[7],
              z + n0 * cell[2] + n1 * cell[5] + n2 * cell[8],
            );
            gowner.push(i);
          }
        }
      }
    }
  }
  // Real atoms first (wrapped), then ghosts.
  const ng = gowner.length;
  const nt = n + ng;
  const all = new Float64Array(3 * nt);
  all.set(pos, 0);
  all.set(gx, 3 * n);
  const owner = new Int32Array(nt);
  for (let i = 0; i < n; i++) owner[i] = i;
  for (let g = 0; g < ng; g++) owner[n + g] = gowner[g];

  // Bins of edge >= rcut over the bounding box of the (unmasked) points.
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let q = 0; q < nt; q++) {
    if (q < n && !on(q)) continue;
    for (let k = 0; k < 3; k++) {
      const v = all[3 * q + k];
      if (v < lo[k]) lo[k] = v;
      if (v > hi[k]) hi[k] = v;
    }
  }
  const nb = [1, 1, 1];
  const binLen = [1, 1, 1];
  if (lo[0] <= hi[0]) {
    const w = Math.max(rcut, 1e-6);
    for (let k = 0; k < 3; k++) nb[k] = Math.max(1, Math.floor(Math.max(hi[k] - lo[k], 1e-9) / w));
    const maxBins = 8 * nt + 64;
    while (nb[0] * nb[1] * nb[2] > maxBins) {
      const k = nb[0] >= nb[1] && nb[0] >= nb[2] ? 0 : nb[1] >= nb[2] ? 1 : 2;
      nb[k] = Math.max(1, Math.floor(nb[k] / 2));
    }
    for (let k = 0; k < 3; k++) binLen[k] = Math.max(hi[k] - lo[k], 1e-9) / nb[k];
  }
  const head = new Int32Array(nb[0] * nb[1] * nb[2]).fill(-1);
  const next = new Int32Array(nt).fill(-1);
  const binOf = (q: number, k: number) => Math.max(0, Math.min(nb[k] - 1, Math.floor((all[3 * q + k] - lo[k]) / binLen[k])));
  for (let q = nt - 1; q >= 0; q--) {
    if (q < n && !on(q)) continue;
    const b = (binOf(q, 0) * nb[1] + binOf(q, 1)) * nb[2] + binOf(q, 2);
    next[q] = head[b];
    head[b] = q;
  }

  const rc2 = rcut * rcut;
  const offsets = new Int32Array(n + 1);
  let cap = Math.max(16, n * 40);
  let jArr = new Int32Array(cap);
  let dArr = new Float64Array(3 * cap);
  let rArr = new Float64Array(cap);
  let m = 0;
  const minPair = { i: -1, j: -1, r: Infinity };
  for (let i = 0; i < n; i++) {
    offsets[i] = m;
    if (!on(i)) continue;
    const xi = all[3 * i], yi = all[3 * i + 1], zi = all[3 * i + 2];
    const b0 = binOf(i, 0), b1 = binOf(i, 1), b2 = binOf(i, 2);
    for (let c0 = Math.max(0, b0 - 1); c0 <= Math.min(nb[0] - 1, b0 + 1); c0++) {
      for (let c1 = Math.max(0, b1 - 1); c1 <= Math.min(nb[1] - 1, b1 + 1); c1++) {
        for (let c2 = Math.max(0, b2 - 1); c2 <= Math.min(nb[2] - 1, b2 + 1); c2++) {
          for (let q = head[(c0 * nb[1] + c1) * nb[2] + c2]; q >= 0; q = next[q]) {
            if (q === i) continue;
            const dx = all[3 * q] - xi, dy = all[3 * q + 1] - yi, dz = all[3 * q + 2] - zi;
            const r2 = dx * dx + dy * dy + dz * dz;
            if (r2 > rc2) continue;
            if (m >= cap) {
              cap *= 2;
              const j2 = new Int32Array(cap); j2.set(jArr); jArr = j2;
              const d2 = new Float64Array(3 * cap); d2.set(dArr); dArr = d2;
              const r2a = new Float64Array(cap); r2a.set(rArr); rArr = r2a;
            }
            const r = Math.sqrt(r2);
            jArr[m] = owner[q];
            dArr[3 * m] = dx; dArr[3 * m + 1] = dy; dArr[3 * m + 2] = dz;
            rArr[m] = r;
            if (r < minPair.r) { minPair.r = r; minPair.i = i; minPair.j = owner[q]; }
            m++;
          }
        }
      }
    }
  }
  offsets[n] = m;
  return { n, offsets, index: jArr.slice(0, m), disp: dArr.slice(0, 3 * m), dist: rArr.slice(0, m), minPair };
}

/**
 * A neighbour list with a skin (LAMMPS `neighbor SKIN bin` + `neigh_modify every 1 delay 0 check yes`): built at
 * cutoff + skin, reused until some atom has moved more than skin/2 since the build, the number of atoms changed or
 * the cell / periodicity changed. skin = 0 rebuilds whenever anything moved.
 */
export class VerletList {
  /** Number of builds and of reuses so far (diagnostics, benchmarks). */
  builds = 0;
  reuses = 0;
  private list: NeighborList | null = null;
  private x0 = new Float64Array(0);
  private disp0 = new Float64Array(0);
  private cell0: Float64Array | null = null;
  private pbc0: boolean[] = [];
  private inv: Float64Array | null = null;

  constructor(readonly cutoff: number, readonly skin: number) {
    if (!(cutoff > 0) || !(skin >= 0)) throw new Error(`VerletList: cutoff ${cutoff} and skin ${skin} must be positive`);
  }

  /** Forgets the stored list (the next `update` builds). */
  invalidate(): void {
    this.list = null;
  }

  private sameFrame(g: Geometry): boolean {
    const periodic = periodicOf(g);
    if (!this.list || this.x0.length !== g.coord.length) return false;
    if (periodic.some((p, k) => p !== this.pbc0[k])) return false;
    if ((g.cell === null) !== (this.cell0 === null)) return false;
    if (g.cell && this.cell0) for (let q = 0; q < 9; q++) if (g.cell[q] !== this.cell0[q]) return false;
    return true;
  }

  /**
   * The list for these positions: every pair closer than `cutoff` is present (with entries up to cutoff + skin),
   * with disp, dist and minPair computed from `g.coord`. The returned object is owned by this VerletList and is
   * overwritten by the next call.
   */
  update(g: Geometry): NeighborList {
    const n = g.coord.length / 3;
    if (this.sameFrame(g)) {
      const u = new Float64Array(3 * n);
      const periodic = this.pbc0;
      const cell = this.cell0;
      const inv = this.inv;
      const lim2 = 0.25 * this.skin * this.skin;
      let moved = false;
      for (let i = 0; i < n && !moved; i++) {
        let ux = g.coord[3 * i] - this.x0[3 * i], uy = g.coord[3 * i + 1] - this.x0[3 * i + 1], uz = g.coord[3 * i + 2] - this.x0[3 * i + 2];
        if (!Number.isFinite(ux + uy + uz)) { moved = true; break; }
        if (cell && inv) {
          for (let k = 0; k < 3; k++) {
            if (!periodic[k]) continue;
            const sh = Math.round(ux * inv[k] + uy * inv[3 + k] + uz * inv[6 + k]);
            if (sh !== 0) { ux -= sh * cell[3 * k]; uy -= sh * cell[3 * k + 1]; uz -= sh * cell[3 * k + 2]; }
          }
        }
        if (ux * ux + uy * uy + uz * uz > lim2) moved = true;
        u[3 * i] = ux; u[3 * i + 1] = uy; u[3 * i + 2] = uz;
      }
      if (!moved) {
        const nl = this.list!;
        const { offsets, index, disp, dist } = nl;
        const d0 = this.disp0;
        const mp = nl.minPair;
        mp.i = -1; mp.j = -1; mp.r = Infinity;
        for (let i = 0; i < n; i++) {
          const uxi = u[3 * i], uyi = u[3 * i + 1], uzi = u[3 * i + 2];
          for (let m = offsets[i]; m < offsets[i + 1]; m++) {
            const j = index[m];
            const dx = d0[3 * m] + u[3 * j] - uxi, dy = d0[3 * m + 1] + u[3 * j + 1] - uyi, dz = d0[3 * m + 2] + u[3 * j + 2] - uzi;
            disp[3 * m] = dx; disp[3 * m + 1] = dy; disp[3 * m + 2] = dz;
            const r = Math.sqrt(dx * dx + dy * dy + dz * dz);
            dist[m] = r;
            if (r < mp.r) { mp.r = r; mp.i = i; mp.j = j; }
          }
        }
        this.reuses++;
        return nl;
      }
    }
    const nl = buildNeighborList(g.coord, g.cell, g.pbc, this.cutoff + this.skin);
    this.list = nl;
    this.x0 = Float64Array.from(g.coord);
    this.disp0 = Float64Array.from(nl.disp);
    this.cell0 = g.cell ? Float64Array.from(g.cell) : null;
    this.pbc0 = periodicOf(g);
    this.inv = g.cell && this.pbc0.some(Boolean) ? inverse3(g.cell) : null;
    this.builds++;
    return nl;
  }
}
