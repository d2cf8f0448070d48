// LAMMPS data file, atom_style atomic, restricted triclinic box (lammpsBox.ts), per-type masses (one type per
// species and mass: lammpsTypes), optional Velocities section (Å/ps). Read with `read_data` in metal units.

import { fmt, lammpsBox, lammpsTypes, toLammpsFrame, type LammpsBox, type LammpsTypes } from './lammpsBox.ts';

export interface DataAtoms {
  species: readonly string[];
  atype: Int32Array;
  /** Per atom (amu). */
  masses: Float64Array;
  /** natoms*3 (Å). */
  coord: Float64Array;
  /** Nine numbers, rows a, b, c (Å). */
  cell: ArrayLike<number>;
  pbc: readonly [boolean, boolean, boolean];
  /** natoms*3 (Å/ps); omitted = no Velocities section (LAMMPS starts at rest). */
  vel?: Float64Array | null;
}

export interface DataOptions {
  title?: string;
  /** Fixed decimals; default full precision. */
  decimals?: number;
}

export interface DataFile {
  text: string;
  box: LammpsBox;
  types: LammpsTypes;
}

export function writeLammpsData(a: DataAtoms, opts: DataOptions = {}): DataFile {
  const n = a.atype.length;
  if (a.coord.length !== 3 * n || a.masses.length !== n) throw new Error(`LAMMPS data: ${a.coord.length / 3} positions and ${a.masses.length} masses for ${n} atoms`);
  const box = lammpsBox(a.cell, a.pbc);
  const types = lammpsTypes(a.species, a.atype, a.masses);
  const x = toLammpsFrame(box, a.coord);
  const d = opts.decimals;
  const title = (opts.title ?? 'DP-Tab cascade export').replace(/[\r\n]+/g, ' ');
  const lines: string[] = [
    `LAMMPS data file: ${title} (units metal, atom_style atomic)`, '',
    `${n} atoms`, `${types.types.length} atom types`, '',
    `${box.xlo} ${box.xhi} xlo xhi`, `${box.ylo} ${box.yhi} ylo yhi`, `${box.zlo} ${box.zhi} zlo zhi`, `${box.xy} ${box.xz} ${box.yz} xy xz yz`, '',
    'Masses', '', ...types.types.map((t, k) => `${k + 1} ${t.mass} # ${t.species}`), '',
    'Atoms # atomic', '',
  ];
  for (let i = 0; i < n; i++) lines.push(`${i + 1} ${types.typeOf[i]} ${fmt(x[3 * i], d)} ${fmt(x[3 * i + 1], d)} ${fmt(x[3 * i + 2], d)}`);
  if (a.vel) {
    const v = toLammpsFrame(box, a.vel);
    lines.push('', 'Velocities', '');
    for (let i = 0; i < n; i++) lines.push(`${i + 1} ${fmt(v[3 * i], d)} ${fmt(v[3 * i + 1], d)} ${fmt(v[3 * i + 2], d)}`);
  }
  lines.push('');
  return { text: lines.join('\n'), box, types };
}
