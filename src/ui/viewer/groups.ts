// Splits a sheet into draw groups: one InstancedMesh per group (species, with S split by layer). No React.
import type { SheetData } from './previewSheet';
import { atomStyle, S_BOTTOM_COLOR } from './atomStyle';

export interface AtomGroup {
  key: string;
  label: string;
  color: string;
  radius: number;
  /** Atom indices drawn by this group, in instance order. */
  indices: Int32Array;
}

export function atomGroups(sample: SheetData): AtomGroup[] {
  const n = sample.atype.length;
  // The metal plane: mean z of the first species that is not S (Mo for MoS2).
  let zMid = 0;
  let nMid = 0;
  for (let i = 0; i < n; i++) {
    if (sample.species[sample.atype[i]] !== 'S') { zMid += sample.coord[3 * i + 2]; nMid++; }
  }
  zMid = nMid ? zMid / nMid : 0;

  const buckets = new Map<string, { label: string; color: string; radius: number; idx: number[] }>();
  for (let i = 0; i < n; i++) {
    const sym = sample.species[sample.atype[i]];
    const style = atomStyle(sym);
    let key = sym;
    let label = sym;
    let color = style.color;
    if (sym === 'S') {
      const top = sample.coord[3 * i + 2] >= zMid;
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
