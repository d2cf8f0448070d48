// Stillinger-Weber for MoS2 with universal ZBL at short range, and ZBL for every pair that involves a species
// the SW parametrisation does not describe (He, Ar, Au, ...). Implements the project's `Potential` interface.
//
// SW form, in the LAMMPS `pair_style sw` convention (eps = 1, rc = a sigma; `gamma` is dimensionless):
//   E = sum_{i<j} phi2(r_ij) + sum_i sum_{j<k} phi3(r_ij, r_ik, theta_jik)
//   phi2(r) = A [B (sigma/r)^p - (sigma/r)^q] exp(sigma / (r - rc))                        (r < rc)
//   phi3    = lambda_jik exp(gamma_ij sigma_ij/(r_ij - rc_ij) + gamma_ik sigma_ik/(r_ik - rc_ik)) (cos theta - cos0)^2
//             * f_jk(r_jk)
// Wen et al. J. Appl. Phys. 122, 244301 (2017) publish their parameters for the OpenKIM SW_MX2 driver, whose
// three-body exponent is gamma_ij/(r_ij - rc_ij) + gamma_ik/(r_ik - rc_ik) with gamma a LENGTH (the KIM parameter
// file lists "sigma, gamma, cutoff, and cutoff_jk in [Angstrom]"; the driver's CalcPhiThree computes
// exp(gamma_ij / (rij - cutoff_ij) + gamma_ik / (rik - cutoff_ik)); two-body exp(sigma/(r - rc)) as here). So
// Wen's gamma = 1.3566322 Å enters this (LAMMPS) form as gamma_LAMMPS = 1.3566322 Å / sigma_pair (wen2017()
// below), NOT as gamma*sigma with gamma = 1.3566322, which is how PHYSICS.md §4.2 can be misread (its form line
// gives only phi2). The LAMMPS cross-check (test/md/lammps.test.ts) writes exactly these numbers into a LAMMPS
// .sw file (gamma column = 1.3566322/sigma, a = rc/sigma) and matches LAMMPS to 1e-12, which confirms the
// conversion; test/classical/sw.test.ts pins the KIM exponent on a single Mo-S-S triplet. Relaxed sheet: KIM
// convention a = 3.1957 Å, t = 3.1938 Å, E = -15.3356 eV/MoS2; the gamma*sigma misreading gives a = 3.1966 Å,
// t = 3.1922 Å (the same E to 1e-4), which is what PHYSICS.md's derived [D] values (3.197, 3.192) reproduce.
// No published Wen 2017 lattice constant is recorded in PHYSICS.md, so only those [D] values are checked.
// Wen's model drops a triplet when r_jk exceeds a species-dependent cutoff (this removes the ~135 deg S-Mo-S angles
// across the layer). That hard cut makes the energy jump, which an NVE cascade cannot tolerate, so here
// f_jk is a C2 quintic switch from 1 at rjkMax - rjkWidth to 0 at rjkMax (rjkWidth = 0.2 Å by default; pristine
// sheet distances are far from the window, so the lattice energetics are unchanged). rjkWidth = 0 gives the hard cut.
//
// Short range (native pairs), two choices:
//   'blend'   (default): E_pair = w(r) phi2(r) + (1 - w(r)) ZBL(r), w the quintic switch 0 -> 1 over [r1, r2]
//             (default 1.0-1.2 Å, where Wen's phi2 and ZBL are within ~10 % of each other). Three-body terms are
//             bounded (|phi3| <= lambda (1 + |cos0|)^2) and kept unchanged.
//   'overlay': E_pair = phi2(r) + ZBL_sw(r), ZBL_sw = LAMMPS `pair_style zbl rin rc` (what `hybrid/overlay sw zbl`
//             gives in LAMMPS; used for the LAMMPS cross-check).
// Foreign pairs: ZBL_sw with (foreignRin, foreignRc), default (3.0, 4.0) Å, exactly LAMMPS `pair_style zbl 3 4`.

import { element } from '../../physics/elements.ts';
import type { EvalResult, Potential, System } from '../types.ts';
import { PotentialRangeError } from '../types.ts';
import { VerletList } from '../neighbors.ts';
import { zbl } from '../../physics/zbl.ts';
import { makeZblSwitch, quinticSwitch, zblSwitched, type ZblSwitch } from './zblpair.ts';



export interface SwPair { A: number; B: number; sigma: number; p: number; q: number; rc: number; gamma: number }
export interface SwTriplet { lambda: number; cos0: number; /** r_jk cutoff (Å); Infinity when none. */ rjkMax: number }

export interface SwParams {
  name: string;
  elements: string[];
  /** Keyed "X-Y" (both orders are looked up). */
  pairs: Record<string, SwPair>;
  /** Keyed "centre j k", e.g. "Mo S S" (LAMMPS order: the first element is the vertex). */
  triplets: Record<string, SwTriplet>;
  /**
   * LAMMPS sw/mod angle filter: delta = cos theta - cos0 is replaced by delta f_C(|delta|), f_C = 1 below d1,
   * cosine decay to 0 at d2. Here the forces include f_C' (energy-consistent, unlike LAMMPS sw/mod).
   */
  angleFilter?: { d1: number; d2: number };
}

/** Wen, Shirodkar, Plechac, Kaxiras, Elliott, Tadmor, J. Appl. Phys. 122, 244301 (2017); PHYSICS.md §4.2. */
export function wen2017(): SwParams {
  // Wen's (KIM SW_MX2 / KLIFF) three-body exponent is gamma / (r - rc) with gamma = 1.3566322 Å for every pair;
  // in the LAMMPS form used here (gamma sigma / (r - rc)) that is gamma_LAMMPS = 1.3566322 / sigma_pair (see the
  // file header for the evidence).
  const G = 1.3566322;
  return {
    name: 'Stillinger-Weber Wen 2017 (MoS2)',
    elements: ['Mo', 'S'],
    pairs: {
      'Mo-Mo': { A: 3.97818048, B: 0.44460213, sigma: 2.85295, p: 5, q: 0, rc: 5.5466, gamma: G / 2.85295 },
      'Mo-S': { A: 11.37974144, B: 0.52666882, sigma: 2.17517, p: 5, q: 0, rc: 4.02692, gamma: G / 2.17517 },
      'S-S': { A: 1.19073558, B: 0.90151527, sigma: 2.84133, p: 5, q: 0, rc: 4.51956, gamma: G / 2.84133 },
    },
    triplets: {
      'Mo S S': { lambda: 7.47675292, cos0: 0.142857, rjkMax: 3.86095 },
      'S Mo Mo': { lambda: 8.15951812, cos0: 0.142857, rjkMax: 5.5466 },
    },
  };
}

/**
 * Jiang, Nanotechnology 26, 315706 (2015), LAMMPS potentials/tmd.sw.mod (PHYSICS.md §4.1), to be used with the
 * sw/mod angle filter (0.25, 0.35). Only Mo-S has a two-body term; Mo-Mo and S-S get the short-range ZBL only.
 */
export function jiang2015(): SwParams {
  return {
    name: 'Stillinger-Weber Jiang 2015 sw/mod (MoS2)',
    elements: ['Mo', 'S'],
    pairs: { 'Mo-S': { A: 6.918, B: 7.223, sigma: 1.252, p: 4, q: 0, rc: 1.252 * 2.523, gamma: 1.0 } },
    triplets: {
      'Mo S S': { lambda: 67.883, cos0: 0.143, rjkMax: Infinity },
      'S Mo Mo': { lambda: 62.449, cos0: 0.143, rjkMax: Infinity },
    },
    angleFilter: { d1: 0.25, d2: 0.35 },
  };
}

export type ShortRange = { mode: 'blend'; r1: number; r2: number } | { mode: 'overlay'; rin: number; rc: number };

export interface SwZblOptions {
  params?: SwParams;
  shortRange?: ShortRange;
  foreignRin?: number;
  foreignRc?: number;
  /** Width of the smooth r_jk cutoff window (Å); 0 = hard cut as in the original model. */
  rjkWidth?: number;
  /** Ignore the r_jk cutoffs entirely (plain LAMMPS `sw`; used for the LAMMPS cross-check). */
  noRjkCutoff?: boolean;
  /** Closer than this (Å) and compute() throws PotentialRangeError naming the atoms. */
  minDistance?: number;
  /**
   * Neighbour-list skin (Å): the list is built at cutoff + skin and reused until an atom has moved more than
   * skin/2 (or the cell changed). Default 2.0 Å (as LAMMPS metal units; bench/robustness.ts: 1.2x faster than
   * rebuilding every step in a 500 eV Ar cascade, 1 Å only 1.05-1.16x); 0 rebuilds on every call with moved atoms.
   */
  skin?: number;
}

interface TypeTables {
  key: string;
  nat: Int32Array; // native index per species (-1 = foreign)
  Z: Float64Array;
  /** SW two-body parameters per species pair [ti * nspecies + tj] (null: none / foreign). */
  swPair: (SwPair | null)[];
}

export class SwZblPotential implements Potential {
  readonly name: string;
  readonly cutoff: number;
  readonly elements: readonly string[];
  readonly params: SwParams;
  readonly shortRange: ShortRange;
  readonly foreignRin: number;
  readonly foreignRc: number;
  readonly rjkWidth: number;
  readonly noRjkCutoff: boolean;
  readonly minDistance: number;
  readonly skin: number;
  /** The neighbour list, kept between compute() calls (builds/reuses counted there). */
  readonly verlet: VerletList;
  private pairTab: (SwPair | null)[]; // [a*ne+b] over native elements
  private tripTab: (SwTriplet | null)[]; // [(c*ne+j)*ne+k]
  private hasTriplet: boolean[]; // per native vertex element
  private legOk: boolean[]; // [c*ne+j]: some triplet with vertex c has a leg of element j
  private zblCache = new Map<string, ZblSwitch>();
  private types: TypeTables | null = null;

  constructor(opts: SwZblOptions = {}) {
    this.params = opts.params ?? wen2017();
    this.shortRange = opts.shortRange ?? { mode: 'blend', r1: 1.0, r2: 1.2 };
    this.foreignRin = opts.foreignRin ?? 3.0;
    this.foreignRc = opts.foreignRc ?? 4.0;
    this.rjkWidth = opts.rjkWidth ?? 0.2;
    this.noRjkCutoff = opts.noRjkCutoff ?? false;
    this.minDistance = opts.minDistance ?? 0.02;
    this.skin = opts.skin ?? 2.0;
    const els = this.params.elements;
    const ne = els.length;
    this.elements = els;
    this.pairTab = new Array(ne * ne).fill(null);
    this.tripTab = new Array(ne * ne * ne).fill(null);
    let rcMax = this.foreignRc;
    for (let a = 0; a < ne; a++) {
      for (let b = 0; b < ne; b++) {
        const p = this.params.pairs[`${els[a]}-${els[b]}`] ?? this.params.pairs[`${els[b]}-${els[a]}`] ?? null;
        this.pairTab[a * ne + b] = p;
        if (p) rcMax = Math.max(rcMax, p.rc);
        for (let c = 0; c < ne; c++) {
          const t = this.params.triplets[`${els[a]} ${els[b]} ${els[c]}`] ?? this.params.triplets[`${els[a]} ${els[c]} ${els[b]}`] ?? null;
          this.tripTab[(a * ne + b) * ne + c] = t && t.lambda !== 0 ? t : null;
        }
      }
    }
    this.hasTriplet = els.map((_, c) => this.tripTab.some((t, q) => t !== null && Math.floor(q / (ne * ne)) === c));
    this.legOk = this.pairTab.map((_, q) => this.tripTab.some((t, r) => t !== null && Math.floor(r / ne) === q));
    if (this.shortRange.mode === 'overlay') rcMax = Math.max(rcMax, this.shortRange.rc);
    this.cutoff = rcMax;
    this.verlet = new VerletList(rcMax, this.skin);
    const sr = this.shortRange.mode === 'blend'
      ? `ZBL blend ${this.shortRange.r1}-${this.shortRange.r2} Å`
      : `hybrid/overlay ZBL ${this.shortRange.rin}-${this.shortRange.rc} Å`;
    this.name = `${this.params.name} + ${sr}`;
  }

  private zblFor(z1: number, z2: number, rin: number, rc: number): ZblSwitch {
    const key = `${Math.min(z1, z2)}:${Math.max(z1, z2)}:${rin}:${rc}`;
    let s = this.zblCache.get(key);
    if (!s) {
      s = makeZblSwitch(z1, z2, rin, rc);
      this.zblCache.set(key, s);
    }
    return s;
  }

  private typeTables(species: string[]): TypeTables {
    const key = species.join(',');
    if (this.types && this.types.key === key) return this.types;
    const nat = new Int32Array(species.length);
    const Z = new Float64Array(species.length);
    species.forEach((s, q) => {
      nat[q] = this.params.elements.indexOf(s);
      const m = /^Z(\d+)$/.exec(s); // arbitrary element given by Z (projectile.ts resolveSpecies)
      Z[q] = m ? Number(m[1]) : element(s).Z;
    });
    const ne = this.params.elements.length;
    const swPair: (SwPair | null)[] = [];
    for (let a = 0; a < species.length; a++) {
      for (let b = 0; b < species.length; b++) swPair.push(nat[a] >= 0 && nat[b] >= 0 ? this.pairTab[nat[a] * ne + nat[b]] : null);
    }
    this.types = { key, nat, Z, swPair };
    return this.types;
  }

  /** Pair energy and dE/dr for species indices ta, tb at distance r (no SW three-body). */
  pairEnergy(ta: number, tb: number, r: number, species: string[]): { e: number; dedr: number } {
    const tt = this.typeTables(species);
    return this.pair(tt, ta, tb, r);
  }

  private pair(tt: TypeTables, ta: number, tb: number, r: number): { e: number; dedr: number } {
    const na = tt.nat[ta], nb = tt.nat[tb];
    const ne = this.params.elements.length;
    const p = na >= 0 && nb >= 0 ? this.pairTab[na * ne + nb] : null;
    if (na >= 0 && nb >= 0 && !p) {
      // Native pair without an SW two-body term (Jiang: Mo-Mo, S-S): short-range ZBL only.
      const s = this.shortRange;
      if (s.mode === 'overlay') return zblSwitched(this.zblFor(tt.Z[ta], tt.Z[tb], s.rin, s.rc), r);
      if (r >= s.r2) return { e: 0, dedr: 0 };
      const z = zbl(tt.Z[ta], tt.Z[tb], r);
      const { w, dw } = quinticSwitch(r, s.r1, s.r2);
      return { e: (1 - w) * z.e, dedr: -dw * z.e + (1 - w) * z.dedr };
    }
    if (na < 0 || nb < 0 || !p) {
      return zblSwitched(this.zblFor(tt.Z[ta], tt.Z[tb], this.foreignRin, this.foreignRc), r);
    }
    // SW two-body
    let e2 = 0, d2 = 0;
    if (r < p.rc) {
      const sr = p.sigma / r;
      const srp = Math.pow(sr, p.p), srq = p.q === 0 ? 1 : Math.pow(sr, p.q);
      const ex = Math.exp(p.sigma / (r - p.rc));
      const poly = p.B * srp - srq;
      e2 = p.A * poly * ex;
      const dpoly = (-p.p * p.B * srp + p.q * srq) / r;
      d2 = p.A * dpoly * ex - e2 * p.sigma / ((r - p.rc) * (r - p.rc));
    }
    const s = this.shortRange;
    if (s.mode === 'overlay') {
      const z = zblSwitched(this.zblFor(tt.Z[ta], tt.Z[tb], s.rin, s.rc), r);
      return { e: e2 + z.e, dedr: d2 + z.dedr };
    }
    if (r >= s.r2) return { e: e2, dedr: d2 };
    const z = zbl(tt.Z[ta], tt.Z[tb], r);
    const { w, dw } = quinticSwitch(r, s.r1, s.r2);
    return { e: w * e2 + (1 - w) * z.e, dedr: dw * (e2 - z.e) + w * d2 + (1 - w) * z.dedr };
  }

  compute(sys: System): EvalResult {
    const n = sys.coord.length / 3;
    const tt = this.typeTables(sys.species);
    const nl = this.verlet.update(sys);
    if (nl.minPair.r < this.minDistance) {
      const { i, j, r } = nl.minPair;
      throw new PotentialRangeError(
        `atoms ${i} (${sys.species[sys.atype[i]]}) and ${j} (${sys.species[sys.atype[j]]}) are ${r.toExponential(3)} Å ` +
          `apart, closer than the ${this.minDistance} Å this potential supports`,
      );
    }
    const force = new Float64Array(3 * n);
    const atomEnergy = new Float64Array(n);
    const atomVirial = new Float64Array(9 * n);
    const virial = new Float64Array(9);
    const { offsets, index: J, disp: Dv, dist: R } = nl;
    const at = sys.atype;
    const ne = this.params.elements.length;

    // Two-body: each pair once (j > i; a self-image pair j == i appears twice, so with weight 1/2).
    let v00 = 0, v01 = 0, v02 = 0, v11 = 0, v12 = 0, v22 = 0;
    const nsp = sys.species.length;
    const blend = this.shortRange.mode === 'blend' ? this.shortRange : null;
    for (let i = 0; i < n; i++) {
      const ti = at[i];
      for (let m = offsets[i]; m < offsets[i + 1]; m++) {
        const jj = J[m];
        if (jj < i) continue;
        const r = R[m];
        const tj = at[jj];
        const p = tt.swPair[ti * nsp + tj];
        let e = 0, dedr = 0;
        if (p !== null && blend !== null && r >= blend.r2) {
          // Fast path: plain SW two-body.
          if (r >= p.rc) continue;
          const sr = p.sigma / r;
          const srp = p.p === 4 ? sr * sr * sr * sr : p.p === 5 ? sr * sr * sr * sr * sr : Math.pow(sr, p.p);
          const srq = p.q === 0 ? 1 : Math.pow(sr, p.q);
          const u = r - p.rc;
          const ex = Math.exp(p.sigma / u);
          e = p.A * (p.B * srp - srq) * ex;
          dedr = (p.A * ((-p.p * p.B * srp + p.q * srq) / r)) * ex - (e * p.sigma) / (u * u);
        } else {
          const pr = this.pair(tt, ti, tj, r);
          e = pr.e;
          dedr = pr.dedr;
          if (e === 0 && dedr === 0) continue;
        }
        const wgt = jj === i ? 0.5 : 1;
        atomEnergy[i] += 0.5 * wgt * e;
        atomEnergy[jj] += 0.5 * wgt * e;
        const f = (wgt * dedr) / r;
        const dx = Dv[3 * m], dy = Dv[3 * m + 1], dz = Dv[3 * m + 2];
        force[3 * i] += f * dx; force[3 * i + 1] += f * dy; force[3 * i + 2] += f * dz;
        force[3 * jj] -= f * dx; force[3 * jj + 1] -= f * dy; force[3 * jj + 2] -= f * dz;
        const w00 = -f * dx * dx, w01 = -f * dx * dy, w02 = -f * dx * dz, w11 = -f * dy * dy, w12 = -f * dy * dz, w22 = -f * dz * dz;
        v00 += w00; v01 += w01; v02 += w02; v11 += w11; v12 += w12; v22 += w22;
        let q = 9 * i;
        for (let rep = 0; rep < 2; rep++) {
          atomVirial[q] += 0.5 * w00; atomVirial[q + 1] += 0.5 * w01; atomVirial[q + 2] += 0.5 * w02;
          atomVirial[q + 3] += 0.5 * w01; atomVirial[q + 4] += 0.5 * w11; atomVirial[q + 5] += 0.5 * w12;
          atomVirial[q + 6] += 0.5 * w02; atomVirial[q + 7] += 0.5 * w12; atomVirial[q + 8] += 0.5 * w22;
          q = 9 * jj;
        }
      }
    }
    virial[0] += v00; virial[1] += v01; virial[2] += v02;
    virial[3] += v01; virial[4] += v11; virial[5] += v12;
    virial[6] += v02; virial[7] += v12; virial[8] += v22;

    // Three-body, vertex i. Candidate legs: native neighbours within the SW cutoff of the pair whose element
    // appears as a leg of some triplet of this vertex (Wen: S legs for Mo, Mo legs for S).
    const af = this.params.angleFilter;
    let cand = new Int32Array(64);
    for (let i = 0; i < n; i++) {
      const ci = tt.nat[at[i]];
      if (ci < 0 || !this.hasTriplet[ci]) continue;
      let nc = 0;
      for (let m = offsets[i]; m < offsets[i + 1]; m++) {
        const cj = tt.nat[at[J[m]]];
        if (cj < 0 || !this.legOk[ci * ne + cj]) continue;
        const pij = this.pairTab[ci * ne + cj];
        if (!pij || R[m] >= pij.rc) continue;
        if (nc >= cand.length) { const c2 = new Int32Array(2 * cand.length); c2.set(cand); cand = c2; }
        cand[nc++] = m;
      }
      for (let a1 = 0; a1 < nc; a1++) {
        const m1 = cand[a1];
        const j1 = J[m1];
        const cj = tt.nat[at[j1]];
        const pij = this.pairTab[ci * ne + cj]!;
        for (let a2 = a1 + 1; a2 < nc; a2++) {
          const m2 = cand[a2];
          const k1 = J[m2];
          const ck = tt.nat[at[k1]];
          const tr = this.tripTab[(ci * ne + cj) * ne + ck];
          if (!tr) continue;
          const pik = this.pairTab[ci * ne + ck]!;
          const r1 = R[m1], r2 = R[m2];
          const x1 = Dv[3 * m1], y1 = Dv[3 * m1 + 1], z1 = Dv[3 * m1 + 2];
          const x2 = Dv[3 * m2], y2 = Dv[3 * m2 + 1], z2 = Dv[3 * m2 + 2];
          // r_jk switch
          let fjk = 1, dfjk = 0, rjk = 0;
          const jx = x2 - x1, jy = y2 - y1, jz = z2 - z1;
          if (!this.noRjkCutoff && tr.rjkMax !== Infinity) {
            rjk = Math.sqrt(jx * jx + jy * jy + jz * jz);
            if (rjk >= tr.rjkMax) continue;
            if (this.rjkWidth > 0 && rjk > tr.rjkMax - this.rjkWidth) {
              const sw = quinticSwitch(rjk, tr.rjkMax - this.rjkWidth, tr.rjkMax);
              fjk = 1 - sw.w;
              dfjk = -sw.dw;
            }
          }
          const u1 = r1 - pij.rc, u2 = r2 - pik.rc;
          const ex = Math.exp((pij.gamma * pij.sigma) / u1 + (pik.gamma * pik.sigma) / u2);
          const de1 = (-pij.gamma * pij.sigma) / (u1 * u1); // d(exponent)/dr1
          const de2 = (-pik.gamma * pik.sigma) / (u2 * u2);
          const inv12 = 1 / (r1 * r2);
          const cs = (x1 * x2 + y1 * y2 + z1 * z2) * inv12;
          let dc = cs - tr.cos0;
          let dgdc = 1; // d(filtered delta)/d(cos)
          if (af) {
            const ad = Math.abs(dc);
            if (ad >= af.d2) continue;
            if (ad > af.d1) {
              const arg = (Math.PI * (ad - af.d1)) / (af.d2 - af.d1);
              const fc = 0.5 + 0.5 * Math.cos(arg);
              const dfc = (-0.5 * Math.PI * Math.sin(arg)) / (af.d2 - af.d1);
              dgdc = fc + ad * dfc;
              dc *= fc;
            }
          }
          const h = dc * dc;
          const lam = tr.lambda;
          const E = lam * ex * h * fjk;
          if (E === 0 && dfjk === 0) continue;
          const a1c = (lam * fjk * ex * de1 * h) / r1;
          const a2c = (lam * fjk * ex * de2 * h) / r2;
          const bc = lam * fjk * ex * 2 * dc * dgdc;
          const cj1 = bc * inv12, cc1 = (bc * cs) / (r1 * r1), cc2 = (bc * cs) / (r2 * r2);
          const fk = rjk > 0 ? (lam * ex * h * dfjk) / rjk : 0;
          // gradients of E with respect to d1 = r_j - r_i and d2 = r_k - r_i
          const g1x = a1c * x1 + cj1 * x2 - cc1 * x1 - fk * jx;
          const g1y = a1c * y1 + cj1 * y2 - cc1 * y1 - fk * jy;
          const g1z = a1c * z1 + cj1 * z2 - cc1 * z1 - fk * jz;
          const g2x = a2c * x2 + cj1 * x1 - cc2 * x2 + fk * jx;
          const g2y = a2c * y2 + cj1 * y1 - cc2 * y2 + fk * jy;
          const g2z = a2c * z2 + cj1 * z1 - cc2 * z2 + fk * jz;
          atomEnergy[i] += E;
          force[3 * j1] -= g1x; force[3 * j1 + 1] -= g1y; force[3 * j1 + 2] -= g1z;
          force[3 * k1] -= g2x; force[3 * k1 + 1] -= g2y; force[3 * k1 + 2] -= g2z;
          force[3 * i] += g1x + g2x; force[3 * i + 1] += g1y + g2y; force[3 * i + 2] += g1z + g2z;
          const q = 9 * i;
          const w00 = -(x1 * g1x + x2 * g2x), w01 = -(x1 * g1y + x2 * g2y), w02 = -(x1 * g1z + x2 * g2z);
          const w10 = -(y1 * g1x + y2 * g2x), w11 = -(y1 * g1y + y2 * g2y), w12 = -(y1 * g1z + y2 * g2z);
          const w20 = -(z1 * g1x + z2 * g2x), w21 = -(z1 * g1y + z2 * g2y), w22 = -(z1 * g1z + z2 * g2z);
          virial[0] += w00; virial[1] += w01; virial[2] += w02;
          virial[3] += w10; virial[4] += w11; virial[5] += w12;
          virial[6] += w20; virial[7] += w21; virial[8] += w22;
          atomVirial[q] += w00; atomVirial[q + 1] += w01; atomVirial[q + 2] += w02;
          atomVirial[q + 3] += w10; atomVirial[q + 4] += w11; atomVirial[q + 5] += w12;
          atomVirial[q + 6] += w20; atomVirial[q + 7] += w21; atomVirial[q + 8] += w22;
        }
      }
    }
    let energy = 0;
    for (let i = 0; i < n; i++) energy += atomEnergy[i];
    return { energy, atomEnergy, force, virial, atomVirial, warnings: [] };
  }
}
