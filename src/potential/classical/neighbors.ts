// Full neighbour list for cells periodic in any subset of the three cell vectors (the MoS2 sheet: periodic a, b;
// open c). Periodic images are generated as ghost atoms (so cells smaller than the cutoff work: several image
// layers are made), then a cell list (bins of edge >= cutoff) finds the pairs in O(N).

import { faceDistances, inverse3 } from '../neighbors.ts';
import type { System } from '../types.ts';

export interface NeighborList {
  /** Number of real atoms. */
  n: number;
  /** CSR offsets, length n + 1: entries offsets[i] .. offsets[i+1]-1 belong to atom i. */
  offsets: Int32Array;
  /** Real index of the neighbour (an image of it, possibly of i itself in a tiny cell). */
  j: Int32Array;
  /** Displacement r_j(image) - r_i, 3 per entry (Å). */
  d: Float64Array;
  /** |d| (Å). */
  r: Float64Array;
  /** Closest pair seen: indices and distance (Infinity when there are no pairs). */
  minPair: { i: number; j: number; r: number };
}

/**
 * Wraps the positions of periodic directions into the cell (in place) and returns them.
 * Non-periodic directions are left untouched.
 */
export function wrapPositions(sys: System): Float64Array {
  const { coord, cell, pbc } = sys;
  if (!cell || !(pbc[0] || pbc[1] || pbc[2])) return coord;
  const inv = inverse3(cell);
  const n = coord.length / 3;
  for (let i = 0; i < n; i++) {
    const x = coord[3 * i], y = coord[3 * i + 1], z = coord[3 * i + 2];
    for (let d = 0; d < 3; d++) {
      if (!pbc[d]) continue;
      const s = x * inv[d] + y * inv[3 + d] + z * inv[6 + d];
      const sh = Math.floor(s);
      if (sh !== 0) {
        coord[3 * i] -= sh * cell[3 * d];
        coord[3 * i + 1] -= sh * cell[3 * d + 1];
        coord[3 * i + 2] -= sh * cell[3 * d + 2];
      }
    }
  }
  return coord;
}

/** Builds the full neighbour list within `rc` (Å). Does not modify the system. */
export function buildNeighborList(sys: System, rc: number): NeighborList {
  const n = sys.coord.length / 3;
  const pos = Float64Array.from(sys.coord);
  const cell = sys.cell;
  const pbc: [boolean, boolean, boolean] = cell ? sys.pbc : [false, false, false];
  // Real atoms first (wrapped), then ghosts.
  let gx: number[] = [];
  let gowner: number[] = [];
  if (cell && (pbc[0] || pbc[1] || pbc[2])) {
    wrapPositions({ ...sys, coord: pos, pbc });
    const inv = inverse3(cell);
    const w = faceDistances(cell);
    const nim = [0, 1, 2].map((d) => (pbc[d] ? Math.ceil(rc / w[d]) : 0));
    const del = [0, 1, 2].map((d) => rc / w[d]);
    const s = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const x = pos[3 * i], y = pos[3 * i + 1], z = pos[3 * i + 2];
      for (let d = 0; d < 3; d++) s[d] = x * inv[d] + y * inv[3 + d] + z * inv[6 + d];
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
  const ng = gowner.length;
  const nt = n + ng;
  const all = new Float64Array(3 * nt);
  all.set(pos, 0);
  all.set(gx, 3 * n);
  const owner = new Int32Array(nt);
  for (let i = 0; i < n; i++) owner[i] = i;
  for (let g = 0; g < ng; g++) owner[n + g] = gowner[g];
  gx = [];
  gowner = [];

  // Bins.
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let q = 0; q < nt; q++) {
    for (let d = 0; d < 3; d++) {
      const v = all[3 * q + d];
      if (!Number.isFinite(v)) throw new Error(`atom ${owner[q]} has a non-finite coordinate (${v})`);
      if (v < lo[d]) lo[d] = v;
      if (v > hi[d]) hi[d] = v;
    }
  }
  const binLen = [0, 0, 0];
  const nb = [1, 1, 1];
  const maxBins = 8 * nt + 64;
  for (let d = 0; d < 3; d++) {
    const L = Math.max(hi[d] - lo[d], 1e-9);
    nb[d] = Math.max(1, Math.floor(L / rc));
  }
  while (nb[0] * nb[1] * nb[2] > maxBins) {
    const dmax = nb[0] >= nb[1] && nb[0] >= nb[2] ? 0 : nb[1] >= nb[2] ? 1 : 2;
    nb[dmax] = Math.max(1, Math.floor(nb[dmax] / 2));
  }
  for (let d = 0; d < 3; d++) binLen[d] = Math.max(hi[d] - lo[d], 1e-9) / nb[d];
  const nbin = nb[0] * nb[1] * nb[2];
  const head = new Int32Array(nbin).fill(-1);
  const next = new Int32Array(nt);
  const binOf = (q: number, d: number) => Math.min(nb[d] - 1, Math.floor((all[3 * q + d] - lo[d]) / binLen[d]));
  for (let q = 0; q < nt; q++) {
    const b = (binOf(q, 0) * nb[1] + binOf(q, 1)) * nb[2] + binOf(q, 2);
    next[q] = head[b];
    head[b] = q;
  }

  const rc2 = rc * rc;
  const offsets = new Int32Array(n + 1);
  let cap = Math.max(16, n * 40);
  let jArr = new Int32Array(cap);
  let dArr = new Float64Array(3 * cap);
  let rArr = new Float64Array(cap);
  let m = 0;
  const minPair = { i: -1, j: -1, r: Infinity };
  for (let i = 0; i < n; i++) {
    offsets[i] = m;
    const xi = all[3 * i], yi = all[3 * i + 1], zi = all[3 * i + 2];
    const b0 = binOf(i, 0), b1 = binOf(i, 1), b2 = binOf(i, 2);
    for (let c0 = Math.max(0, b0 - 1); c0 <= Math.min(nb[0] - 1, b0 + 1); c0++) {
      for (let c1 = Math.max(0, b1 - 1); c1 <= Math.min(nb[1] - 1, b1 + 1); c1++) {
        for (let c2 = Math.max(0, b2 - 1); c2 <= Math.min(nb[2] - 1, b2 + 1); c2++) {
          for (let q = head[(c0 * nb[1] + c1) * nb[2] + c2]; q >= 0; q = next[q]) {
            if (q === i) continue;
            const dx = all[3 * q] - xi, dy = all[3 * q + 1] - yi, dz = all[3 * q + 2] - zi;
            const r2 = dx * dx + dy * dy + dz * dz;
            if (r2 >= rc2) continue;
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
  return { n, offsets, j: jArr.subarray(0, m), d: dArr.subarray(0, 3 * m), r: rArr.subarray(0, m), minPair };
}
