// Damage analysis of an irradiated MoS2 sheet against its pristine reference (PHYSICS.md §2.3, DESIGN.md §7).
//
// Definitions (all stated so numbers can be reproduced):
// - Rigid drift: the per-component median of the minimum-image displacements of the sheet atoms from their own
//   reference sites (robust against the few cascade atoms); removed before everything else.
// - Detached: atoms outside the largest connected cluster of the sheet, connectivity = distance < `clusterCutoff`
//   (default: the potential's cutoff, so a detached atom no longer interacts with the sheet).
//   Sputtered = detached and moving away from the sheet plane (or no velocities given). Detached atoms moving back
//   are reported as `returning`.
// - Ion fate: detached above the Mo plane = reflected, below = transmitted, otherwise embedded.
// - Wigner-Seitz occupancy: every non-detached atom within the slab |z - zMid| < t/2 + slabExtra is assigned to its
//   nearest reference site (3D distance, periodic in x and y) = occupancy of the reference Voronoi cells. Sites with
//   occupancy 0 are vacancies; each atom beyond the first on a site is an interstitial; non-detached atoms outside
//   the slab are adatoms (counted with the interstitials). A site held by one atom of the other species is an
//   antisite.
// - Vacancy complexes: vacant sites joined by Mo-S bonds (reference distance < 1.2 d(Mo-S)) or by sharing an S
//   column (top and bottom S at the same x, y). Labelled by content: V_S, V_S2, V_Mo, V_MoS3, V_MoS6, V_Mo2S4 ...
// - Pores: projected columns (each Mo site; each S column = top + bottom S) that are completely empty, joined when
//   neighbours (in-plane distance a/sqrt3); a pore is a connected group of >= 2 empty columns (a through-hole;
//   a lone empty column, V_Mo or V_S2, is a vacancy complex, not a pore). PHYSICS.md §2.3 names two area
//   definitions (both with d_eff = 2 sqrt(A/pi)); both are reported:
//   * `area` (the "polygon area of the empty region"; used for d_eff and poreArea): the Mo sites, S columns and
//     hollow sites form a triangular lattice of spacing a/sqrt3 whose elementary triangles ((sqrt3/12) a^2 each,
//     1/6 of the primitive cell) each have one Mo, one S-column and one hollow corner. The pore is the union of
//     the triangles with an empty corner column: each empty column brings its 6 triangles, and two empty
//     neighbour columns share 2, so A = (6 C - 2 E) (sqrt3/12) a^2 (C empty columns, E empty neighbour pairs).
//     Its boundary runs through the centres of the edge atoms and hollow sites. V_MoS6 (C = 4, E = 3): 18
//     triangles = the hexagon through the 6 surrounding Mo, A = (3 sqrt3/2) a^2 = 26.3 Å^2, d_eff = 5.78 Å at
//     a = 3.18 Å, matching Yin 2018's "V_MoS6 about 0.6 nm" (the only verified pore size in PHYSICS.md).
//   * `areaAtoms` ("N_missing x area per removed atom"): atoms of the empty columns x (sqrt3/2) a^2 / 3 (the
//     sheet's area per atom, 2.92 Å^2 at 3.18 Å). V_MoS6: 7 atoms, 20.4 Å^2, d_eff 5.10 Å.
//   (The earlier definition, columns x half a primitive cell, gave 17.5 Å^2 and 4.7 Å for V_MoS6: the projected
//   Voronoi cells of the removed columns only, without the half-open edge region.)
// - Displaced: sheet atoms more than `displacedThreshold` (default 1.2 Å) from their own reference site after the
//   drift is removed, or detached.

import { SITE_ION, SITE_MO, SITE_S_BOTTOM, SITE_S_TOP } from '../physics/lattice.ts';

export interface DamageInput {
  coord: Float64Array;
  vel?: Float64Array;
  /** Site label per atom (SITE_*); the first reference.length/3 atoms are the sheet, in reference order. */
  site: Int8Array;
  reference: Float64Array;
  /** Periodic cell lengths in x and y (orthogonal sheet cell). */
  lx: number;
  ly: number;
  zMid: number;
  a: number;
  t: number;
  /** Index of the ion, or -1. */
  ion?: number;
  clusterCutoff: number;
  slabExtra?: number;
  displacedThreshold?: number;
}

export interface VacancyComplex { label: string; sites: number[]; nMo: number; nS: number }
export interface Pore {
  /** Empty projected columns (Mo sites and S columns). */
  columns: number;
  /** Polygon area of the empty region (Å^2) and its effective diameter 2 sqrt(A/pi) (Å); see the header. */
  area: number;
  diameter: number;
  /** Missing atoms x area per atom (Å^2) and its effective diameter (Å). */
  areaAtoms: number;
  diameterAtoms: number;
  center: [number, number];
  sites: number[];
}

export interface DamageReport {
  drift: [number, number, number];
  sputtered: { total: number; Mo: number; S: number; ion: number; byOrigin: Record<'Mo' | 'S-top' | 'S-bottom', number>; atoms: number[] };
  returning: number[];
  ionFate: 'transmitted' | 'reflected' | 'embedded' | 'none';
  vacancies: { total: number; Mo: number; S: number; 'S-top': number; 'S-bottom': number; sites: number[] };
  interstitials: { total: number; inSlab: number; adatoms: number; atoms: number[] };
  antisites: number;
  complexes: VacancyComplex[];
  complexCounts: Record<string, number>;
  pores: Pore[];
  poreArea: number;
  displaced: number;
}

const minImage = (d: number, L: number): number => d - L * Math.round(d / L);

export function complexLabel(nMo: number, nS: number): string {
  if (nMo === 0) return nS === 1 ? 'V_S' : `V_S${nS}`;
  const mo = nMo === 1 ? 'Mo' : `Mo${nMo}`;
  return `V_${mo}${nS === 0 ? '' : nS === 1 ? 'S' : `S${nS}`}`;
}

/** Union-find with path halving. */
function makeUf(n: number) {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  const find = (x: number): number => { while (p[x] !== x) { p[x] = p[p[x]]; x = p[x]; } return x; };
  return { find, union: (x: number, y: number) => { const a = find(x), b = find(y); if (a !== b) p[a] = b; } };
}

/** Pairs (i, j), i < j, of points closer than rc, periodic in x, y (simple cell grid). */
function closePairs(pos: Float64Array, idx: number[], lx: number, ly: number, rc: number, cb: (i: number, j: number, r: number) => void): void {
  const nx = Math.max(1, Math.floor(lx / rc)), ny = Math.max(1, Math.floor(ly / rc));
  let zlo = 0, zhi = 0;
  for (const i of idx) { const z = pos[3 * i + 2]; if (z < zlo) zlo = z; if (z > zhi) zhi = z; }
  const nz = Math.max(1, Math.min(Math.floor((zhi - zlo) / rc), 4 * idx.length + 4));
  const bz = (zhi - zlo) / nz || 1;
  const bins = new Map<number, number[]>();
  const key = (a: number, b: number, c: number) => (a * ny + b) * (nz + 2) + c;
  const binOf = (i: number): [number, number, number] => {
    const x = pos[3 * i] - lx * Math.floor(pos[3 * i] / lx), y = pos[3 * i + 1] - ly * Math.floor(pos[3 * i + 1] / ly);
    return [Math.min(nx - 1, Math.floor((x / lx) * nx)), Math.min(ny - 1, Math.floor((y / ly) * ny)), Math.min(nz - 1, Math.floor((pos[3 * i + 2] - zlo) / bz))];
  };
  for (const i of idx) {
    const [a, b, c] = binOf(i);
    const k = key(a, b, c);
    let l = bins.get(k);
    if (!l) bins.set(k, (l = []));
    l.push(i);
  }
  const rc2 = rc * rc;
  const seen = new Set<number>();
  for (const i of idx) {
    const [a, b, c] = binOf(i);
    seen.clear();
    for (let da = -1; da <= 1; da++) for (let db = -1; db <= 1; db++) for (let dc = -1; dc <= 1; dc++) {
      const cc = c + dc;
      if (cc < 0 || cc >= nz) continue;
      const k = key((a + da + nx) % nx, (b + db + ny) % ny, cc);
      if (seen.has(k)) continue;
      seen.add(k);
      for (const j of bins.get(k) ?? []) {
        if (j <= i) continue;
        const dx = minImage(pos[3 * j] - pos[3 * i], lx), dy = minImage(pos[3 * j + 1] - pos[3 * i + 1], ly);
        const dz = pos[3 * j + 2] - pos[3 * i + 2];
        const r2 = dx * dx + dy * dy + dz * dz;
        if (r2 < rc2) cb(i, j, Math.sqrt(r2));
      }
    }
  }
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

export function analyzeDamage(inp: DamageInput): DamageReport {
  const { coord, site, reference, lx, ly, zMid, a, t } = inp;
  const n = site.length;
  const n0 = reference.length / 3;
  const ion = inp.ion ?? -1;
  const slabExtra = inp.slabExtra ?? 2.0;
  const dispThr = inp.displacedThreshold ?? 1.2;

  // Connectivity and the sheet cluster.
  const uf = makeUf(n);
  const all = Array.from({ length: n }, (_, i) => i);
  closePairs(coord, all, lx, ly, inp.clusterCutoff, (i, j) => uf.union(i, j));
  const counts = new Map<number, number>();
  for (let i = 0; i < n0; i++) { const r = uf.find(i); counts.set(r, (counts.get(r) ?? 0) + 1); }
  let root = -1, best = -1;
  for (const [r, c] of counts) if (c > best) { best = c; root = r; }
  const detached = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (uf.find(i) !== root) detached[i] = 1;

  // Drift from sheet atoms still in the sheet.
  const dx: number[] = [], dy: number[] = [], dz: number[] = [];
  for (let i = 0; i < n0; i++) {
    if (detached[i]) continue;
    dx.push(minImage(coord[3 * i] - reference[3 * i], lx));
    dy.push(minImage(coord[3 * i + 1] - reference[3 * i + 1], ly));
    dz.push(coord[3 * i + 2] - reference[3 * i + 2]);
  }
  const drift: [number, number, number] = [median(dx), median(dy), median(dz)];
  const pos = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) pos[3 * i + c] = coord[3 * i + c] - drift[c];

  // Sputtered / returning / ion fate.
  const byOrigin = { Mo: 0, 'S-top': 0, 'S-bottom': 0 };
  const sput: number[] = [], returning: number[] = [];
  let sMo = 0, sS = 0, sIon = 0;
  for (let i = 0; i < n; i++) {
    if (!detached[i]) continue;
    const away = !inp.vel || (pos[3 * i + 2] - zMid) * inp.vel[3 * i + 2] >= 0;
    if (!away) { returning.push(i); continue; }
    sput.push(i);
    if (site[i] === SITE_MO) { byOrigin.Mo++; sMo++; }
    else if (site[i] === SITE_S_TOP) { byOrigin['S-top']++; sS++; }
    else if (site[i] === SITE_S_BOTTOM) { byOrigin['S-bottom']++; sS++; }
    else if (site[i] === SITE_ION) sIon++;
  }
  let ionFate: DamageReport['ionFate'] = 'none';
  if (ion >= 0) ionFate = detached[ion] ? (pos[3 * ion + 2] > zMid ? 'reflected' : 'transmitted') : 'embedded';

  // Wigner-Seitz occupancy of reference sites (nearest site in 3D, periodic in x, y).
  const hx = Math.max(1, Math.floor(lx / 3)), hy = Math.max(1, Math.floor(ly / 3));
  const grid: number[][] = Array.from({ length: hx * hy }, () => []);
  const gxOf = (x: number) => Math.min(hx - 1, Math.floor(((x - lx * Math.floor(x / lx)) / lx) * hx));
  const gyOf = (y: number) => Math.min(hy - 1, Math.floor(((y - ly * Math.floor(y / ly)) / ly) * hy));
  for (let s = 0; s < n0; s++) grid[gxOf(reference[3 * s]) * hy + gyOf(reference[3 * s + 1])].push(s);
  const occ = new Int32Array(n0);
  const holder = new Int32Array(n0).fill(-1);
  const assigned = new Int32Array(n).fill(-1);
  const adatoms: number[] = [];
  const zHalf = t / 2 + slabExtra;
  for (let i = 0; i < n; i++) {
    if (detached[i]) continue;
    if (Math.abs(pos[3 * i + 2] - zMid) >= zHalf) { adatoms.push(i); continue; }
    const gx = gxOf(pos[3 * i]), gy = gyOf(pos[3 * i + 1]);
    let bs = -1, bd = Infinity;
    for (let da = -1; da <= 1; da++) for (let db = -1; db <= 1; db++) {
      for (const s of grid[((gx + da + hx) % hx) * hy + ((gy + db + hy) % hy)]) {
        const ddx = minImage(pos[3 * i] - reference[3 * s], lx), ddy = minImage(pos[3 * i + 1] - reference[3 * s + 1], ly);
        const ddz = pos[3 * i + 2] - reference[3 * s + 2];
        const d2 = ddx * ddx + ddy * ddy + ddz * ddz;
        if (d2 < bd) { bd = d2; bs = s; }
      }
    }
    assigned[i] = bs;
    occ[bs]++;
    if (holder[bs] < 0) holder[bs] = i;
  }
  const vacSites: number[] = [];
  const vac = { total: 0, Mo: 0, S: 0, 'S-top': 0, 'S-bottom': 0, sites: vacSites };
  let antisites = 0;
  const isMoSite = (s: number) => site[s] === SITE_MO;
  for (let s = 0; s < n0; s++) {
    if (occ[s] === 0) {
      vacSites.push(s);
      vac.total++;
      if (isMoSite(s)) vac.Mo++;
      else { vac.S++; if (site[s] === SITE_S_TOP) vac['S-top']++; else vac['S-bottom']++; }
    } else if (occ[s] === 1) {
      const h = holder[s];
      if (h < n0 && (site[h] === SITE_MO) !== isMoSite(s)) antisites++;
    }
  }
  const extra: number[] = [];
  const firstSeen = new Uint8Array(n0);
  for (let i = 0; i < n; i++) {
    const s = assigned[i];
    if (s < 0) continue;
    if (firstSeen[s]) extra.push(i); else firstSeen[s] = 1;
  }

  // Vacancy complexes.
  const dMoS = Math.sqrt((a * a) / 3 + (t * t) / 4);
  const vIndex = new Map<number, number>();
  vacSites.forEach((s, k) => vIndex.set(s, k));
  const ufv = makeUf(vacSites.length);
  const refPos = reference;
  closePairs(refPos, vacSites, lx, ly, 1.2 * Math.max(dMoS, t), (s1, s2, r) => {
    const m1 = isMoSite(s1), m2 = isMoSite(s2);
    const inPlane = Math.hypot(minImage(refPos[3 * s2] - refPos[3 * s1], lx), minImage(refPos[3 * s2 + 1] - refPos[3 * s1 + 1], ly));
    if ((m1 !== m2 && r < 1.2 * dMoS) || (!m1 && !m2 && inPlane < 0.3 * a)) ufv.union(vIndex.get(s1)!, vIndex.get(s2)!);
  });
  const groups = new Map<number, number[]>();
  vacSites.forEach((s, k) => { const r = ufv.find(k); const g = groups.get(r); if (g) g.push(s); else groups.set(r, [s]); });
  const complexes: VacancyComplex[] = [];
  const complexCounts: Record<string, number> = {};
  for (const g of groups.values()) {
    const nMo = g.filter(isMoSite).length, nS = g.length - nMo;
    const label = complexLabel(nMo, nS);
    complexes.push({ label, sites: g.sort((p, q) => p - q), nMo, nS });
    complexCounts[label] = (complexCounts[label] ?? 0) + 1;
  }

  // Pores from empty projected columns.
  const colOf = new Int32Array(n0).fill(-1);
  const colSites: number[][] = [];
  const colPos: number[] = [];
  for (let s = 0; s < n0; s++) {
    if (colOf[s] >= 0) continue;
    colOf[s] = colSites.length;
    const members = [s];
    if (!isMoSite(s)) {
      for (let s2 = s + 1; s2 < n0; s2++) {
        if (isMoSite(s2) || colOf[s2] >= 0) continue;
        const ip = Math.hypot(minImage(refPos[3 * s2] - refPos[3 * s], lx), minImage(refPos[3 * s2 + 1] - refPos[3 * s + 1], ly));
        if (ip < 0.3 * a) { colOf[s2] = colSites.length; members.push(s2); break; }
      }
    }
    colSites.push(members);
    colPos.push(refPos[3 * s], refPos[3 * s + 1], 0);
  }
  const emptyCols: number[] = [];
  colSites.forEach((m, c) => { if (m.every((s) => occ[s] === 0)) emptyCols.push(c); });
  const cIndex = new Map<number, number>();
  emptyCols.forEach((c, k) => cIndex.set(c, k));
  const ufc = makeUf(emptyCols.length);
  const emptyEdges: number[] = []; // first column of each empty neighbour pair (for the per-pore count)
  closePairs(Float64Array.from(colPos), emptyCols, lx, ly, 1.2 * (a / Math.sqrt(3)), (c1, c2) => {
    ufc.union(cIndex.get(c1)!, cIndex.get(c2)!);
    emptyEdges.push(c1);
  });
  const cg = new Map<number, number[]>();
  emptyCols.forEach((c, k) => { const r = ufc.find(k); const g = cg.get(r); if (g) g.push(c); else cg.set(r, [c]); });
  const edgesOf = new Map<number, number>();
  for (const c of emptyEdges) { const r = ufc.find(cIndex.get(c)!); edgesOf.set(r, (edgesOf.get(r) ?? 0) + 1); }
  const triArea = (Math.sqrt(3) / 12) * a * a;
  const atomArea = (Math.sqrt(3) / 6) * a * a;
  const pores: Pore[] = [];
  for (const g of cg.values()) {
    if (g.length < 2) continue;
    const area = (6 * g.length - 2 * (edgesOf.get(ufc.find(cIndex.get(g[0])!)) ?? 0)) * triArea;
    const nAtoms = g.reduce((t, c) => t + colSites[c].length, 0);
    // Centre: periodic mean relative to the first column.
    const x0 = colPos[3 * g[0]], y0 = colPos[3 * g[0] + 1];
    let sx = 0, sy = 0;
    for (const c of g) { sx += minImage(colPos[3 * c] - x0, lx); sy += minImage(colPos[3 * c + 1] - y0, ly); }
    pores.push({
      columns: g.length, area, diameter: 2 * Math.sqrt(area / Math.PI),
      areaAtoms: nAtoms * atomArea, diameterAtoms: 2 * Math.sqrt((nAtoms * atomArea) / Math.PI), center: [x0 + sx / g.length, y0 + sy / g.length], sites: g.flatMap((c) => colSites[c]).sort((p, q) => p - q),
    });
  }

  // Displaced.
  let displaced = 0;
  for (let i = 0; i < n0; i++) {
    if (detached[i]) { displaced++; continue; }
    const ddx = minImage(pos[3 * i] - reference[3 * i], lx), ddy = minImage(pos[3 * i + 1] - reference[3 * i + 1], ly);
    const ddz = pos[3 * i + 2] - reference[3 * i + 2];
    if (ddx * ddx + ddy * ddy + ddz * ddz > dispThr * dispThr) displaced++;
  }

  return {
    drift,
    sputtered: { total: sput.length, Mo: sMo, S: sS, ion: sIon, byOrigin, atoms: sput },
    returning,
    ionFate,
    vacancies: vac,
    interstitials: { total: extra.length + adatoms.length, inSlab: extra.length, adatoms: adatoms.length, atoms: [...extra, ...adatoms] },
    antisites,
    complexes,
    complexCounts,
    pores,
    poreArea: pores.reduce((s, p) => s + p.area, 0),
    displaced,
  };
}
