// The one neighbour list (src/potential/neighbors.ts): brute force over images for a triclinic cell smaller than the
// cut-off, masks, and the Verlet list with a skin: reused lists give the same pairs and the same SW + ZBL forces as
// a fresh build, and are rebuilt exactly when an atom has moved more than skin/2 or the cell changed.
import { describe, expect, it } from 'vitest';
import { buildNeighborList, VerletList, wrapPositions } from '../../src/potential/neighbors.ts';
import { SwZblPotential } from '../../src/potential/classical/sw.ts';
import { buildSheet } from '../../src/physics/lattice.ts';
import { makeRng } from '../../src/md/random.ts';
import type { System } from '../../src/potential/types.ts';

/** Sorted "i j dx dy dz" keys of all pairs closer than rc (brute force over image shifts -3..3). */
function brutePairs(coord: Float64Array, cell: Float64Array, pbc: boolean[], rc: number, mask?: boolean[]): string[] {
  const n = coord.length / 3;
  const out: string[] = [];
  const R = [0, 1, 2].map((k) => (pbc[k] ? 6 : 0));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    if (mask && (!mask[i] || !mask[j])) continue;
    for (let a = -R[0]; a <= R[0]; a++) for (let b = -R[1]; b <= R[1]; b++) for (let c = -R[2]; c <= R[2]; c++) {
      if (i === j && a === 0 && b === 0 && c === 0) continue;
      const d = [0, 1, 2].map((q) => coord[3 * j + q] + a * cell[q] + b * cell[3 + q] + c * cell[6 + q] - coord[3 * i + q]);
      if (Math.hypot(d[0], d[1], d[2]) <= rc) out.push(`${i} ${j} ${d.map((x) => x.toFixed(6)).join(' ')}`);
    }
  }
  return out.sort();
}

function listPairs(nl: ReturnType<typeof buildNeighborList>, rc = Infinity): string[] {
  const out: string[] = [];
  for (let i = 0; i < nl.n; i++) for (let m = nl.offsets[i]; m < nl.offsets[i + 1]; m++) {
    if (nl.dist[m] > rc) continue;
    out.push(`${i} ${nl.index[m]} ${[0, 1, 2].map((q) => nl.disp[3 * m + q].toFixed(6)).join(' ')}`);
  }
  return out.sort();
}

function triclinic(): { coord: Float64Array; cell: Float64Array } {
  const rng = makeRng(11);
  const cell = Float64Array.of(4.1, 0, 0, 1.3, 3.7, 0, 0.4, -0.6, 4.4);
  const n = 7;
  const coord = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const s = [rng.uniform(), rng.uniform(), rng.uniform()];
    for (let q = 0; q < 3; q++) coord[3 * i + q] = s[0] * cell[q] + s[1] * cell[3 + q] + s[2] * cell[6 + q];
  }
  // Displace two atoms out of the cell (the list wraps internally, displacements stay exact).
  coord[0] += 9.3; coord[4] -= 7.7;
  return { coord, cell };
}

describe('buildNeighborList', () => {
  it('matches brute force over images (triclinic cell smaller than the cut-off, partial periodicity, mask)', () => {
    const { coord, cell } = triclinic();
    for (const pbc of [[true, true, true], [true, false, true], [false, false, false]]) {
      const rc = 5.3;
      // For non-periodic directions brute force uses no shift; the list must not either.
      const want = brutePairs(coord, cell, pbc, rc);
      const wrapped = wrapPositions({ coord: Float64Array.from(coord), cell, pbc });
      const got = listPairs(buildNeighborList(coord, cell, pbc, rc));
      expect(got).toEqual(want);
      // wrapping the input first gives the same displacements
      expect(listPairs(buildNeighborList(wrapped, cell, pbc, rc))).toEqual(want);
    }
    const mask = [true, false, true, true, false, true, true];
    const nl = buildNeighborList(coord, cell, [true, true, true], 5.3, mask);
    expect(listPairs(nl)).toEqual(brutePairs(coord, cell, [true, true, true], 5.3, mask));
    expect(nl.offsets[2] - nl.offsets[1]).toBe(0);
  });

  it('reports the closest pair and refuses non-finite coordinates', () => {
    const coord = Float64Array.of(0, 0, 0, 3, 0, 0, 3.4, 0.3, 0, 9, 9, 9);
    const nl = buildNeighborList(coord, null, [false, false, false], 4);
    expect(nl.minPair.r).toBeCloseTo(0.5, 12);
    expect([nl.minPair.i, nl.minPair.j].sort()).toEqual([1, 2]);
    coord[10] = NaN;
    expect(() => buildNeighborList(coord, null, [false, false, false], 4)).toThrow(/atom 3 has a non-finite coordinate/);
  });
});

describe('VerletList (skin)', () => {
  const sheet = buildSheet({ a: 3.1957, t: 3.1938, nx: 4, ny: 3 });

  it('reuses the list while atoms move less than skin/2 and gives exactly the pairs of a fresh build', () => {
    const rc = 5.55, skin = 1.0;
    const vl = new VerletList(rc, skin);
    const coord = Float64Array.from(sheet.system.coord);
    const geo = { coord, cell: sheet.system.cell, pbc: sheet.system.pbc };
    vl.update(geo);
    expect(vl.builds).toBe(1);
    const rng = makeRng(5);
    for (let step = 0; step < 12; step++) {
      // Random moves of at most 0.04 Å per step; wrap every step as the integrator does.
      for (let q = 0; q < coord.length; q++) coord[q] += 0.04 * (2 * rng.uniform() - 1) / Math.sqrt(3);
      wrapPositions(geo);
      const nl = vl.update(geo);
      const fresh = buildNeighborList(coord, geo.cell, geo.pbc, rc);
      expect(listPairs(nl, rc)).toEqual(listPairs(fresh));
      expect(nl.minPair.r).toBeCloseTo(fresh.minPair.r, 12);
    }
    // 12 steps x at most 0.04 Å = 0.48 Å < skin/2: never rebuilt.
    expect(vl.builds).toBe(1);
    expect(vl.reuses).toBe(12);
    // One atom moved by a further 1.2 Å: rebuilt.
    coord[3 * 5] += 1.2;
    vl.update(geo);
    expect(vl.builds).toBe(2);
    // A changed cell: rebuilt even without motion.
    vl.update({ ...geo, cell: Float64Array.from(geo.cell!).map((v) => v * 1.001) });
    expect(vl.builds).toBe(3);
  });

  it('SW + ZBL forces and energies with a reused list equal those of a fresh build', () => {
    const n0 = sheet.site.length;
    const coord = new Float64Array(3 * (n0 + 1));
    coord.set(sheet.system.coord);
    const rng = makeRng(9);
    for (let q = 0; q < 3 * n0; q++) coord[q] += 0.1 * (2 * rng.uniform() - 1);
    // An Ar ion 1.6 Å above the top S of atom 2 (ZBL range).
    coord.set([coord[6] + 0.3, coord[7], coord[8] + 1.6], 3 * n0);
    const atype = new Int32Array(n0 + 1);
    atype.set(sheet.system.atype);
    atype[n0] = 2;
    const sys: System = { coord, atype, species: ['Mo', 'S', 'Ar'], cell: sheet.system.cell, pbc: [true, true, false] };
    const reused = new SwZblPotential({ skin: 1.0 });
    reused.compute(sys); // builds
    // Move every atom by up to 0.3 Å (< skin/2) and the ion towards the sheet by 0.45 Å.
    for (let q = 0; q < 3 * n0; q++) coord[q] += 0.3 * (2 * rng.uniform() - 1) / Math.sqrt(3);
    coord[3 * n0 + 2] -= 0.45;
    const a = reused.compute(sys);
    expect(reused.verlet.builds).toBe(1);
    expect(reused.verlet.reuses).toBe(1);
    const b = new SwZblPotential({ skin: 0 }).compute(sys);
    let fmax = 0, err = 0;
    for (let q = 0; q < a.force.length; q++) {
      fmax = Math.max(fmax, Math.abs(b.force[q]));
      err = Math.max(err, Math.abs(a.force[q] - b.force[q]));
    }
    expect(fmax).toBeGreaterThan(1);
    expect(err).toBeLessThan(1e-11 * fmax);
    expect(Math.abs(a.energy - b.energy)).toBeLessThan(1e-10 * Math.abs(b.energy));
    for (let q = 0; q < 9; q++) expect(a.virial[q]).toBeCloseTo(b.virial[q], 9);
  });
});
