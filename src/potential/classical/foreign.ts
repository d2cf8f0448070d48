// Adds universal ZBL (LAMMPS `pair_style zbl rin rc` switching) for every pair that involves an atom of a species
// outside the wrapped engine's elements (He, Ne, Ar, Kr, Xe, Ga, Au, or "Z<n>"). The wrapped engine sees the
// foreign atoms with type -1 (absent). Used to put a DP model behind the same cascade code as the classical one.

import { element } from '../../physics/elements.ts';
import { buildNeighborList } from './neighbors.ts';
import { makeZblSwitch, zblSwitched, type ZblSwitch } from './zblpair.ts';
import { PotentialRangeError, type EvalResult, type System } from '../types.ts';

export const zOf = (s: string): number => {
  const m = /^Z(\d+)$/.exec(s);
  return m ? Number(m[1]) : element(s).Z;
};

/** ZBL energy/forces/virial of all pairs with at least one atom flagged foreign (added into `out`). */
export function addForeignZbl(sys: System, foreign: Uint8Array, out: EvalResult, rin = 3.0, rc = 4.0, minDistance = 0.02): void {
  const n = foreign.length;
  if (!foreign.some((f) => f === 1)) return;
  const nl = buildNeighborList(sys, rc);
  const cache = new Map<string, ZblSwitch>();
  const Z = sys.species.map(zOf);
  for (let i = 0; i < n; i++) {
    for (let m = nl.offsets[i]; m < nl.offsets[i + 1]; m++) {
      const j = nl.j[m];
      if (!foreign[i] && !foreign[j]) continue;
      const r = nl.r[m];
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
      const d = [nl.d[3 * m], nl.d[3 * m + 1], nl.d[3 * m + 2]];
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
