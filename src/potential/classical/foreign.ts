// Adds universal ZBL (LAMMPS `pair_style zbl rin rc` switching) for every pair that involves an atom of a species
// outside the wrapped engine's elements (He, Ne, Ar, Kr, Xe, Ga, Au, or "Z<n>"). The wrapped engine sees the
// foreign atoms with type -1 (absent). Used to put a DP model behind the same cascade code as the classical one.

import { element } from '../../physics/elements.ts';
import { buildNeighborList, type NeighborList, type VerletList } from '../neighbors.ts';
import { makeZblSwitch, zblSwitched, type ZblSwitch } from './zblpair.ts';
import { PotentialRangeError, type EvalResult, type System } from '../types.ts';

export const zOf = (s: string): number => {
  const m = /^Z(\d+)$/.exec(s);
  return m ? Number(m[1]) : element(s).Z;
};

/**
 * ZBL energy/forces/virial of all pairs with at least one atom flagged foreign (added into `out`). `verlet`, when
 * given, supplies the neighbour list (its cutoff must be at least rc); otherwise a fresh list is built.
 */
export function addForeignZbl(sys: System, foreign: Uint8Array, out: EvalResult, rin = 3.0, rc = 4.0, minDistance = 0.02, verlet?: VerletList): void {
  const n = foreign.length;
  if (!foreign.some((f) => f === 1)) return;
  if (verlet && verlet.cutoff < rc) throw new Error(`addForeignZbl: the neighbour list cutoff ${verlet.cutoff} Å is below the ZBL cutoff ${rc} Å`);
  const nl: NeighborList = verlet ? verlet.update(sys) : buildNeighborList(sys.coord, sys.cell, sys.pbc, rc);
  const cache = new Map<string, ZblSwitch>();
  const Z = sys.species.map(zOf);
  for (let i = 0; i < n; i++) {
    for (let m = nl.offsets[i]; m < nl.offsets[i + 1]; m++) {
      const j = nl.index[m];
      if (!foreign[i] && !foreign[j]) continue;
      const r = nl.dist[m];
      if (r >= rc) continue;
      if (r < minDistance) {
        throw new PotentialRangeError(`atoms ${i} (${sys.species[sys.atype[i]]}) and ${j} (${sys.species[sys.atype[j]]}) are ${r.toExponential(3)} Å apart, closer than ${minDistance} Å`);
      }
      const zi = Z[sys.atype[i]], zj = Z[sys.atype[j]];
      const key = `${Math.min(zi, zj)}:${Math.max(zi, zj)}`;
      let s = cache.get(key);
      if (!s) cache.set(key, (s = makeZblSwitch(zi, zj, rin, rc)));
      const { e, dedr } = zblSwitched(s, r);
      const f = (0.5 * dedr) / r;
      out.energy += 0.5 * e;
      out.atomEnergy[i] += 0.25 * e;
      out.atomEnergy[j] += 0.25 * e;
      const d = [nl.disp[3 * m], nl.disp[3 * m + 1], nl.disp[3 * m + 2]];
      for (let a = 0; a < 3; a++) {
        out.force[3 * i + a] += f * d[a];
        out.force[3 * j + a] -= f * d[a];
        for (let b = 0; b < 3; b++) {
          const w = -f * d[a] * d[b];
          out.virial[3 * a + b] += w;
          out.atomVirial[9 * i + 3 * a + b] += 0.5 * w;
          out.atomVirial[9 * j + 3 * a + b] += 0.5 * w;
        }
      }
    }
  }
}
