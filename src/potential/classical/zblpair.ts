// Pair-level ZBL pieces for the classical potentials (../shared/physics/PHYSICS.md §3):
// - `zblSwitched`: LAMMPS `pair_style zbl r_in r_c` (lj/gromacs-style polynomial switch, E, E', E'' -> 0 at r_c);
// - `quinticSwitch`: w(r) = 0 below r1, 1 above r2, C2-smooth in between (w = 10u^3 - 15u^4 + 6u^5).

import { zbl, zblScreening, QQR2E } from '../../physics/zbl.ts';

const C = [0.18175, 0.50986, 0.28022, 0.02817];
const D = [3.1998, 0.94229, 0.4029, 0.20162];

/** ZBL energy and its first two radial derivatives. */
export function zblD2(z1: number, z2: number, r: number): { e: number; d1: number; d2: number } {
  const a = zblScreening(z1, z2);
  const k = QQR2E * z1 * z2;
  let phi = 0, dphi = 0, d2phi = 0;
  for (let i = 0; i < 4; i++) {
    const b = D[i] / a;
    const t = C[i] * Math.exp(-b * r);
    phi += t;
    dphi -= b * t;
    d2phi += b * b * t;
  }
  const e = (k / r) * phi;
  const d1 = (k / r) * dphi - e / r;
  const d2 = (k / r) * d2phi - (2 * k / (r * r)) * dphi + (2 * k / (r * r * r)) * phi;
  return { e, d1, d2 };
}

/** Coefficients of the LAMMPS zbl switch for one pair of Z. */
export interface ZblSwitch { z1: number; z2: number; rin: number; rc: number; A: number; B: number; C: number }

export function makeZblSwitch(z1: number, z2: number, rin: number, rc: number): ZblSwitch {
  const tc = rc - rin;
  const { e: F, d1: Fp, d2: Fpp } = zblD2(z1, z2, rc);
  return {
    z1, z2, rin, rc,
    A: (-3 * Fp + tc * Fpp) / (tc * tc),
    B: (2 * Fp - tc * Fpp) / (tc * tc * tc),
    C: -F + (tc / 2) * Fp - (tc * tc / 12) * Fpp,
  };
}

/** Switched ZBL (LAMMPS pair zbl): energy and dE/dr; zero beyond rc. */
export function zblSwitched(s: ZblSwitch, r: number): { e: number; dedr: number } {
  if (r >= s.rc) return { e: 0, dedr: 0 };
  const z = zbl(s.z1, s.z2, r);
  let e = z.e + s.C;
  let dedr = z.dedr;
  if (r > s.rin) {
    const t = r - s.rin;
    e += (s.A / 3) * t * t * t + (s.B / 4) * t * t * t * t;
    dedr += s.A * t * t + s.B * t * t * t;
  }
  return { e, dedr };
}

/** Smooth step from 0 (r <= r1) to 1 (r >= r2) and its derivative. */
export function quinticSwitch(r: number, r1: number, r2: number): { w: number; dw: number } {
  if (r <= r1) return { w: 0, dw: 0 };
  if (r >= r2) return { w: 1, dw: 0 };
  const h = r2 - r1;
  const u = (r - r1) / h;
  return { w: u * u * u * (10 + u * (-15 + 6 * u)), dw: (30 * u * u * (1 - u) * (1 - u)) / h };
}
