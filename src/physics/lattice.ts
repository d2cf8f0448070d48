// Monolayer 2H-MoS2 as an nx x ny supercell of the orthogonal a x sqrt(3)a cell (../shared/physics/PHYSICS.md §6):
//   Mo (0, 0, 0), Mo (1/2, 1/2, 0), S (1/2, 1/6, ±t/2), S (0, 2/3, ±t/2)   (fractional x, y; z in Å about Mo plane)
// The sheet lies in x-y (periodic), open in z, the Mo plane at z = zMid (the middle of a tall cell).
// Also: relaxation of a and t for any Potential (energy per MoS2 on a small periodic cell; the 2H monolayer has
// no other free internal coordinate), and Maxwell-Boltzmann velocities.

import { element } from './elements.ts';
import type { Potential, System } from '../potential/types.ts';

export const SITE_MO = 0;
export const SITE_S_TOP = 1;
export const SITE_S_BOTTOM = 2;
export const SITE_ION = 3;
export const SITE_NAMES = ['Mo', 'S-top', 'S-bottom', 'ion'] as const;

export interface SheetOptions {
  /** Lattice constant (Å). Default 3.18 (the DFT value of PHYSICS.md §6). */
  a?: number;
  /** Vertical S-S distance (Å). Default 3.12. */
  t?: number;
  nx: number;
  ny: number;
  /** Cell height along z (Å); z is open, this only fixes the stored cell. Default 80. */
  lz?: number;
}

export interface Sheet {
  system: System;
  /** Per-atom site label: SITE_MO, SITE_S_TOP, SITE_S_BOTTOM. */
  site: Int8Array;
  /** Pristine positions (copy of system.coord at build time). */
  reference: Float64Array;
  a: number;
  t: number;
  nx: number;
  ny: number;
  /** z of the Mo plane (Å). */
  zMid: number;
}

/** Builds the sheet. Atom order: per orthogonal cell (ix fastest? no: iy outer, ix inner) Mo, Mo, S, S, S, S. */
export function buildSheet(opts: SheetOptions): Sheet {
  const a = opts.a ?? 3.18;
  const t = opts.t ?? 3.12;
  const { nx, ny } = opts;
  if (!(nx >= 1 && ny >= 1 && Number.isInteger(nx) && Number.isInteger(ny))) throw new Error('nx, ny must be positive integers');
  const lz = opts.lz ?? 80;
  const b = Math.sqrt(3) * a;
  const zMid = lz / 2;
  const basis: [number, number, number, number][] = [
    [0, 0, 0, SITE_MO],
    [0.5, 0.5, 0, SITE_MO],
    [0.5, 1 / 6, +1, SITE_S_TOP],
    [0.5, 1 / 6, -1, SITE_S_BOTTOM],
    [0, 2 / 3, +1, SITE_S_TOP],
    [0, 2 / 3, -1, SITE_S_BOTTOM],
  ];
  const n = 6 * nx * ny;
  const coord = new Float64Array(3 * n);
  const atype = new Int32Array(n);
  const site = new Int8Array(n);
  let q = 0;
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      for (const [fx, fy, sz, s] of basis) {
        coord[3 * q] = (ix + fx) * a;
        coord[3 * q + 1] = (iy + fy) * b;
        coord[3 * q + 2] = zMid + (sz * t) / 2;
        atype[q] = s === SITE_MO ? 0 : 1;
        site[q] = s;
        q++;
      }
    }
  }
  const cell = new Float64Array([nx * a, 0, 0, 0, ny * b, 0, 0, 0, lz]);
  const system: System = { coord, atype, species: ['Mo', 'S'], cell, pbc: [true, true, false] };
  return { system, site, reference: Float64Array.from(coord), a, t, nx, ny, zMid };
}

/** Mo-S bond length for given a and t: sqrt(a^2/3 + t^2/4). */
export const moSBond = (a: number, t: number): number => Math.sqrt((a * a) / 3 + (t * t) / 4);

export interface RelaxResult {
  a: number;
  t: number;
  /** Energy per MoS2 formula unit (eV). */
  energyPerFormula: number;
  dMoS: number;
  evaluations: number;
}

/**
 * Minimises the energy per MoS2 over (a, t) with a Nelder-Mead simplex on a periodic supercell large enough that
 * each cell width exceeds twice the potential's cutoff (any engine is then happy).
 */
export async function relaxSheet(pot: Potential, opts: { a0?: number; t0?: number; tol?: number; maxEval?: number } = {}): Promise<RelaxResult> {
  const a0 = opts.a0 ?? 3.18, t0 = opts.t0 ?? 3.12;
  const tol = opts.tol ?? 1e-5;
  const maxEval = opts.maxEval ?? 300;
  const nx = Math.max(1, Math.ceil((2 * pot.cutoff) / (0.95 * a0)));
  const ny = Math.max(1, Math.ceil((2 * pot.cutoff) / (0.95 * Math.sqrt(3) * a0)));
  let evals = 0;
  const f = async (x: number[]): Promise<number> => {
    evals++;
    const s = buildSheet({ a: x[0], t: x[1], nx, ny });
    const r = await pot.compute(s.system);
    return r.energy / (2 * nx * ny);
  };
  // Nelder-Mead in 2D.
  let simplex: { x: number[]; f: number }[] = [];
  for (const x of [[a0, t0], [a0 + 0.05, t0], [a0, t0 + 0.05]]) simplex.push({ x, f: await f(x) });
  while (evals < maxEval) {
    simplex.sort((p, q) => p.f - q.f);
    const [best, mid, worst] = simplex;
    const size = Math.max(
      Math.hypot(mid.x[0] - best.x[0], mid.x[1] - best.x[1]),
      Math.hypot(worst.x[0] - best.x[0], worst.x[1] - best.x[1]),
    );
    if (size < tol) break;
    const c = [(best.x[0] + mid.x[0]) / 2, (best.x[1] + mid.x[1]) / 2];
    const along = (k: number) => [c[0] + k * (worst.x[0] - c[0]), c[1] + k * (worst.x[1] - c[1])];
    const xr = along(-1);
    const fr = await f(xr);
    if (fr < best.f) {
      const xe = along(-2);
      const fe = await f(xe);
      simplex[2] = fe < fr ? { x: xe, f: fe } : { x: xr, f: fr };
    } else if (fr < mid.f) {
      simplex[2] = { x: xr, f: fr };
    } else {
      const xc = fr < worst.f ? along(-0.5) : along(0.5);
      const fc = await f(xc);
      if (fc < Math.min(fr, worst.f)) simplex[2] = { x: xc, f: fc };
      else {
        simplex = [best, ...[mid, worst].map((p) => ({ x: [(p.x[0] + best.x[0]) / 2, (p.x[1] + best.x[1]) / 2], f: 0 }))];
        for (let k = 1; k < 3; k++) simplex[k].f = await f(simplex[k].x);
      }
    }
  }
  simplex.sort((p, q) => p.f - q.f);
  const [a, t] = simplex[0].x;
  return { a, t, energyPerFormula: simplex[0].f, dMoS: moSBond(a, t), evaluations: evals };
}

/** Per-atom masses (amu) from the species list. */
export function massesOf(system: System, override?: Map<number, number>): Float64Array {
  const n = system.atype.length;
  const m = new Float64Array(n);
  const bySpecies = system.species.map((s) => element(s).mass);
  for (let i = 0; i < n; i++) m[i] = override?.get(system.atype[i]) ?? bySpecies[system.atype[i]];
  return m;
}
