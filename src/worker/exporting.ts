// Turns a stored trajectory into the files the user downloads (runs in the worker, so large files never block
// the page; the serialisers are src/export's). The scenario (settings, lattice, potential) travels in the
// trajectory's metadata, so a run saved before a reload exports exactly like the live one.
import { analyzeDamage } from '../analysis/damage.ts';
import type { DamageSample, EnergySample } from '../md/cascade.ts';
import { extxyzChunks } from '../export/extxyz.ts';
import { lammpsDumpChunks } from '../export/lammpsDump.ts';
import { lammpsDeck, type DeckPotential } from '../export/lammpsDeck.ts';
import { timeSeriesCsv } from '../export/csv.ts';
import { decodeTrajectory, type DecodedTrajectory, type Frame } from '../export/trajectory.ts';
import { buildSheet, SITE_ION, type Sheet } from '../physics/lattice.ts';
import { jiang2015, wen2017 } from '../potential/classical/sw.ts';
import type { ExportFormat } from './protocol.ts';
import type { SimSettings } from './settings.ts';
import { readRun } from './trajectoryStore.ts';
import type { DtReset } from '../md/integrator.ts';

export interface ExportResult {
  files: { fileName: string; mime: string; bytes: ArrayBuffer }[];
}

/** What a stored run's metadata says about its scenario (see runMeta.ts trajectoryHead). */
export interface StoredScenario {
  settings: SimSettings;
  sheet: Sheet;
  /** Per atom: the sheet's site labels, then SITE_ION for an ion. */
  site: Int8Array;
  projectile: number;
  cutoff: number;
  dtReset: DtReset;
  modelFile: string;
  typeMap: string[];
}

export function storedScenario(t: DecodedTrajectory): StoredScenario {
  const m = t.meta;
  if (typeof m.settings !== 'string') throw new Error('This trajectory has no scenario metadata (not written by this app).');
  const settings = JSON.parse(m.settings) as SimSettings;
  const sheet = buildSheet({ a: Number(m.lattice_a), t: Number(m.lattice_t), nx: settings.sample.nx, ny: settings.sample.ny });
  const n = t.atype.length;
  const site = new Int8Array(n).fill(SITE_ION);
  site.set(sheet.site);
  return {
    settings, sheet, site, projectile: Number(m.projectile), cutoff: Number(m.cutoff),
    dtReset: JSON.parse(String(m.dt_reset)) as DtReset,
    modelFile: String(m.model_file ?? ''), typeMap: m.type_map ? (JSON.parse(String(m.type_map)) as string[]) : [],
  };
}

const text = (fileName: string, mime: string, parts: Iterable<string>) => {
  const bytes = new TextEncoder().encode([...parts].join(''));
  return { fileName, mime, bytes: bytes.buffer as ArrayBuffer };
};

export async function exportRun(runId: string, format: ExportFormat): Promise<ExportResult> {
  const t = decodeTrajectory(await readRun(runId));
  if (t.frames.length === 0) throw new Error('The stored trajectory has no complete frame yet.');
  const info = { run: runId, potential: String(t.meta.potential ?? '') };
  switch (format) {
    case 'extxyz':
      return { files: [text(`${runId}.extxyz`, 'chemical/x-extxyz', extxyzChunks(t, { meta: false, info }))] };
    case 'extxyz-frame': {
      const last = t.frames[t.frames.length - 1];
      return { files: [text(`${runId}-step${last.step}.extxyz`, 'chemical/x-extxyz', extxyzChunks(t, { meta: false, info }, [last]))] };
    }
    case 'lammps-dump':
      return { files: [text(`${runId}.dump`, 'text/plain', lammpsDumpChunks(t))] };
    case 'lammps-deck':
      return { files: deckFiles(t, runId) };
    case 'csv':
      return { files: [text(`${runId}.csv`, 'text/csv', [timeSeriesCsvOf(t)])] };
  }
}

function deckPotential(sc: StoredScenario): DeckPotential {
  const foreign = { rin: 3, rc: 4 };
  switch (sc.settings.model) {
    case 'sw-wen2017':
      return { kind: 'sw', params: wen2017(), zbl: { rin: 1.0, rc: 1.2 }, foreign };
    case 'sw-jiang2015':
      return { kind: 'sw', params: jiang2015(), zbl: { rin: 1.0, rc: 1.2 }, foreign };
    case 'dptab-builtin':
    case 'loaded':
      return { kind: 'deepmd', model: sc.modelFile || 'model.pb', typeMap: sc.typeMap, foreign };
  }
}

/** LAMMPS input deck + data file (+ SW potential file) starting from the run's first stored frame. */
function deckFiles(t: DecodedTrajectory, runId: string): ExportResult['files'] {
  const sc = storedScenario(t);
  const f0 = t.frames[0];
  if (!f0.vel) throw new Error('The first stored frame has no velocities.');
  const s = sc.settings;
  const deck = lammpsDeck({
    title: String(t.meta.title ?? runId),
    potential: deckPotential(sc),
    cutoff: sc.cutoff,
    sheet: sc.sheet,
    setup: { system: { species: t.species, atype: t.atype, coord: f0.coord, cell: t.cell, pbc: t.pbc }, vel: f0.vel, mass: t.masses, projectile: sc.projectile },
    dtReset: sc.dtReset,
    thermostat: s.sample.border > 0 ? { kind: 'berendsen', T: s.sample.temperature, tau: 0.1, width: s.sample.border } : null,
    time: s.run.timeLimit,
    dumpEvery: s.run.stepsPerFrame,
  });
  const files = Object.entries(deck.files).map(([name, body]) => text(name, 'text/plain', [body]));
  if (deck.notes.length) files.push(text('NOTES.txt', 'text/plain', [`${deck.notes.map((n) => `- ${n}`).join('\n')}\n`]));
  return files;
}

/**
 * Energies and damage per stored frame. The trajectory keeps step and time, not dt: dt_ps is the mean step over
 * the interval before each frame (empty for the first).
 */
function timeSeriesCsvOf(t: DecodedTrajectory): string {
  let sc: StoredScenario | null = null;
  try { sc = storedScenario(t); } catch { /* a foreign trajectory: energies only */ }
  const total0 = t.frames[0].energies?.total ?? NaN;
  const energy: EnergySample[] = [];
  const damage: DamageSample[] = [];
  let prev: Frame | null = null;
  for (const f of t.frames) {
    const e = f.energies;
    const dt = prev && f.step > prev.step ? (f.time - prev.time) / (f.step - prev.step) : NaN;
    if (e) energy.push({ step: f.step, time: f.time, dt, ke: e.ke, pe: e.pe, thermostat: e.total - e.ke - e.pe, total: e.total, drift: e.total - total0 });
    if (sc) {
      const d = analyzeDamage({
        coord: f.coord, vel: f.vel, site: sc.site, reference: sc.sheet.reference, lx: t.cell[0], ly: t.cell[4],
        zMid: sc.sheet.zMid, a: sc.sheet.a, t: sc.sheet.t, ion: sc.site[sc.projectile] === SITE_ION ? sc.projectile : -1,
        clusterCutoff: sc.cutoff,
      });
      damage.push({ step: f.step, time: f.time, sputtered: d.sputtered.total, vacancies: d.vacancies.total, interstitials: d.interstitials.total, displaced: d.displaced, pores: d.pores.length, ionFate: d.ionFate });
    }
    prev = f;
  }
  return timeSeriesCsv(energy, damage, { natoms: t.atype.length });
}
