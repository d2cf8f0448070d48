import { describe, expect, it } from 'vitest';
import { buildSheet, moSBond, SITE_MO, SITE_S_BOTTOM, SITE_S_TOP } from '../../src/physics/lattice.ts';
import { buildNeighborList } from '../../src/potential/neighbors.ts';

describe('2H-MoS2 sheet (orthogonal a x sqrt3 a cell)', () => {
  const a = 3.18, t = 3.12;
  const sh = buildSheet({ a, t, nx: 5, ny: 3 });
  it('has the right composition, cell and areal density', () => {
    expect(sh.site.length).toBe(90);
    expect(sh.site.filter((s) => s === SITE_MO).length).toBe(30);
    expect(sh.site.filter((s) => s === SITE_S_TOP).length).toBe(30);
    expect(sh.site.filter((s) => s === SITE_S_BOTTOM).length).toBe(30);
    const c = sh.system.cell!;
    expect(c[0]).toBeCloseTo(5 * a, 12);
    expect(c[4]).toBeCloseTo(3 * Math.sqrt(3) * a, 12);
    expect(sh.system.pbc).toEqual([true, true, false]);
    expect(90 / (c[0] * c[4])).toBeCloseTo(0.3426, 3); // PHYSICS.md §6
  });
  it('has the neighbour shells of PHYSICS.md §6', () => {
    expect(moSBond(a, t)).toBeCloseTo(2.409, 3);
    const nl = buildNeighborList(sh.system.coord, sh.system.cell, sh.system.pbc, 3.3);
    for (let i = 0; i < sh.site.length; i++) {
      const ds: [string, number][] = [];
      for (let m = nl.offsets[i]; m < nl.offsets[i + 1]; m++) ds.push([sh.system.species[sh.system.atype[nl.index[m]]], nl.dist[m]]);
      const count = (sp: string, d: number) => ds.filter(([s, r]) => s === sp && Math.abs(r - d) < 1e-9).length;
      if (sh.site[i] === SITE_MO) {
        expect(count('S', moSBond(a, t))).toBe(6);
        expect(count('Mo', a)).toBe(6);
        expect(ds.length).toBe(12);
      } else {
        expect(count('Mo', moSBond(a, t))).toBe(3);
        expect(count('S', t)).toBe(1);
        expect(count('S', a)).toBe(6);
        expect(ds.length).toBe(10);
        expect(sh.system.coord[3 * i + 2] - sh.zMid).toBeCloseTo(sh.site[i] === SITE_S_TOP ? t / 2 : -t / 2, 12);
      }
    }
  });
});
