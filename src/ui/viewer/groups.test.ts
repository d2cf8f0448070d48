import { describe, expect, it } from 'vitest';
import { buildSheet } from '../../physics/lattice';
import { atomGroups } from './groups';

describe('atomGroups', () => {
  it('splits a 2H-MoS2 sheet into Mo and the two S layers, by site label or by height alike', () => {
    const sheet = buildSheet({ nx: 3, ny: 2 });
    const bySite = atomGroups(sheet.system, sheet.site, sheet.zMid);
    const byZ = atomGroups(sheet.system, null, sheet.zMid);
    expect(bySite.map((g) => [g.key, g.indices.length])).toEqual([['Mo', 12], ['S-top', 12], ['S-bottom', 12]]);
    expect(byZ.map((g) => [g.key, Array.from(g.indices)])).toEqual(bySite.map((g) => [g.key, Array.from(g.indices)]));
    // Every atom is drawn exactly once, and the top layer really is above the Mo plane.
    const all = bySite.flatMap((g) => Array.from(g.indices)).sort((a, b) => a - b);
    expect(all).toEqual([...Array(36).keys()]);
    const top = bySite.find((g) => g.key === 'S-top')!;
    for (const i of top.indices) expect(sheet.system.coord[3 * i + 2]).toBeGreaterThan(sheet.zMid);
  });
});
