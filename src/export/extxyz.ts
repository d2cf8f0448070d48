// Extended XYZ writer (one frame or a whole trajectory), readable by ASE (`ase.io.read(f, index=':')`) and OVITO.
//
// Per frame:
//   N
//   Lattice="ax ay az bx by bz cx cy cz" Properties=species:S:1:pos:R:3[:masses:R:1:momenta:R:3:velo:R:3]
//     pbc="T T F" time=<ps> step=<n> [energy=<PE eV> kinetic_energy=<eV> total_energy=<eV>] [meta keys]
//   <species> <x> <y> <z> [<mass> <px> <py> <pz> <vx> <vy> <vz>]
//
// Velocities, two columns for two readers:
//   - `momenta` (ASE units) + `masses` (amu): ASE's extxyz reader stores every column under its own name in
//     Atoms.arrays, and only `momenta` and `masses` are Atoms' own arrays, so `atoms.get_velocities()` works
//     (a `velocities` column would stay an inert extra array). ASE's time unit is Å·sqrt(amu/eV) (about 10.18 fs),
//     so v_ASE = v[Å/ps] · 100·sqrt(amu/e) = v · 0.0101805... (CODATA 2014, ASE's default `ase.units`), and
//     momenta = mass · v_ASE. The per-atom `masses` column makes ASE use the engine's masses (ions given as
//     "Z=50:118.71", isotopes) instead of its own table. Back in Å/ps: v = atoms.get_velocities() * (1000 * units.fs).
//   - `velo` (Å/ps): the name OVITO maps to its Velocity property (XYZImporter column mapping; OVITO's own XYZ
//     exporter writes `velo`). ASE keeps it as atoms.arrays['velo'].
// `energy` is the potential energy (ASE turns it into a SinglePointCalculator result: atoms.get_potential_energy()).
// Keys are sanitised to [A-Za-z_][A-Za-z0-9_]*, string values lose double quotes (neither reader unescapes them).

import type { Frame, Trajectory } from './trajectory.ts';

/** Å/ps -> ASE velocity unit (Å / (Å·sqrt(amu/eV))): 100·sqrt(amu/e), CODATA 2014 as in ase.units. */
export const ASE_VELOCITY_PER_A_PS = 100 * Math.sqrt(1.66053904e-27 / 1.6021766208e-19);

export interface ExtxyzOptions {
  /** Write velocities (when the frame has them): 'both' (default) = momenta+masses for ASE and velo for OVITO. */
  velocities?: 'both' | 'ase' | 'ovito' | 'none';
  /** Decimals of positions (Å) and velocities (Å/ps); default 8. Momenta get 2 more. */
  decimals?: number;
  /** Extra per-frame info (merged over the trajectory's meta). */
  info?: Record<string, string | number | boolean>;
  /** Write the trajectory's meta into every frame's comment line (default true). */
  meta?: boolean;
}

const KEY_OK = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['lattice', 'properties', 'pbc', 'time', 'step', 'energy', 'kinetic_energy', 'total_energy']);

function sanitiseKey(k: string): string {
  const s = k.replace(/[^A-Za-z0-9_]/g, '_');
  return KEY_OK.test(s) ? s : `_${s}`;
}

function infoValue(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : `"${String(v)}"`;
  const s = v.replace(/["{}\n\r]/g, "'");
  return /^[A-Za-z0-9_.+-]+$/.test(s) && !/^[TF]$/.test(s) && !Number.isFinite(Number(s)) ? s : `"${s}"`;
}

const num = (x: number, d: number): string => {
  const s = x.toFixed(d);
  return s === `-${(0).toFixed(d)}` ? s.slice(1) : s;
};

/** Comment (second) line of a frame. */
export function extxyzComment(t: Trajectory, f: Frame, opts: ExtxyzOptions = {}): string {
  const mode = f.vel ? opts.velocities ?? 'both' : 'none';
  let props = 'species:S:1:pos:R:3';
  if (mode === 'both' || mode === 'ase') props += ':masses:R:1:momenta:R:3';
  if (mode === 'both' || mode === 'ovito') props += ':velo:R:3';
  const parts = [
    `Lattice="${Array.from(t.cell, (x) => String(x)).join(' ')}"`,
    `Properties=${props}`,
    `pbc="${t.pbc.map((p) => (p ? 'T' : 'F')).join(' ')}"`,
    `time=${f.time}`,
    `step=${f.step}`,
  ];
  if (f.energies) parts.push(`energy=${f.energies.pe}`, `kinetic_energy=${f.energies.ke}`, `total_energy=${f.energies.total}`);
  const extra = { ...(opts.meta === false ? {} : t.meta), ...(opts.info ?? {}) };
  const seen = new Set<string>();
  for (const [k0, v] of Object.entries(extra)) {
    const k = sanitiseKey(k0);
    if (RESERVED.has(k.toLowerCase()) || seen.has(k)) continue;
    seen.add(k);
    parts.push(`${k}=${infoValue(v)}`);
  }
  return parts.join(' ');
}

/** One frame as extended XYZ text (ends with a newline). */
export function extxyzFrame(t: Trajectory, f: Frame, opts: ExtxyzOptions = {}): string {
  const n = t.atype.length;
  if (f.coord.length !== 3 * n) throw new Error(`extxyz: frame has ${f.coord.length / 3} positions for ${n} atoms`);
  const d = opts.decimals ?? 8;
  const mode = f.vel ? opts.velocities ?? 'both' : 'none';
  const ase = mode === 'both' || mode === 'ase';
  const ovito = mode === 'both' || mode === 'ovito';
  const x = f.coord, v = f.vel;
  const lines: string[] = [String(n), extxyzComment(t, f, opts)];
  const w = Math.max(2, ...t.species.map((s) => s.length));
  for (let i = 0; i < n; i++) {
    let line = `${t.species[t.atype[i]].padEnd(w)} ${num(x[3 * i], d)} ${num(x[3 * i + 1], d)} ${num(x[3 * i + 2], d)}`;
    if (ase) {
      const m = t.masses[i], c = m * ASE_VELOCITY_PER_A_PS;
      line += ` ${m} ${num(c * v![3 * i], d + 2)} ${num(c * v![3 * i + 1], d + 2)} ${num(c * v![3 * i + 2], d + 2)}`;
    }
    if (ovito) line += ` ${num(v![3 * i], d)} ${num(v![3 * i + 1], d)} ${num(v![3 * i + 2], d)}`;
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

/** The frames one after another, as text chunks (one per frame): join them, or hand them to a Blob. */
export function* extxyzChunks(t: Trajectory, opts: ExtxyzOptions = {}, frames: Iterable<Frame> = t.frames): Generator<string> {
  for (const f of frames) yield extxyzFrame(t, f, opts);
}

/** The whole trajectory as one string. */
export function writeExtxyz(t: Trajectory, opts: ExtxyzOptions = {}): string {
  return [...extxyzChunks(t, opts)].join('');
}
