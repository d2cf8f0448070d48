// All neighbours within a cut-off, for any triclinic cell with per-direction periodicity (including cells so
// small that an atom sees its own images), or no cell at all. Atoms are wrapped into the cell along periodic
// directions, periodic images are generated as far as the cut-off needs, and a bin grid of width rcut finds pairs
// in O(N). The result is a CSR list of (owner index j, displacement d_ij = r_j' - r_i, distance) per atom.

export interface NeighborList {
  /** offsets[i]..offsets[i+1] index the entries of atom i. */
  offsets: Int32Array;
  /** Owner (local) index of each neighbour. */
  index: Int32Array;
  /** Flat displacement vectors r_j(image) - r_i. */
  disp: Float64Array;
  dist: Float64Array;
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

export function buildNeighborList(
  coord: Float64Array,
  cell: Float64Array | null,
  pbc: readonly boolean[],
  rcut: number,
  /** Atoms with mask[i] = false get no neighbours and are nobody's neighbour. */
  mask?: ArrayLike<boolean>,
): NeighborList {
  const n = coord.length / 3;
  const periodic = cell ? [0, 1, 2].map((k) => Boolean(pbc[k])) : [false, false, false];
  // Wrapped positions (and the shift applied) along periodic directions.
  const pos = Float64Array.from(coord);
  let nimg = [0, 0, 0];
  if (cell && periodic.some(Boolean)) {
    const inv = inverse3(cell);
    for (let i = 0; i < n; i++) {
      const x = pos[3 * i], y = pos[3 * i + 1], z = pos[3 * i + 2];
      for (let k = 0; k < 3; k++) {
        if (!periodic[k]) continue;
        const s = x * inv[k] + y * inv[3 + k] + z * inv[6 + k];
        const shift = Math.floor(s);
        if (shift !== 0) for (let q = 0; q < 3; q++) pos[3 * i + q] -= shift * cell[3 * k + q];
      }
    }
    const h = faceDistances(cell);
    nimg = [0, 1, 2].map((k) => (periodic[k] ? Math.ceil(rcut / h[k]) : 0));
  }
  // Images (owner, position), all of them: simple and exact; cost grows with (2n+1)^d only for tiny cells.
  const owners: number[] = [];
  const ip: number[] = [];
  for (let a = -nimg[0]; a <= nimg[0]; a++) {
    for (let b = -nimg[1]; b <= nimg[1]; b++) {
      for (let c = -nimg[2]; c <= nimg[2]; c++) {
        const sx = cell ? a * cell[0] + b * cell[3] + c * cell[6] : 0;
        const sy = cell ? a * cell[1] + b * cell[4] + c * cell[7] : 0;
        const sz = cell ? a * cell[2] + b * cell[5] + c * cell[8] : 0;
        for (let j = 0; j < n; j++) {
          if (mask && !mask[j]) continue;
          owners.push(j);
          ip.push(pos[3 * j] + sx, pos[3 * j + 1] + sy, pos[3 * j + 2] + sz);
        }
      }
    }
  }
  // Bin grid over the images' bounding box.
  const m = owners.length;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let t = 0; t < m; t++) for (let k = 0; k < 3; k++) {
    lo[k] = Math.min(lo[k], ip[3 * t + k]);
    hi[k] = Math.max(hi[k], ip[3 * t + k]);
  }
  const w = Math.max(rcut, 1e-6);
  const nb = [0, 1, 2].map((k) => (m ? Math.max(1, Math.min(1024, Math.floor((hi[k] - lo[k]) / w) + 1)) : 1));
  const binOf = (x: number, k: number) => Math.min(nb[k] - 1, Math.max(0, Math.floor((x - lo[k]) / w)));
  const head = new Int32Array(nb[0] * nb[1] * nb[2]).fill(-1);
  const next = new Int32Array(m);
  for (let t = 0; t < m; t++) {
    const cb = (binOf(ip[3 * t], 0) * nb[1] + binOf(ip[3 * t + 1], 1)) * nb[2] + binOf(ip[3 * t + 2], 2);
    next[t] = head[cb];
    head[cb] = t;
  }
  const offsets = new Int32Array(n + 1);
  const idx: number[] = [];
  const disp: number[] = [];
  const dist: number[] = [];
  const rc2 = rcut * rcut;
  for (let i = 0; i < n; i++) {
    offsets[i] = idx.length;
    if (mask && !mask[i]) continue;
    const xi = pos[3 * i], yi = pos[3 * i + 1], zi = pos[3 * i + 2];
    const bx = binOf(xi, 0), by = binOf(yi, 1), bz = binOf(zi, 2);
    for (let ax = Math.max(0, bx - 1); ax <= Math.min(nb[0] - 1, bx + 1); ax++) {
      for (let ay = Math.max(0, by - 1); ay <= Math.min(nb[1] - 1, by + 1); ay++) {
        for (let az = Math.max(0, bz - 1); az <= Math.min(nb[2] - 1, bz + 1); az++) {
          for (let t = head[(ax * nb[1] + ay) * nb[2] + az]; t >= 0; t = next[t]) {
            const dx = ip[3 * t] - xi, dy = ip[3 * t + 1] - yi, dz = ip[3 * t + 2] - zi;
            const r2 = dx * dx + dy * dy + dz * dz;
            if (r2 > rc2 || (r2 === 0 && owners[t] === i)) continue;
            idx.push(owners[t]);
            disp.push(dx, dy, dz);
            dist.push(Math.sqrt(r2));
          }
        }
      }
    }
  }
  offsets[n] = idx.length;
  return { offsets, index: Int32Array.from(idx), disp: Float64Array.from(disp), dist: Float64Array.from(dist) };
}
