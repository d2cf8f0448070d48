// A trajectory in memory (the exporters' input) and a compact binary form of it that can be appended frame by
// frame (to OPFS or IndexedDB) and read back after a reload or a crash. Pure TypeScript, no Node imports: runs
// in a Web Worker, the page and the CLI. Units: LAMMPS metal (Å, ps, Å/ps, eV, amu).
//
// Binary format "DPTJ" version 1. Everything little-endian; every section starts at a multiple of 8 bytes.
//
//   Header
//     0   u8[4]   magic "DPTJ"
//     4   u32     version (1)
//     8   u32     header length H in bytes (a multiple of 8; frames start at byte H)
//     12  u32     natoms N
//     16  u32     bytes per stored float of coordinates/velocities: 4 (Float32) or 8 (Float64)
//     20  u8[3]   pbc (0/1 for a, b, c);  23  u8 reserved (0)
//     24  f64[9]  cell (rows a, b, c; Å)
//     96  f64[N]  masses (amu)
//         i32[N]  atype (index into species)
//         u32     L, then L bytes of UTF-8 JSON {"species": [...], "meta": {...}}
//         zero padding to H
//   Frame (repeated until the end of the data)
//     0   u8[4]   magic "FRM1"
//     4   u32     frame length F in bytes (a multiple of 8, this 40-byte frame header included)
//     8   u32     flags: bit 0 velocities present, bit 1 energies present
//     12  u32     FNV-1a 32-bit checksum of bytes 16..F of this frame
//     16  f64     step
//     24  f64     time (ps)
//     32  f64     reserved (0)
//     40  f64[3]  ke, pe, total (eV)                        only with flag bit 1
//         float[3N] coordinates (Å)                          Float32 or Float64 as in the header
//         float[3N] velocities (Å/ps)                        only with flag bit 0
//         zero padding to F
//
// A reader stops at the first frame that is incomplete, has a wrong magic or a bad checksum (a crash in the
// middle of an append, or a storage layer that zero-filled the tail), and returns the frames before it.

import type { MdState } from '../md/integrator.ts';
import type { Setup } from '../md/projectile.ts';

export interface Frame {
  step: number;
  /** ps */
  time: number;
  /** natoms*3, Å */
  coord: Float64Array;
  /** natoms*3, Å/ps */
  vel?: Float64Array;
  /** eV; total is the conserved quantity KE + PE + energy taken out by the thermostat (EnergySample.total). */
  energies?: { ke: number; pe: number; total: number };
}

export interface Trajectory {
  species: string[];
  atype: Int32Array;
  /** Per atom, amu. */
  masses: Float64Array;
  /** Nine numbers, rows a, b, c (Å). */
  cell: Float64Array;
  pbc: [boolean, boolean, boolean];
  frames: Frame[];
  meta: Record<string, string | number | boolean>;
}

export type Precision = 'float32' | 'float64';

export interface DecodedTrajectory extends Trajectory {
  precision: Precision;
  /** Bytes of `bytes` that held complete, valid frames (header included); append after this offset. */
  validBytes: number;
  /** True when data after the last valid frame was dropped (a truncated or corrupt frame). */
  truncated: boolean;
}

/** A trajectory with no frames yet for a run's set-up (projectile.ts addIon / addPka). */
export function trajectoryOf(setup: Pick<Setup, 'system' | 'mass'>, meta: Trajectory['meta'] = {}): Trajectory {
  const s = setup.system;
  if (!s.cell) throw new Error('trajectory: the system needs a cell');
  return { species: [...s.species], atype: Int32Array.from(s.atype), masses: Float64Array.from(setup.mass), cell: Float64Array.from(s.cell), pbc: [...s.pbc], frames: [], meta };
}

/** A frame (copies) of the integrator's state, e.g. in runCascade's onFrame. */
export function frameFromState(st: Pick<MdState, 'step' | 'time' | 'system' | 'vel' | 'ke' | 'pe' | 'thermostatEnergy'>, velocities = true): Frame {
  return {
    step: st.step, time: st.time, coord: Float64Array.from(st.system.coord), vel: velocities ? Float64Array.from(st.vel) : undefined,
    energies: { ke: st.ke, pe: st.pe, total: st.ke + st.pe + st.thermostatEnergy },
  };
}

const HEADER_MAGIC = 0x4a545044; // "DPTJ" read as little-endian u32
const FRAME_MAGIC = 0x314d5246; // "FRM1"
const VERSION = 1;
const FRAME_FIXED = 40;

const pad8 = (n: number): number => (n + 7) & ~7;

function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The header bytes for a trajectory (its frames are ignored); `precision` applies to every frame. */
export function encodeHeader(t: Omit<Trajectory, 'frames'> & { frames?: Frame[] }, precision: Precision = 'float32'): Uint8Array {
  const n = t.atype.length;
  if (t.masses.length !== n) throw new Error(`trajectory: ${t.masses.length} masses for ${n} atoms`);
  if (t.cell.length !== 9) throw new Error('trajectory: the cell must have 9 numbers');
  const json = new TextEncoder().encode(JSON.stringify({ species: t.species, meta: t.meta }));
  const len = pad8(96 + 8 * n + 4 * n + 4 + json.length);
  const buf = new ArrayBuffer(len);
  const dv = new DataView(buf);
  const u8 = new Uint8Array(buf);
  dv.setUint32(0, HEADER_MAGIC, true);
  dv.setUint32(4, VERSION, true);
  dv.setUint32(8, len, true);
  dv.setUint32(12, n, true);
  dv.setUint32(16, precision === 'float64' ? 8 : 4, true);
  for (let k = 0; k < 3; k++) u8[20 + k] = t.pbc[k] ? 1 : 0;
  let o = 24;
  for (let k = 0; k < 9; k++, o += 8) dv.setFloat64(o, t.cell[k], true);
  for (let i = 0; i < n; i++, o += 8) dv.setFloat64(o, t.masses[i], true);
  for (let i = 0; i < n; i++, o += 4) dv.setInt32(o, t.atype[i], true);
  dv.setUint32(o, json.length, true);
  u8.set(json, o + 4);
  return u8;
}

/** The bytes of one frame, to append after the header (same natoms and precision as the header). */
export function encodeFrame(f: Frame, natoms: number, precision: Precision = 'float32'): Uint8Array {
  if (f.coord.length !== 3 * natoms) throw new Error(`trajectory frame: ${f.coord.length / 3} positions for ${natoms} atoms`);
  if (f.vel && f.vel.length !== 3 * natoms) throw new Error(`trajectory frame: ${f.vel.length / 3} velocities for ${natoms} atoms`);
  const w = precision === 'float64' ? 8 : 4;
  const len = pad8(FRAME_FIXED + (f.energies ? 24 : 0) + 3 * natoms * w * (f.vel ? 2 : 1));
  const buf = new ArrayBuffer(len);
  const dv = new DataView(buf);
  dv.setUint32(0, FRAME_MAGIC, true);
  dv.setUint32(4, len, true);
  dv.setUint32(8, (f.vel ? 1 : 0) | (f.energies ? 2 : 0), true);
  dv.setFloat64(16, f.step, true);
  dv.setFloat64(24, f.time, true);
  let o = FRAME_FIXED;
  if (f.energies) {
    dv.setFloat64(o, f.energies.ke, true);
    dv.setFloat64(o + 8, f.energies.pe, true);
    dv.setFloat64(o + 16, f.energies.total, true);
    o += 24;
  }
  const put = (a: Float64Array) => {
    if (w === 8) for (let q = 0; q < a.length; q++, o += 8) dv.setFloat64(o, a[q], true);
    else for (let q = 0; q < a.length; q++, o += 4) dv.setFloat32(o, a[q], true);
  };
  put(f.coord);
  if (f.vel) put(f.vel);
  const u8 = new Uint8Array(buf);
  dv.setUint32(12, fnv1a(u8.subarray(16)), true);
  return u8;
}

/** Header and all frames in one buffer. */
export function encodeTrajectory(t: Trajectory, precision: Precision = 'float32'): Uint8Array {
  const parts = [encodeHeader(t, precision), ...t.frames.map((f) => encodeFrame(f, t.atype.length, precision))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/**
 * Reads a header and the frames after it. A truncated or corrupt tail is dropped (`truncated` set); a missing or
 * invalid header throws.
 */
export function decodeTrajectory(bytes: Uint8Array | ArrayBuffer): DecodedTrajectory {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  if (u8.length < 96 || dv.getUint32(0, true) !== HEADER_MAGIC) throw new Error('trajectory: not a DPTJ trajectory (bad magic or too short)');
  const version = dv.getUint32(4, true);
  if (version !== VERSION) throw new Error(`trajectory: format version ${version} is not supported (expected ${VERSION})`);
  const hlen = dv.getUint32(8, true);
  const n = dv.getUint32(12, true);
  const w = dv.getUint32(16, true);
  if (w !== 4 && w !== 8) throw new Error(`trajectory: bad float width ${w}`);
  if (hlen > u8.length || hlen < 96 + 12 * n + 4) throw new Error('trajectory: header truncated');
  const pbc: [boolean, boolean, boolean] = [u8[20] === 1, u8[21] === 1, u8[22] === 1];
  let o = 24;
  const cell = new Float64Array(9);
  for (let k = 0; k < 9; k++, o += 8) cell[k] = dv.getFloat64(o, true);
  const masses = new Float64Array(n);
  for (let i = 0; i < n; i++, o += 8) masses[i] = dv.getFloat64(o, true);
  const atype = new Int32Array(n);
  for (let i = 0; i < n; i++, o += 4) atype[i] = dv.getInt32(o, true);
  const jl = dv.getUint32(o, true);
  if (o + 4 + jl > hlen) throw new Error('trajectory: header truncated');
  const { species, meta } = JSON.parse(new TextDecoder().decode(u8.subarray(o + 4, o + 4 + jl))) as { species: string[]; meta: Trajectory['meta'] };

  const frames: Frame[] = [];
  let p = hlen;
  let truncated = false;
  while (p < u8.length) {
    if (p + FRAME_FIXED > u8.length || dv.getUint32(p, true) !== FRAME_MAGIC) { truncated = true; break; }
    const flen = dv.getUint32(p + 4, true);
    const flags = dv.getUint32(p + 8, true);
    const hasVel = (flags & 1) !== 0, hasE = (flags & 2) !== 0;
    const expect = pad8(FRAME_FIXED + (hasE ? 24 : 0) + 3 * n * w * (hasVel ? 2 : 1));
    if (flen !== expect || p + flen > u8.length || fnv1a(u8.subarray(p + 16, p + flen)) !== dv.getUint32(p + 12, true)) {
      truncated = true;
      break;
    }
    const f: Frame = { step: dv.getFloat64(p + 16, true), time: dv.getFloat64(p + 24, true), coord: new Float64Array(3 * n) };
    let q = p + FRAME_FIXED;
    if (hasE) {
      f.energies = { ke: dv.getFloat64(q, true), pe: dv.getFloat64(q + 8, true), total: dv.getFloat64(q + 16, true) };
      q += 24;
    }
    const get = (a: Float64Array) => {
      if (w === 8) for (let k = 0; k < a.length; k++, q += 8) a[k] = dv.getFloat64(q, true);
      else for (let k = 0; k < a.length; k++, q += 4) a[k] = dv.getFloat32(q, true);
    };
    get(f.coord);
    if (hasVel) { f.vel = new Float64Array(3 * n); get(f.vel); }
    frames.push(f);
    p += flen;
  }
  return { species, atype, masses, cell, pbc, frames, meta, precision: w === 8 ? 'float64' : 'float32', validBytes: p, truncated };
}
