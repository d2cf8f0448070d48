// Projectile set-up: (a) a recoil given to a lattice atom (PKA), (b) an external ion above the sheet.
// Direction convention for both: polar angle theta from the surface normal, azimuth phi from +x;
// unit direction u = (sin theta cos phi, sin theta sin phi, -cos theta): theta = 0 moves straight down (-z) into
// the sheet from above; theta = 180 moves straight up (+z).
// Species outside the potential's elements interact with everything by universal ZBL (the potential's job).

import { element, hasElement } from '../physics/elements.ts';
import { SITE_ION, SITE_MO, SITE_S_BOTTOM, SITE_S_TOP, type Sheet } from '../physics/lattice.ts';
import type { System } from '../potential/types.ts';
import { MVV2E } from './units.ts';
import type { Rng } from './random.ts';

export interface SpeciesSpec {
  /** Element symbol (known to physics/elements.ts), or "Z<n>" for an arbitrary element with `Z` and `mass`. */
  symbol: string;
  Z: number;
  mass: number;
}

/** Resolves "Ar", "Au", ... or "Z=50:118.71" / "Z50:118.71" (Z and mass). */
export function resolveSpecies(s: string): SpeciesSpec {
  const m = /^Z=?(\d+)(?::([\d.eE+-]+))?$/.exec(s);
  if (m) {
    const Z = Number(m[1]);
    if (!m[2]) throw new Error(`species "${s}": give the mass too, e.g. Z=${Z}:118.7`);
    return { symbol: `Z${Z}`, Z, mass: Number(m[2]) };
  }
  if (!hasElement(s)) element(s); // throws a clear message
  const e = element(s);
  return { symbol: e.symbol, Z: e.Z, mass: e.mass };
}

/** Speed (Å/ps) of a particle of mass m (amu) with kinetic energy E (eV). */
export const speedOf = (E: number, m: number): number => Math.sqrt((2 * E) / (m * MVV2E));

export function direction(polarDeg: number, azimuthDeg: number): [number, number, number] {
  const th = (polarDeg * Math.PI) / 180, ph = (azimuthDeg * Math.PI) / 180;
  return [Math.sin(th) * Math.cos(ph), Math.sin(th) * Math.sin(ph), -Math.cos(th)];
}

export interface IonOptions {
  species: SpeciesSpec;
  energy: number;
  polar: number;
  azimuth: number;
  /** Where the straight-line path crosses the Mo plane (Å). */
  impact: [number, number];
  /** Start height above the top S plane (Å), measured along z. Default 10. */
  height?: number;
}

export interface Setup {
  system: System;
  vel: Float64Array;
  mass: Float64Array;
  /** Site label per atom (SITE_* of physics/lattice.ts; the ion is SITE_ION). */
  site: Int8Array;
  /** Index of the projectile (the ion or the PKA). */
  projectile: number;
  /** Per-atom Z (for the report and foreign-species handling). */
  Z: Float64Array;
  info: Record<string, unknown>;
}

function sheetArrays(sheet: Sheet): { mass: Float64Array; Z: Float64Array } {
  const n = sheet.site.length;
  const mass = new Float64Array(n), Z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = element(sheet.system.species[sheet.system.atype[i]]);
    mass[i] = e.mass;
    Z[i] = e.Z;
  }
  return { mass, Z };
}

/** Sheet (at rest or with given velocities) plus an ion above it aimed at `impact`. */
export function addIon(sheet: Sheet, opts: IonOptions, sheetVel?: Float64Array): Setup {
  if (!(opts.polar >= 0 && opts.polar < 89)) throw new Error(`polar angle ${opts.polar} deg: use 0 <= polar < 89`);
  const n0 = sheet.site.length;
  const height = opts.height ?? 10;
  const sp = opts.species;
  const species = [...sheet.system.species];
  let ti = species.indexOf(sp.symbol);
  if (ti < 0) { species.push(sp.symbol); ti = species.length - 1; }
  const u = direction(opts.polar, opts.azimuth);
  const zStart = sheet.zMid + sheet.t / 2 + height;
  const s = (zStart - sheet.zMid) / -u[2]; // path length from start to the Mo plane
  const coord = new Float64Array(3 * (n0 + 1));
  coord.set(sheet.system.coord);
  coord.set([opts.impact[0] - s * u[0], opts.impact[1] - s * u[1], zStart], 3 * n0);
  const atype = new Int32Array(n0 + 1);
  atype.set(sheet.system.atype);
  atype[n0] = ti;
  const { mass: m0, Z: z0 } = sheetArrays(sheet);
  const mass = new Float64Array(n0 + 1); mass.set(m0); mass[n0] = sp.mass;
  const Z = new Float64Array(n0 + 1); Z.set(z0); Z[n0] = sp.Z;
  const vel = new Float64Array(3 * (n0 + 1));
  if (sheetVel) vel.set(sheetVel);
  const v = speedOf(opts.energy, sp.mass);
  vel.set([v * u[0], v * u[1], v * u[2]], 3 * n0);
  const site = new Int8Array(n0 + 1); site.set(sheet.site); site[n0] = SITE_ION;
  return {
    system: { ...sheet.system, coord, atype, species, cell: Float64Array.from(sheet.system.cell!) },
    vel, mass, site, projectile: n0, Z,
    info: { kind: 'ion', species: sp.symbol, Z: sp.Z, mass: sp.mass, energy: opts.energy, polar: opts.polar,
      azimuth: opts.azimuth, impact: opts.impact, height, start: Array.from(coord.subarray(3 * n0)) },
  };
}

export type PkaSite = 'Mo' | 'S-top' | 'S-bottom';

/** The element on a PKA site of the MoS2 sheet. */
export const pkaElement = (site: PkaSite): 'Mo' | 'S' => (site === 'Mo' ? 'Mo' : 'S');

/** Lattice atom of the given site nearest to the cell centre (or to `near`). */
export function pickSite(sheet: Sheet, which: PkaSite, near?: [number, number]): number {
  const want = which === 'Mo' ? SITE_MO : which === 'S-top' ? SITE_S_TOP : SITE_S_BOTTOM;
  const c = sheet.system.cell!;
  const [cx, cy] = near ?? [c[0] / 2, c[4] / 2];
  let best = -1, bd = Infinity;
  for (let i = 0; i < sheet.site.length; i++) {
    if (sheet.site[i] !== want) continue;
    const d = Math.hypot(sheet.reference[3 * i] - cx, sheet.reference[3 * i + 1] - cy);
    if (d < bd) { bd = d; best = i; }
  }
  return best;
}

/** Sheet with one lattice atom given a recoil of `energy` eV along (polar, azimuth). */
export function addPka(sheet: Sheet, opts: { site: PkaSite; energy: number; polar: number; azimuth: number; atom?: number }, sheetVel?: Float64Array): Setup {
  const n = sheet.site.length;
  const i = opts.atom ?? pickSite(sheet, opts.site);
  const { mass, Z } = sheetArrays(sheet);
  const vel = new Float64Array(3 * n);
  if (sheetVel) vel.set(sheetVel);
  const u = direction(opts.polar, opts.azimuth);
  const v = speedOf(opts.energy, mass[i]);
  vel.set([vel[3 * i] + v * u[0], vel[3 * i + 1] + v * u[1], vel[3 * i + 2] + v * u[2]], 3 * i);
  return {
    system: { ...sheet.system, coord: Float64Array.from(sheet.system.coord), cell: Float64Array.from(sheet.system.cell!) },
    vel, mass, site: Int8Array.from(sheet.site), projectile: i, Z,
    info: { kind: 'pka', site: opts.site, atom: i, species: sheet.system.species[sheet.system.atype[i]], energy: opts.energy,
      polar: opts.polar, azimuth: opts.azimuth },
  };
}

/**
 * Random impact point. Normal incidence: uniform in the irreducible triangle (Mo site, S site, hollow site; sides
 * a/sqrt 3) next to the Mo nearest the cell centre. Oblique: uniform in the primitive cell there, and a uniform
 * random azimuth when `randomAzimuth`.
 */
export function randomImpact(sheet: Sheet, rng: Rng, oblique: boolean, randomAzimuth = false): { impact: [number, number]; azimuth?: number } {
  const a = sheet.a;
  const mo = pickSite(sheet, 'Mo');
  const x0 = sheet.reference[3 * mo], y0 = sheet.reference[3 * mo + 1];
  let u = rng.uniform(), v = rng.uniform();
  if (!oblique) {
    if (u + v > 1) { u = 1 - u; v = 1 - v; }
    // Mo (0,0) -> S column (a/2, a/(2 sqrt3)) -> hollow (0, a/sqrt3)
    const sx = a / 2, sy = a / (2 * Math.sqrt(3)), hx = 0, hy = a / Math.sqrt(3);
    return { impact: [x0 + u * sx + v * hx, y0 + u * sy + v * hy] };
  }
  const impact: [number, number] = [x0 + u * a + v * (a / 2), y0 + v * ((Math.sqrt(3) / 2) * a)];
  return randomAzimuth ? { impact, azimuth: 360 * rng.uniform() } : { impact };
}
