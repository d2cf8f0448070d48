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
 * Minimises the energy per MoS2 over (a, t) on a periodic supercell large enough that each cell width exceeds twice
 * the potential's cutoff (any engine is then happy). Quasi-Newton (BFGS) on the analytic gradient: dE/da from the
 * in-plane virial (a uniform in-plane strain eps changes E by -(W_xx + W_yy) eps) and dE/dt from the z forces on the
 * two S layers (z = z_Mo +- t/2), with a backtracking line search; about 10-20 evaluations instead of the ~100 of an
 * energy-only simplex, which matters for a DP model on a slow adapter.
 */
export async function relaxSheet(pot: Potential, opts: { a0?: number; t0?: number; tol?: number; maxEval?: number } = {}): Promise<RelaxResult> {
  const a0 = opts.a0 ?? 3.18, t0 = opts.t0 ?? 3.12;
  const tol = opts.tol ?? 1e-5;
  const maxEval = opts.maxEval ?? 200;
  const nx = Math.max(1, Math.ceil((2 * pot.cutoff) / (0.95 * a0)));
  const ny = Math.max(1, Math.ceil((2 * pot.cutoff) / (0.95 * Math.sqrt(3) * a0)));
  const nf = 2 * nx * ny;
  let evals = 0;
  interface Point { x: [number, number]; f: number; g: [number, number] }
  const at = async (x: [number, number]): Promise<Point> => {
    evals++;
    const sh = buildSheet({ a: x[0], t: x[1], nx, ny });
    const r = await pot.compute(sh.system);
    let gt = 0;
    for (let i = 0; i < sh.site.length; i++) {
      if (sh.site[i] === SITE_S_TOP) gt -= 0.5 * r.force[3 * i + 2];
      else if (sh.site[i] === SITE_S_BOTTOM) gt += 0.5 * r.force[3 * i + 2];
    }
    return { x, f: r.energy / nf, g: [-(r.virial[0] + r.virial[4]) / (x[0] * nf), gt / nf] };
  };
  const dot = (u: number[], v: number[]) => u[0] * v[0] + u[1] * v[1];
  // Inverse Hessian, started at 1/(20 eV/A^2) per formula (the order of a MoS2 sheet's curvatures).
  let H = [0.05, 0, 0, 0.05];
  let cur = await at([a0, t0]);
  const MAX_STEP = 0.1;
  while (evals < maxEval) {
    let p = [-(H[0] * cur.g[0] + H[1] * cur.g[1]), -(H[2] * cur.g[0] + H[3] * cur.g[1])];
    if (dot(p, cur.g) >= 0) { H = [0.05, 0, 0, 0.05]; p = [-0.05 * cur.g[0], -0.05 * cur.g[1]]; }
    const len = Math.hypot(p[0], p[1]);
    if (len < tol) break;
    if (len > MAX_STEP) p = p.map((v) => (v * MAX_STEP) / len);
    // Backtracking: sufficient decrease, or (near the minimum, where energies reach their noise floor) a gradient
    // at least halved.
    let alpha = 1;
    let next: Point | null = null;
    for (let k = 0; k < 8 && evals < maxEval; k++, alpha /= 2) {
      const q = await at([cur.x[0] + alpha * p[0], cur.x[1] + alpha * p[1]]);
      if (q.f <= cur.f + 1e-4 * alpha * dot(cur.g, p) || Math.hypot(q.g[0], q.g[1]) < 0.5 * Math.hypot(cur.g[0], cur.g[1])) { next = q; break; }
    }
    if (!next) break;
    const sv = [next.x[0] - cur.x[0], next.x[1] - cur.x[1]];
    const yv = [next.g[0] - cur.g[0], next.g[1] - cur.g[1]];
    const sy = dot(sv, yv);
    if (sy > 1e-12) {
      // BFGS update of the inverse Hessian: H' = (I - rho s y^T) H (I - rho y s^T) + rho s s^T.
      const rho = 1 / sy;
      const Hy = [H[0] * yv[0] + H[1] * yv[1], H[2] * yv[0] + H[3] * yv[1]];
      const yHy = dot(yv, Hy);
      const c = rho * rho * yHy + rho;
      H = [
        H[0] - rho * (Hy[0] * sv[0] + sv[0] * Hy[0]) + c * sv[0] * sv[0],
        H[1] - rho * (Hy[0] * sv[1] + sv[0] * Hy[1]) + c * sv[0] * sv[1],
        H[2] - rho * (Hy[1] * sv[0] + sv[1] * Hy[0]) + c * sv[1] * sv[0],
        H[3] - rho * (Hy[1] * sv[1] + sv[1] * Hy[1]) + c * sv[1] * sv[1],
      ];
    }
    cur = next;
    if (Math.hypot(sv[0], sv[1]) < tol) break;
  }
  const [a, t] = cur.x;
  return { a, t, energyPerFormula: cur.f, dMoS: moSBond(a, t), evaluations: evals };
}

/** Per-atom masses (amu) from the species list. */
export function massesOf(system: System, override?: Map<number, number>): Float64Array {
  const n = system.atype.length;
  const m = new Float64Array(n);
  const bySpecies = system.species.map((s) => element(s).mass);
  for (let i = 0; i < n; i++) m[i] = override?.get(system.atype[i]) ?? bySpecies[system.atype[i]];
  return m;
}
