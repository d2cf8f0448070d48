// LAMMPS text dump ("dump custom" layout), readable by LAMMPS `read_dump` / `rerun`, OVITO and ASE
// (`format='lammps-dump-text'`). Per frame:
//   ITEM: TIME                       (with `time`, default on; LAMMPS writes it with dump_modify time yes)
//   <time, ps>
//   ITEM: TIMESTEP
//   <step>
//   ITEM: NUMBER OF ATOMS
//   <N>
//   ITEM: BOX BOUNDS xy xz yz pp pp ff
//   xlo_bound xhi_bound xy
//   ylo_bound yhi_bound xz
//   zlo_bound zhi_bound yz
//   ITEM: ATOMS id type element x y z [vx vy vz]
// with the bounding box of the restricted triclinic cell (lammpsBox.ts):
//   xlo_bound = xlo + min(0, xy, xz, xy + xz), xhi_bound = xhi + max(0, xy, xz, xy + xz),
//   ylo_bound = ylo + min(0, yz), yhi_bound = yhi + max(0, yz).
// Types are those of lammpsTypes() (the same numbering as the data file of lammpsData.ts), ids 1..N in the
// trajectory's atom order. Positions and velocities in Å and Å/ps (metal units), mapped into the LAMMPS frame.

import { boundaryLetter, fmt, lammpsBox, lammpsTypes, toLammpsFrame, type LammpsBox } from './lammpsBox.ts';
import type { Frame, Trajectory } from './trajectory.ts';

export interface DumpOptions {
  /** Style of the non-periodic directions in BOX BOUNDS (default 'f'). */
  open?: 'f' | 's' | 'm';
  /** Write ITEM: TIME (default true). */
  time?: boolean;
  /** Write velocities when the frame has them (default true). */
  velocities?: boolean;
  /** Fixed decimals for positions and velocities; default full precision. */
  decimals?: number;
}

/** BOX BOUNDS header line and its three lines for a box. */
export function dumpBoxBounds(box: LammpsBox, pbc: readonly [boolean, boolean, boolean], open: 'f' | 's' | 'm' = 'f'): string[] {
  const { xy, xz, yz } = box;
  const b = pbc.map((p) => boundaryLetter(p, open).repeat(2)).join(' ');
  return [
    `ITEM: BOX BOUNDS xy xz yz ${b}`,
    `${box.xlo + Math.min(0, xy, xz, xy + xz)} ${box.xhi + Math.max(0, xy, xz, xy + xz)} ${xy}`,
    `${box.ylo + Math.min(0, yz)} ${box.yhi + Math.max(0, yz)} ${xz}`,
    `${box.zlo} ${box.zhi} ${yz}`,
  ];
}

/** Writes frames as a LAMMPS dump; returns a function turning one frame into its text. */
export function dumpFrameWriter(t: Trajectory, opts: DumpOptions = {}): (f: Frame) => string {
  const n = t.atype.length;
  const box = lammpsBox(t.cell, t.pbc);
  const { typeOf } = lammpsTypes(t.species, t.atype, t.masses);
  const bounds = dumpBoxBounds(box, t.pbc, opts.open ?? 'f');
  const d = opts.decimals;
  return (f: Frame) => {
    if (f.coord.length !== 3 * n) throw new Error(`LAMMPS dump: frame has ${f.coord.length / 3} positions for ${n} atoms`);
    const vel = opts.velocities !== false && f.vel ? toLammpsFrame(box, f.vel) : null;
    const x = toLammpsFrame(box, f.coord);
    const lines: string[] = [];
    if (opts.time !== false) lines.push('ITEM: TIME', String(f.time));
    lines.push('ITEM: TIMESTEP', String(Math.round(f.step)), 'ITEM: NUMBER OF ATOMS', String(n), ...bounds);
    lines.push(`ITEM: ATOMS id type element x y z${vel ? ' vx vy vz' : ''}`);
    for (let i = 0; i < n; i++) {
      let l = `${i + 1} ${typeOf[i]} ${t.species[t.atype[i]]} ${fmt(x[3 * i], d)} ${fmt(x[3 * i + 1], d)} ${fmt(x[3 * i + 2], d)}`;
      if (vel) l += ` ${fmt(vel[3 * i], d)} ${fmt(vel[3 * i + 1], d)} ${fmt(vel[3 * i + 2], d)}`;
      lines.push(l);
    }
    return lines.join('\n') + '\n';
  };
}

/** The frames as text chunks (one per frame). */
export function* lammpsDumpChunks(t: Trajectory, opts: DumpOptions = {}, frames: Iterable<Frame> = t.frames): Generator<string> {
  const w = dumpFrameWriter(t, opts);
  for (const f of frames) yield w(f);
}

/** The whole trajectory as one dump text. */
export function writeLammpsDump(t: Trajectory, opts: DumpOptions = {}): string {
  return [...lammpsDumpChunks(t, opts)].join('');
}
