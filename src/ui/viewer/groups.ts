// Splits the atoms into draw groups: one InstancedMesh per group (species; S further split into its top and
// bottom layers so the two planes read apart; the ion on its own). No React.
import type { System } from '../../potential/types';
import { SITE_ION, SITE_S_BOTTOM, SITE_S_TOP } from '../../physics/lattice';
import { atomStyle, ION_COLOR, S_BOTTOM_COLOR } from './atomStyle';

export interface AtomGroup {
  key: string;
  label: string;
  color: string;
  radius: number;
  /** Atom indices drawn by this group, in instance order. */
  indices: Int32Array;
}

/**
 * @param site per-atom site labels from physics/lattice.ts (SITE_*), when known; otherwise S atoms are split by
 *   whether they lie above or below `zMid`.
 */
export function atomGroups(system: System, site: Int8Array | null, zMid: number): AtomGroup[] {
  const n = system.atype.length;
  const buckets = new Map<string, { label: string; color: string; radius: number; idx: number[] }>();
  for (let i = 0; i < n; i++) {
    const sym = system.species[system.atype[i]];
    const style = atomStyle(sym);
    let key = sym;
    let label = sym;
    let color = style.color;
    if (site && site[i] === SITE_ION) {
      key = 'ion';
      label = `Ion (${sym})`;
      color = ION_COLOR;
    } else if (sym === 'S') {
      const top = site && (site[i] === SITE_S_TOP || site[i] === SITE_S_BOTTOM)
        ? site[i] === SITE_S_TOP
        : system.coord[3 * i + 2] >= zMid;
      key = top ? 'S-top' : 'S-bottom';
      label = top ? 'S (top layer)' : 'S (bottom layer)';
      if (!top) color = S_BOTTOM_COLOR;
    }
    let b = buckets.get(key);
    if (!b) { b = { label, color, radius: style.radius, idx: [] }; buckets.set(key, b); }
    b.idx.push(i);
  }
  return [...buckets].map(([key, b]) => ({ key, label: b.label, color: b.color, radius: b.radius, indices: Int32Array.from(b.idx) }));
}
