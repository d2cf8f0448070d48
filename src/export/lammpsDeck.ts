// A LAMMPS input deck plus data file that reproduce one cascade of src/md/cascade.ts (runCascade), for runs far
// larger than a browser holds. What maps to what:
//
//   engine (cascade.ts, integrator.ts)                      LAMMPS (metal units)
//   sheet in x-y, open in z                                 boundary p p m (or f / s), read_data (triclinic box)
//   SwZblPotential, shortRange 'overlay' + noRjkCutoff      pair_style hybrid/overlay sw zbl rin rc [zbl frin frc]
//   DP(-Tab) model + ZBL for foreign species                pair_style hybrid/overlay deepmd MODEL zbl frin frc,
//                                                            pair_coeff * * deepmd Mo S NULL (NULL = foreign types)
//   velocity Verlet                                          fix nve
//   Berendsen on the border strip (T = 2 KE / (3 N kB))     fix temp/berendsen on group border, with a compute temp
//                                                            whose extra/dof is 0 (the engine counts 3 N, not 3 N - 3)
//   Langevin on the border strip (exact OU step)             fix langevin (same damping time; other discretisation)
//   dt/reset {every, tmin, tmax, xmax, emax}                 fix dt/reset N tmin tmax xmax [emax E] units box
//   dtInclude (atoms far from the sheet moving away)         dynamic group of the fix: |z - zMid| < t/2 + cut + 2
//                                                            or (z - zMid) vz < 0
//   stop at `time`, or when cooled (every 10 steps)          fix halt on elapsed time / on max KE in the slab
//   equilibrate (Berendsen tau 0.05 ps on the sheet)         velocity create + fix temp/berendsen, then
//                                                            velocity zero linear, then the projectile's velocity
//
// Order within a step is the engine's: fix nve, then end-of-step fixes in definition order (thermostat, then
// dt/reset), as the integrator documents. DP models: LAMMPS needs a DeePMD-kit build (pair_style deepmd). A TF
// graph with a short-range table ("srtab") or a v3 DP-ZBL model carries its table inside the model file, so
// `pair_style deepmd` alone gives DP-Tab; a v3 .json/.yaml export must first be converted to a backend LAMMPS
// loads (`dp --pt convert-backend model.json model.pth`). A pair table attached in the app to a plain DP model
// (switched by the DP-Tab weights) has no LAMMPS counterpart: export the model with its table instead.

import { element, hasElement } from '../physics/elements.ts';
import type { DtReset } from '../md/integrator.ts';
import type { Setup } from '../md/projectile.ts';
import { borderMask } from '../md/cascade.ts';
import type { Sheet } from '../physics/lattice.ts';
import type { SwParams } from '../potential/classical/sw.ts';
import { writeLammpsData } from './lammpsData.ts';
import { swFileText } from './lammpsSw.ts';

export type DeckPotential =
  | {
      kind: 'sw';
      params: SwParams;
      /** Short-range ZBL overlaid on native pairs (the engine's shortRange 'overlay' rin, rc). */
      zbl: { rin: number; rc: number };
      /** ZBL for pairs with a foreign species (the engine's foreignRin, foreignRc). */
      foreign: { rin: number; rc: number };
      /** Potential file name (default "MoS2.sw"). */
      file?: string;
    }
  | {
      kind: 'deepmd';
      /** Model file name as LAMMPS will see it (.pb, .pth, .savedmodel). */
      model: string;
      /** The model's type_map: species outside it are foreign (ZBL only). */
      typeMap: string[];
      foreign: { rin: number; rc: number };
    };

export interface ScenarioSpec {
  title?: string;
  potential: DeckPotential;
  /** The engine's Potential.cutoff (Å): sets the dt/reset slab as in runCascade. */
  cutoff: number;
  /** The sheet from buildSheet (reference positions: border strip; zMid, t: slabs). */
  sheet: Sheet;
  /** The initial state (projectile.ts addIon/addPka); the sheet atoms come first. */
  setup: Pick<Setup, 'system' | 'vel' | 'mass' | 'projectile'>;
  /**
   * 'data' (default): every velocity in the data file, the exact initial state of our run (after any
   * equilibration). 'create': LAMMPS draws the sheet velocities at `temperature` (seed), equilibrates for
   * `equilibrate` ps, then gives the projectile its velocity from `setup.vel`.
   */
  velocities?: 'data' | 'create';
  temperature?: number;
  equilibrate?: number;
  seed?: number;
  dtReset: DtReset;
  thermostat?: { kind: 'berendsen' | 'langevin'; T: number; tau: number; width: number } | null;
  /** Simulated time of the cascade (ps). */
  time: number;
  cool?: { ke: number; minTime: number } | null;
  /** Thermo output and dump every this many steps (defaults 20 and 50, as runCascade's sampleEvery/frameEvery). */
  thermoEvery?: number;
  dumpEvery?: number;
  /** Non-periodic boundary style in z: 'm' (default: shrink-wrapped with the cell as minimum, no atom lost), 'f', 's'. */
  open?: 'f' | 's' | 'm';
  /** Upper bound on steps of the cascade run (default 100000000; fix halt ends it on time). */
  maxSteps?: number;
  /** File names (defaults "in.cascade", "data.cascade", "cascade.dump"). */
  files?: { input?: string; data?: string; dump?: string };
}

export interface Deck {
  /** File name -> text: the input, the data file and, for SW, the potential file. */
  files: Record<string, string>;
  input: string;
  /** What the deck cannot reproduce, and what the user must supply (model files). */
  notes: string[];
}

const zOf = (s: string): number => {
  const m = /^Z(\d+)$/.exec(s);
  return m ? Number(m[1]) : element(s).Z;
};

/** LAMMPS `group ... id` arguments for the set atoms of a mask (1-based ids, ranges a:b). */
export function idRanges(mask: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    let j = i;
    while (j + 1 < mask.length && mask[j + 1]) j++;
    out.push(j > i ? `${i + 1}:${j + 1}` : `${i + 1}`);
    i = j;
  }
  return out;
}

/** `group NAME id ...` lines (a group command appends to an existing group), at most `per` ranges a line. */
function groupLines(name: string, mask: Uint8Array, per = 40): string[] {
  const r = idRanges(mask);
  if (r.length === 0) return [`group ${name} empty`];
  const lines: string[] = [];
  for (let k = 0; k < r.length; k += per) lines.push(`group ${name} id ${r.slice(k, k + per).join(' ')}`);
  return lines;
}

const g = (x: number): string => String(x);

/**
 * The pair_style / pair_coeff commands for LAMMPS types (lammpsTypes order), the potential files they need
 * (SW: the .sw text) and notes on what differs from the engine.
 */
export function pairCommands(pot: DeckPotential, types: readonly { species: string }[]): { lines: string[]; files: Record<string, string>; notes: string[] } {
  const pair: string[] = [];
  const files: Record<string, string> = {};
  const notes: string[] = [];
  const T = types.length;
  const nativeEls = pot.kind === 'sw' ? pot.params.elements : pot.typeMap;
  const native = types.map((t) => nativeEls.includes(t.species));
  const Z = types.map((t) => zOf(t.species));
  const hasForeign = native.some((x) => !x);
  const typeNames = types.map((t, k) => (native[k] ? t.species : 'NULL')).join(' ');
  const zblLines = (style: string, want: (i: number, j: number) => boolean): string[] => {
    const l: string[] = [];
    for (let i = 0; i < T; i++) for (let j = i; j < T; j++) if (want(i, j)) l.push(`pair_coeff ${i + 1} ${j + 1} ${style} ${Z[i]} ${Z[j]}`);
    return l;
  };
  const foreignPair = (i: number, j: number) => !native[i] || !native[j];
  if (pot.kind === 'sw') {
    const file = pot.file ?? 'MoS2.sw';
    files[file] = swFileText(pot.params);
    const swStyle = pot.params.angleFilter ? `sw/mod maxdelcs ${pot.params.angleFilter.d1} ${pot.params.angleFilter.d2}` : 'sw';
    if (pot.params.angleFilter) notes.push('sw/mod: LAMMPS forces omit the derivative of the angle filter (the engine includes it); energies agree.');
    const same = pot.zbl.rin === pot.foreign.rin && pot.zbl.rc === pot.foreign.rc;
    if (!hasForeign || same) {
      pair.push(`pair_style hybrid/overlay ${swStyle} zbl ${g(pot.zbl.rin)} ${g(pot.zbl.rc)}`);
      pair.push(`pair_coeff * * ${swStyle.split(' ')[0]} ${file} ${typeNames}`);
      pair.push(...zblLines('zbl', () => true));
    } else {
      pair.push(`pair_style hybrid/overlay ${swStyle} zbl ${g(pot.zbl.rin)} ${g(pot.zbl.rc)} zbl ${g(pot.foreign.rin)} ${g(pot.foreign.rc)}`);
      pair.push(`pair_coeff * * ${swStyle.split(' ')[0]} ${file} ${typeNames}`);
      pair.push(...zblLines('zbl 1', (i, j) => !foreignPair(i, j)));
      pair.push(...zblLines('zbl 2', foreignPair));
    }
    notes.push('Classical baseline: LAMMPS sw + zbl overlay equals the engine\'s SwZblPotential with shortRange "overlay" and noRjkCutoff; the engine\'s default "blend" short range and smooth r_jk window are not reproduced.');
  } else {
    for (const s of pot.typeMap) if (!/^Z\d+$/.test(s) && !hasElement(s)) throw new Error(`LAMMPS deck: unknown element ${s} in the type map`);
    // pair_style deepmd reads a backend's frozen model, not the v3 serialisation: name the converted file.
    const v3 = /\.(json|ya?ml)$/i.test(pot.model);
    const model = v3 ? pot.model.replace(/\.(json|ya?ml)$/i, '.pth') : pot.model;
    if (hasForeign) {
      pair.push(`pair_style hybrid/overlay deepmd ${model} zbl ${g(pot.foreign.rin)} ${g(pot.foreign.rc)}`);
      pair.push(`pair_coeff * * deepmd ${typeNames}`);
      pair.push(...zblLines('zbl', foreignPair));
    } else {
      pair.push(`pair_style deepmd ${model}`, `pair_coeff * * ${typeNames}`);
    }
    if (v3) notes.push(`${pot.model} is a DeePMD-kit v3 serialised model: convert it first with \`dp --pt convert-backend ${pot.model} ${model}\` (DeePMD-kit >= 3, PyTorch backend).`);
    notes.push(`Supply the model file ${model} next to the deck; LAMMPS must be built with DeePMD-kit (pair_style deepmd).`);
  }
  return { lines: pair, files, notes };
}

export function lammpsDeck(spec: ScenarioSpec): Deck {
  const { setup, sheet, potential: pot } = spec;
  const sys = setup.system;
  const n = setup.mass.length;
  const nSheet = sheet.site.length;
  if (!(nSheet <= n)) throw new Error(`LAMMPS deck: the sheet has ${nSheet} atoms but the set-up only ${n}`);
  if (!(spec.time > 0)) throw new Error('LAMMPS deck: time must be > 0 ps');
  const names = { input: spec.files?.input ?? 'in.cascade', data: spec.files?.data ?? 'data.cascade', dump: spec.files?.dump ?? 'cascade.dump' };
  const mode = spec.velocities ?? 'data';
  const open = spec.open ?? 'm';
  const notes: string[] = [];

  // Data file: in 'create' mode only positions (LAMMPS makes the velocities).
  const data = writeLammpsData(
    { species: sys.species, atype: sys.atype, masses: setup.mass, coord: sys.coord, cell: sys.cell!, pbc: sys.pbc, vel: mode === 'data' ? setup.vel : null },
    { title: spec.title ?? 'DP-Tab cascade' },
  );
  if (!data.box.identity) notes.push('The cell was rotated into the LAMMPS restricted triclinic frame (a along x): positions and velocities are in that frame.');
  const types = data.types.types;
  const files: Record<string, string> = { [names.data]: data.text };

  const pc = pairCommands(pot, types);
  Object.assign(files, pc.files);
  notes.push(...pc.notes);
  const pair = pc.lines;

  // Groups.
  const projMask = new Uint8Array(n);
  projMask[setup.projectile] = 1;
  const lines: string[] = [
    'units metal',
    'atom_style atomic',
    `boundary ${sys.pbc.map((p) => (p ? 'p' : open)).join(' ')}`,
    `read_data ${names.data}`,
    '',
    ...pair,
    'neighbor 1.0 bin',
    'neigh_modify every 1 delay 0 check yes',
    `timestep ${g(spec.dtReset.tmax ?? 1e-3)}`,
    '',
    `group sheet id 1:${nSheet}`,
    ...groupLines('projectile', projMask),
  ];
  const thermostat = spec.thermostat ?? null;
  const border = thermostat ? borderMask(sheet, n, thermostat.width) : null;
  if (border) lines.push(...groupLines('border', border));
  const zMid = sheet.zMid;
  lines.push(
    '',
    '# dt/reset group (runCascade dtInclude): near the sheet, or moving towards it',
    `variable dtin atom "abs(z-${g(zMid)}) < ${g(sheet.t / 2 + spec.cutoff + 2)} || (z-${g(zMid)})*vz < 0"`,
    'group dtgroup dynamic all var dtin every 1',
  );

  const seed = Math.max(1, Math.floor(spec.seed ?? 1));
  const T0 = spec.temperature ?? 0;
  if (mode === 'create') {
    lines.push('', '# Sheet velocities (Maxwell-Boltzmann, zero net momentum), the projectile at rest for now');
    lines.push('velocity all set 0.0 0.0 0.0 units box');
    if (T0 > 0) lines.push(`velocity sheet create ${g(T0)} ${seed} mom yes rot no dist gaussian`);
    if ((spec.equilibrate ?? 0) > 0) {
      if (!(T0 > 0)) throw new Error('LAMMPS deck: equilibration needs temperature > 0');
      lines.push(
        '', `# Equilibration: ${g(spec.equilibrate!)} ps, Berendsen (tau 0.05 ps) on every sheet atom`,
        'compute tsheet sheet temp', 'compute_modify tsheet extra/dof 0',
        'fix eq_nve sheet nve', `fix eq_ber sheet temp/berendsen ${g(T0)} ${g(T0)} 0.05`, 'fix_modify eq_ber temp tsheet',
        'fix eq_dt sheet dt/reset 1 1e-5 1e-3 0.05 units box',
        'variable eq_time equal time',
        `fix eq_halt all halt 1 v_eq_time >= ${g(spec.equilibrate! - 1e-12)} error continue`,
        'thermo 100', 'run 100000000',
        'unfix eq_halt', 'unfix eq_dt', 'unfix eq_ber', 'unfix eq_nve',
        'velocity sheet zero linear',
      );
    }
    const p = setup.projectile;
    lines.push('', '# Projectile', `velocity projectile set ${g(setup.vel[3 * p])} ${g(setup.vel[3 * p + 1])} ${g(setup.vel[3 * p + 2])} sum no units box`);
  }

  // Cascade.
  const dtr = spec.dtReset;
  const every = spec.thermoEvery ?? 20, dumpEvery = spec.dumpEvery ?? 50;
  const el = types.map((t) => t.species).join(' ');
  // LAMMPS fix temp/berendsen stops on a border at exactly 0 K (the engine then leaves it alone).
  let borderMoving = false;
  if (border && mode === 'data') for (let q = 0; q < 3 * n && !borderMoving; q++) borderMoving = border[Math.floor(q / 3)] === 1 && setup.vel[q] !== 0;
  if (border && mode === 'create') borderMoving = T0 > 0;
  if (thermostat?.kind === 'berendsen' && !borderMoving) {
    lines.push('', '# The border is at 0 K, which fix temp/berendsen refuses: start it at 0.01 K', `velocity border create 0.01 ${seed + 1} mom yes rot no dist gaussian`);
    notes.push('The border strip starts at 0.01 K instead of 0 K (LAMMPS temp/berendsen cannot scale a zero temperature).');
  }
  lines.push('', '# Cascade', 'reset_timestep 0', 'variable t0 equal time', 'variable tstart equal ${t0}', 'variable tcas equal time-v_tstart');
  lines.push('fix nve all nve');
  if (thermostat) {
    lines.push('compute tborder border temp', 'compute_modify tborder extra/dof 0');
    if (thermostat.kind === 'berendsen') {
      lines.push(`fix thermostat border temp/berendsen ${g(thermostat.T)} ${g(thermostat.T)} ${g(thermostat.tau)}`, 'fix_modify thermostat temp tborder');
    } else {
      lines.push(`fix thermostat border langevin ${g(thermostat.T)} ${g(thermostat.T)} ${g(thermostat.tau)} ${seed + 7919}`, 'fix_modify thermostat temp tborder');
      notes.push('Langevin: LAMMPS applies the friction and noise as forces; the engine uses an exact Ornstein-Uhlenbeck step (same damping time; different random numbers).');
    }
  }
  const emax = dtr.emax !== undefined && dtr.emax > 0 ? ` emax ${g(dtr.emax)}` : '';
  lines.push(`fix dtreset dtgroup dt/reset ${dtr.every} ${dtr.tmin === null ? 'NULL' : g(dtr.tmin)} ${dtr.tmax === null ? 'NULL' : g(dtr.tmax)} ${g(dtr.xmax)}${emax} units box`);
  lines.push(`fix stop all halt 1 v_tcas >= ${g(spec.time - 1e-12)} error continue`);
  if (spec.cool) {
    lines.push(
      'compute kea all ke/atom',
      `variable slabke atom "c_kea*(abs(z-${g(zMid)}) <= ${g(sheet.t / 2 + 3)})"`,
      'compute kemax all reduce max v_slabke',
      `variable cooled equal "(v_tcas >= ${g(spec.cool.minTime)}) * (c_kemax < ${g(spec.cool.ke)})"`,
      'fix cool all halt 10 v_cooled == 1 error continue',
    );
  }
  lines.push(
    `thermo ${every}`,
    `thermo_style custom step v_tcas dt pe ke etotal temp${thermostat ? ' c_tborder ecouple econserve' : ''}`,
    'thermo_modify format float %.10g',
    ...(open === 'f' ? ['thermo_modify lost ignore'] : []),
    `dump traj all custom ${dumpEvery} ${names.dump} id type element x y z vx vy vz`,
    `dump_modify traj element ${el} sort id time yes`,
    `run ${spec.maxSteps ?? 100000000}`,
    '',
  );
  const header = [
    `# ${spec.title ?? 'DP-Tab cascade'}: LAMMPS input written by src/export/lammpsDeck.ts`,
    `# Run: lmp -in ${names.input}`,
    ...notes.map((s) => `# NOTE: ${s}`),
    '',
  ];
  const input = [...header, ...lines].join('\n');
  files[names.input] = input;
  return { files, input, notes };
}
