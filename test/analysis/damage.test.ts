import { describe, expect, it } from 'vitest';
import { analyzeDamage, complexLabel, type DamageInput } from '../../src/analysis/damage.ts';
import { buildSheet, SITE_ION, SITE_MO, SITE_S_TOP, type Sheet } from '../../src/physics/lattice.ts';
import { makeRng } from '../../src/md/random.ts';

const sheet = buildSheet({ a: 3.18, t: 3.12, nx: 12, ny: 7 });
const n0 = sheet.site.length;
const lx = sheet.system.cell![0], ly = sheet.system.cell![4];

function input(sh: Sheet, coord: Float64Array, site: Int8Array, extra: Partial<DamageInput> = {}): DamageInput {
  return { coord, site, reference: sh.reference, lx, ly, zMid: sh.zMid, a: sh.a, t: sh.t, clusterCutoff: 4.0, ...extra };
}

/** The Mo nearest (x, y) and its S neighbours (top and bottom). */
function moWithNeighbours(x: number, y: number): { mo: number; top: number[]; bottom: number[] } {
  let mo = -1, bd = Infinity;
  for (let i = 0; i < n0; i++) {
    if (sheet.site[i] !== SITE_MO) continue;
    const d = Math.hypot(sheet.reference[3 * i] - x, sheet.reference[3 * i + 1] - y);
    if (d < bd) { bd = d; mo = i; }
  }
  const top: number[] = [], bottom: number[] = [];
  for (let i = 0; i < n0; i++) {
    if (sheet.site[i] === SITE_MO) continue;
    const dx = sheet.reference[3 * i] - sheet.reference[3 * mo], dy = sheet.reference[3 * i + 1] - sheet.reference[3 * mo + 1];
    const d = Math.hypot(dx - lx * Math.round(dx / lx), dy - ly * Math.round(dy / ly));
    if (d < 2.0) (sheet.site[i] === SITE_S_TOP ? top : bottom).push(i);
  }
  return { mo, top, bottom };
}

describe('damage analysis on constructed cases', () => {
  it('pristine, translated and thermally vibrating sheets give no defects', () => {
    const r0 = analyzeDamage(input(sheet, Float64Array.from(sheet.reference), sheet.site));
    const rng = makeRng(3);
    const c = Float64Array.from(sheet.reference);
    for (let i = 0; i < n0; i++) {
      c[3 * i] += 7.3 + 0.12 * rng.normal();
      c[3 * i + 1] -= 4.1 + 0.12 * rng.normal();
      c[3 * i + 2] += 2.2 + 0.12 * rng.normal();
    }
    const r1 = analyzeDamage(input(sheet, c, sheet.site));
    for (const r of [r0, r1]) {
      expect(r.vacancies.total).toBe(0);
      expect(r.interstitials.total).toBe(0);
      expect(r.sputtered.total).toBe(0);
      expect(r.pores.length).toBe(0);
      expect(r.displaced).toBe(0);
      expect(r.antisites).toBe(0);
      expect(r.complexes.length).toBe(0);
    }
    expect(r1.drift[0]).toBeCloseTo(7.3, 1);
    expect(r1.drift[2]).toBeCloseTo(2.2, 1);
  });

  it('known vacancies, complexes, adatom, sputtered atoms, ion fate and pore are found exactly', () => {
    const c = new Float64Array(3 * (n0 + 2));
    c.set(sheet.reference);
    const vel = new Float64Array(3 * (n0 + 2));
    const site = new Int8Array(n0 + 2);
    site.set(sheet.site);
    site[n0] = SITE_ION; site[n0 + 1] = SITE_ION;
    const removed: number[] = [];
    const sputter = (i: number, up: boolean) => {
      c[3 * i + 2] = sheet.zMid + (up ? 30 : -30) + removed.length;
      vel[3 * i + 2] = up ? 10 : -10;
      removed.push(i);
    };
    // Four well separated centres on the 38 x 38.6 Å sheet.
    const A = moWithNeighbours(0.2 * lx, 0.25 * ly);
    const B = moWithNeighbours(0.7 * lx, 0.25 * ly);
    const C = moWithNeighbours(0.2 * lx, 0.75 * ly);
    const D = moWithNeighbours(0.7 * lx, 0.75 * ly);
    expect(A.top.length).toBe(3);
    sputter(A.top[0], true); // V_S (top)
    sputter(B.top[0], true); // V_S2: top + bottom S of one column
    const col = B.bottom.find((s) => Math.hypot(sheet.reference[3 * s] - sheet.reference[3 * B.top[0]], sheet.reference[3 * s + 1] - sheet.reference[3 * B.top[0] + 1]) < 0.1)!;
    sputter(col, false);
    sputter(C.mo, true); // V_MoS3
    for (const s of C.top) sputter(s, true);
    sputter(D.mo, false); // V_MoS6: the pore
    for (const s of [...D.top, ...D.bottom]) sputter(s, false);
    // A lone Mo vacancy: the Mo next to A (distance a along x), its atom moved far up but falling back.
    const E = moWithNeighbours(0.2 * lx + 2 * 3.18 * 2, 0.25 * ly + 5.5 * 2);
    c[3 * E.mo + 2] = sheet.zMid + 25; vel[3 * E.mo + 2] = -5; // detached, returning
    // Ion 1: adatom 1.5 Å above A's remaining top S (inside the slab). Ion 2: below the sheet, transmitted.
    c.set([sheet.reference[3 * A.top[1]], sheet.reference[3 * A.top[1] + 1], sheet.reference[3 * A.top[1] + 2] + 1.5], 3 * n0);
    c.set([0.5 * lx, 0.5 * ly, sheet.zMid - 40], 3 * (n0 + 1));
    vel[3 * (n0 + 1) + 2] = -100;
    const r = analyzeDamage(input(sheet, c, site, { vel, ion: n0 + 1 }));
    expect(r.complexCounts).toEqual({ V_S: 1, V_S2: 1, V_MoS3: 1, V_MoS6: 1, V_Mo: 1 });
    expect(r.vacancies.total).toBe(1 + 2 + 4 + 7 + 1);
    expect(r.vacancies.Mo).toBe(3);
    expect(r.vacancies['S-top']).toBe(1 + 1 + 3 + 3);
    expect(r.vacancies['S-bottom']).toBe(1 + 3);
    expect(r.sputtered.total).toBe(removed.length + 1);
    expect(r.sputtered.byOrigin).toEqual({ Mo: 2, 'S-top': 8, 'S-bottom': 4 });
    expect(r.sputtered.ion).toBe(1);
    expect(r.returning).toEqual([E.mo]);
    expect(r.ionFate).toBe('transmitted');
    expect(r.interstitials.total).toBe(1);
    expect(r.interstitials.atoms).toEqual([n0]);
    expect(r.pores.length).toBe(1);
    expect(r.pores[0].columns).toBe(4);
    // V_MoS6: the hexagon through the six surrounding Mo, (3 sqrt3/2) a^2 = 26.27 Å^2, d_eff 5.78 Å (Yin 2018:
    // about 0.6 nm); by missing atoms, 7 x 2.92 Å^2 = 20.4 Å^2, d_eff 5.10 Å.
    expect(r.pores[0].area).toBeCloseTo(((3 * Math.sqrt(3)) / 2) * 3.18 ** 2, 10);
    expect(r.pores[0].diameter).toBeCloseTo(5.7837, 4);
    expect(r.pores[0].areaAtoms).toBeCloseTo((7 * Math.sqrt(3) * 3.18 ** 2) / 6, 10);
    expect(r.pores[0].diameterAtoms).toBeCloseTo(5.1008, 4);
    expect(r.displaced).toBe(removed.length + 1);
  });

  it('pore area: small pores exactly, a large irregular pore equal to the rasterised union of the empty columns\' hexagons', () => {
    const remove = (sites: number[]) => {
      const c = Float64Array.from(sheet.reference);
      const vel = new Float64Array(3 * n0);
      sites.forEach((i, k) => { c[3 * i + 2] = sheet.zMid + 30 + k; vel[3 * i + 2] = 1; });
      return analyzeDamage(input(sheet, c, sheet.site, { vel }));
    };
    const a = 3.18, tri = (Math.sqrt(3) / 12) * a * a;
    // V_MoS2 through-hole (a Mo and one of its S columns): 6 + 6 - 2 = 10 elementary triangles; 3 atoms.
    const A = moWithNeighbours(0.3 * lx, 0.3 * ly);
    const col = A.bottom.find((s) => Math.hypot(sheet.reference[3 * s] - sheet.reference[3 * A.top[0]], sheet.reference[3 * s + 1] - sheet.reference[3 * A.top[0] + 1]) < 0.1)!;
    const r2 = remove([A.mo, A.top[0], col]);
    expect(r2.pores.length).toBe(1);
    expect(r2.pores[0].columns).toBe(2);
    expect(r2.pores[0].area).toBeCloseTo(10 * tri, 10);
    expect(r2.pores[0].areaAtoms).toBeCloseTo(3 * 2 * tri, 10);
    // A lone empty S column (V_S2) is not a pore.
    expect(remove([A.top[0], col]).pores.length).toBe(0);
    // Large irregular pore: every atom within 6.5 Å (in plane) of an off-lattice point.
    const cx = 0.55 * lx + 0.37, cy = 0.45 * ly - 0.21;
    const gone: number[] = [];
    for (let i = 0; i < n0; i++) if (Math.hypot(sheet.reference[3 * i] - cx, sheet.reference[3 * i + 1] - cy) < 6.5) gone.push(i);
    const r = remove(gone);
    expect(r.pores.length).toBe(1);
    const p = r.pores[0];
    // Raster: a point is in the pore when it lies in the hexagon (apothem a/2, edge normals at 0, 60, ... deg) of an
    // empty column; the empty columns are the projected positions of the removed sites.
    const cols: [number, number][] = [];
    for (const i of gone) {
      const x = sheet.reference[3 * i], y = sheet.reference[3 * i + 1];
      if (!cols.some(([u, v]) => Math.hypot(u - x, v - y) < 0.1)) cols.push([x, y]);
    }
    expect(cols.length).toBe(p.columns);
    const h = 0.025, rHex = a / Math.sqrt(3) + 1e-9;
    const nrm = [0, 1, 2, 3, 4, 5].map((k) => [Math.cos((k * Math.PI) / 3), Math.sin((k * Math.PI) / 3)]);
    let inside = 0;
    for (let x = cx - 11 + h / 2; x < cx + 11; x += h) for (let y = cy - 11 + h / 2; y < cy + 11; y += h) {
      for (const [u, v] of cols) {
        const dx = x - u, dy = y - v;
        if (Math.abs(dx) > rHex || Math.abs(dy) > rHex) continue;
        if (nrm.every(([c, s]) => dx * c + dy * s <= a / 2)) { inside++; break; }
      }
    }
    console.log(`irregular pore: ${p.columns} columns, ${gone.length} atoms, area ${p.area.toFixed(2)} Å^2 (raster ${(inside * h * h).toFixed(2)}), d_eff ${p.diameter.toFixed(2)} Å; by atoms ${p.areaAtoms.toFixed(2)} Å^2, d ${p.diameterAtoms.toFixed(2)} Å`);
    expect(Math.abs(inside * h * h - p.area)).toBeLessThan(0.01 * p.area);
    expect(p.areaAtoms).toBeCloseTo(gone.length * 2 * tri, 10);
  });

  it('labels complexes by content', () => {
    expect([complexLabel(0, 1), complexLabel(0, 2), complexLabel(1, 0), complexLabel(1, 3), complexLabel(1, 6), complexLabel(2, 4)])
      .toEqual(['V_S', 'V_S2', 'V_Mo', 'V_MoS3', 'V_MoS6', 'V_Mo2S4']);
  });
});

describe('damage analysis on a real thermal trajectory', () => {
  it('a 300 K MD-equilibrated sheet hit by a 5 eV He ion shows no defects', async () => {
    const { runCascade } = await import('../../src/md/cascade.ts');
    const { SwZblPotential } = await import('../../src/potential/classical/sw.ts');
    const r = await runCascade({
      potential: new SwZblPotential(), nx: 6, ny: 4, lattice: { a: 3.1957, t: 3.1938 }, temperature: 300, equilibrate: 0.15, seed: 3,
      projectile: { kind: 'ion', species: 'He', energy: 5, impact: [9, 10], height: 3 }, time: 0.1,
      thermostat: { kind: 'langevin', T: 300, tau: 0.1, width: 4 },
    });
    expect(r.damage.vacancies.total).toBe(0);
    expect(r.damage.interstitials.total).toBe(0);
    expect(r.damage.displaced).toBe(0);
    expect(r.damage.sputtered.total - r.damage.sputtered.ion).toBe(0);
    expect(r.damage.pores.length).toBe(0);
  });
});
