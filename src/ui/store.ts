// The app's one store. Data flows one way: panels call the actions here; the actions talk to the simulation
// worker (src/worker/client.ts); results land back in the store; the viewer, the charts and the statistics read
// them. Per-frame data (positions, kinetic energies, trails, time series) is read by the viewer and the charts
// through `useApp.subscribe`, not React renders.
import { create } from 'zustand';
import { ModelLoadError, simClient } from '../worker/client';
import type { DamageCounts, ExportFormat, FrameData, LoadedModelInfo, RunInfo, RunStatus, SavedRun } from '../worker/protocol';
import { DEFAULT_SETTINGS, validateSettings, type DpChoice, type SimSettings } from '../worker/settings';
import { BUILTIN_MODEL_FILE, fetchBuiltinModel } from './builtinModel';
import { detectGpu, type GpuInfo } from './gpuInfo';
import { buildSheet, type Sheet } from '../physics/lattice';
import { TrackSet } from './tracks';
import { downloadBlob } from './download';

export type CameraPreset = 'top' | 'side' | 'oblique';
export type ColorMode = 'species' | 'kinetic';

export const MODEL_FILE_EXTENSIONS = ['.pb', '.pbtxt', '.json', '.yaml', '.dp'] as const;

export interface ModelError {
  fileName: string;
  /** The error class, e.g. "ModelFormatError". */
  kind: string;
  message: string;
}

/** The project's own DP-Tab model (the default choice), fetched and parsed at start-up. */
export interface BuiltinModel {
  status: 'loading' | 'ready' | 'error';
  /** Its summary once the worker holds it. */
  info: LoadedModelInfo | null;
  /** Its bytes (batch sweeps give their worker its own copy). */
  file: File | null;
  /** What failed (download or parse), when status = 'error'. */
  error: ModelError | null;
}

/** Time series of the current run, one point per frame (arrays grow; `serial` changes on every append). */
export interface Series {
  time: number[];
  ke: number[];
  pe: number[];
  total: number[];
  temperature: number[];
  dt: number[];
  serial: number;
}

/** Scalars of the latest frame. */
export type FrameStats = Omit<FrameData, 'runId' | 'coord' | 'kinetic' | 'series' | 'damage'>;

export interface AppState {
  /** null while detection runs. */
  gpu: GpuInfo | null;

  /** The model file the worker holds (the last one that loaded successfully). */
  model: LoadedModelInfo | null;
  /** That file (batch sweeps give their worker its own copy). */
  modelFile: File | null;
  /** The file being read now, if any. */
  modelLoading: { fileName: string; byteLength: number } | null;
  /** Why the most recent load failed; cleared by the next attempt. */
  modelError: ModelError | null;
  builtin: BuiltinModel;

  settings: SimSettings;
  /** Messages of controls whose text is not an acceptable value (keyed like validateSettings). */
  fieldErrors: Record<string, string>;

  /** The atoms shown in the viewer: the preview sheet, or the run's system (sheet + ion) once one is prepared. */
  sample: Sheet;
  /** Latest positions to draw, same atom order as `sample`; replaced (never mutated) per frame. */
  frame: { coord: Float32Array | Float64Array; kinetic: Float32Array | null; serial: number };

  run: {
    info: RunInfo | null;
    status: RunStatus;
    message: string | null;
    stats: FrameStats | null;
    damage: DamageCounts | null;
    /** Display frames received per second, and MD steps per second (wall clock). */
    fps: number;
    stepsPerSecond: number;
  };
  series: Series;
  /** Paths of fast atoms (trails) and of the projectile; mutated in place, `frame.serial` tells when. */
  tracks: TrackSet;

  savedRuns: SavedRun[];
  exportBusy: string | null;
  exportError: string | null;

  camera: { preset: CameraPreset; serial: number };
  colorMode: ColorMode;

  detectGpu: () => Promise<void>;
  loadModelFile: (file: File) => Promise<void>;
  /** Fetches the built-in model into the worker; on failure a classical baseline takes over the default choice. */
  loadBuiltinModel: () => Promise<void>;
  setCameraPreset: (preset: CameraPreset) => void;
  setColorMode: (m: ColorMode) => void;
  updateSettings: (patch: (s: SimSettings) => SimSettings) => void;
  setFieldError: (key: string, message: string | null) => void;
  startRun: () => Promise<void>;
  pauseRun: () => void;
  stepRun: () => Promise<void>;
  resetRun: () => void;
  refreshSavedRuns: () => Promise<void>;
  exportRun: (runId: string, format: ExportFormat) => Promise<void>;
  deleteSavedRun: (runId: string) => Promise<void>;
}

let loadSerial = 0;

function previewSheet(s: SimSettings, lattice?: { a: number; t: number }): Sheet {
  return buildSheet({ nx: s.sample.nx, ny: s.sample.ny, a: lattice?.a, t: lattice?.t });
}

function emptySeries(): Series {
  return { time: [], ke: [], pe: [], total: [], temperature: [], dt: [], serial: 0 };
}

const initialSample = previewSheet(DEFAULT_SETTINGS);
const IDLE_RUN: AppState['run'] = { info: null, status: 'idle', message: null, stats: null, damage: null, fps: 0, stepsPerSecond: 0 };

/** The run's atoms as a Sheet (the viewer and the statistics take one). */
function sheetOfRun(info: RunInfo, settings: SimSettings): Sheet {
  const coord = new Float64Array(3 * info.natoms);
  coord.set(info.reference);
  return {
    system: { coord, atype: info.atype, species: info.species, cell: Float64Array.from(info.cell), pbc: info.pbc },
    site: info.site, reference: info.reference, a: info.a, t: info.t, nx: settings.sample.nx, ny: settings.sample.ny, zMid: info.zMid,
  };
}

/** The DP model behind the chosen potential (the built-in one or the user's file), or null (classical, not loaded). */
export function dpModelOf(s: Pick<AppState, 'settings' | 'model' | 'builtin'>, choice = s.settings.model): LoadedModelInfo | null {
  return choice === 'dptab-builtin' ? s.builtin.info : choice === 'loaded' ? s.model : null;
}

/** The file of that DP model, for a worker of its own (batch sweeps). */
export function dpFileOf(s: Pick<AppState, 'settings' | 'modelFile' | 'builtin'>): File | null {
  return s.settings.model === 'dptab-builtin' ? s.builtin.file : s.settings.model === 'loaded' ? s.modelFile : null;
}

/** Whether the chosen potential is the built-in model and it is still being fetched and parsed. */
export const builtinPending = (s: AppState): boolean => s.settings.model === 'dptab-builtin' && s.builtin.status === 'loading';

/** Whether the settings can be run now (no control holds a bad value, the whole passes validateSettings). */
export function settingsErrors(s: AppState): Record<string, string> {
  const own = Object.entries(s.fieldErrors).filter(([k]) => !k.startsWith('batch.')); // the batch panel's fields
  return { ...validateSettings(s.settings, dpModelOf(s)), ...Object.fromEntries(own) };
}

export const useApp = create<AppState>()((set, get) => {
  const client = simClient();
  let rate = { t: 0, frames: 0, step: 0 };
  /** Lattice of the last run per model choice, so the preview matches what a run will build. */
  const lattices = new Map<string, { a: number; t: number }>();

  client.events = {
    onFrame: (f: FrameData) => {
      const run = get().run;
      if (!run.info || f.runId !== run.info.runId) return; // a frame of a run that was reset meanwhile
      const tracks = get().tracks;
      tracks.add(f.coord, f.kinetic);
      const s = get().series;
      const c = f.series;
      s.time.push(...c.time);
      s.ke.push(...c.ke);
      s.pe.push(...c.pe);
      s.total.push(...c.total);
      s.temperature.push(...c.temperature);
      s.dt.push(...c.dt);
      const now = performance.now();
      let { fps, stepsPerSecond } = run;
      rate.frames++;
      if (now - rate.t > 1000) {
        fps = (1000 * rate.frames) / (now - rate.t);
        stepsPerSecond = (1000 * (f.step - rate.step)) / (now - rate.t);
        rate = { t: now, frames: 0, step: f.step };
      }
      const { runId: _id, coord, kinetic, series: _chunk, damage, ...stats } = f;
      set({
        frame: { coord, kinetic, serial: get().frame.serial + 1 },
        series: { ...s, serial: s.serial + 1 },
        run: {
          ...run,
          stats,
          damage: damage ?? run.damage,
          fps,
          stepsPerSecond,
        },
      });
    },
    onStatus: (runId, status, message) => {
      const run = get().run;
      if (!run.info || runId !== run.info.runId) return;
      set({ run: { ...run, status, message: message ?? null } });
      if (status === 'ended' || status === 'error') void get().refreshSavedRuns();
    },
    onCrash: (message) => {
      set({ run: { ...get().run, status: 'error', message } });
      // The next request starts a fresh worker: give it the models this one held.
      const { builtin, model, modelFile } = get();
      if (builtin.file) void sendModel('dptab-builtin', builtin.file).catch(() => {});
      if (model && modelFile) void sendModel('loaded', modelFile).catch(() => {});
    },
  };

  const sendModel = async (slot: DpChoice, file: File) => client.loadModel(slot, file.name, await file.arrayBuffer());

  const prepare = async (): Promise<boolean> => {
    const state = get();
    if (Object.keys(settingsErrors(state)).length) return false;
    const settings = state.settings;
    set({ run: { ...IDLE_RUN, status: 'preparing', message: 'Building the sheet (relaxing the lattice on first use)…' } });
    try {
      const info = await client.prepare(settings);
      lattices.set(settings.model, { a: info.a, t: info.t });
      const sample = sheetOfRun(info, settings);
      rate = { t: performance.now(), frames: 0, step: 0 };
      set({
        sample,
        frame: { coord: sample.system.coord, kinetic: null, serial: get().frame.serial + 1 },
        run: { ...IDLE_RUN, info, status: 'paused' },
        series: emptySeries(),
        tracks: new TrackSet(info.projectile),
      });
      void get().refreshSavedRuns();
      return true;
    } catch (e) {
      set({ run: { ...IDLE_RUN, status: 'error', message: e instanceof Error ? e.message : String(e) } });
      return false;
    }
  };

  const showPreview = () => {
    const { settings, frame } = get();
    const sample = previewSheet(settings, lattices.get(settings.model));
    client.reset();
    set({
      sample,
      frame: { coord: sample.system.coord, kinetic: null, serial: frame.serial + 1 },
      run: IDLE_RUN,
      series: emptySeries(),
      tracks: new TrackSet(-1),
    });
  };

  return {
    gpu: null,
    model: null,
    modelFile: null,
    modelLoading: null,
    modelError: null,
    builtin: { status: 'loading', info: null, file: null, error: null },
    settings: DEFAULT_SETTINGS,
    fieldErrors: {},
    sample: initialSample,
    frame: { coord: initialSample.system.coord, kinetic: null, serial: 0 },
    run: IDLE_RUN,
    series: emptySeries(),
    tracks: new TrackSet(-1),
    savedRuns: [],
    exportBusy: null,
    exportError: null,
    camera: { preset: 'oblique', serial: 0 },
    colorMode: 'species',

    detectGpu: async () => {
      set({ gpu: null });
      set({ gpu: await detectGpu() });
    },

    loadModelFile: async (file: File) => {
      const serial = ++loadSerial;
      set({ modelLoading: { fileName: file.name, byteLength: file.size }, modelError: null });
      try {
        const info = await sendModel('loaded', file);
        if (serial !== loadSerial) return; // a newer file was chosen meanwhile
        set({ model: info, modelFile: file, modelLoading: null, modelError: null });
      } catch (e) {
        if (serial !== loadSerial) return;
        const kind = e instanceof ModelLoadError || e instanceof Error ? e.name : 'Error';
        const message = e instanceof Error ? e.message : String(e);
        set({ modelLoading: null, modelError: { fileName: file.name, kind, message } });
      }
    },

    loadBuiltinModel: async () => {
      set({ builtin: { status: 'loading', info: null, file: null, error: null } });
      let file: File | null = null;
      try {
        file = await fetchBuiltinModel();
        const info = await sendModel('dptab-builtin', file);
        set({ builtin: { status: 'ready', info, file, error: null } });
      } catch (e) {
        const kind = e instanceof Error ? e.name : 'Error';
        const message = e instanceof Error ? e.message : String(e);
        set({ builtin: { status: 'error', info: null, file, error: { fileName: BUILTIN_MODEL_FILE, kind, message } } });
        // Keep the app usable: the classical baseline takes over the default (unless a run is live or the user chose).
        const { settings, run } = get();
        if (settings.model === 'dptab-builtin' && !['running', 'paused', 'preparing'].includes(run.status)) {
          get().updateSettings((s) => ({ ...s, model: 'sw-wen2017' }));
        }
      }
    },

    setCameraPreset: (preset) => set({ camera: { preset, serial: get().camera.serial + 1 } }),
    setColorMode: (colorMode) => set({ colorMode }),

    updateSettings: (patch) => {
      const before = get().settings;
      const settings = patch(before);
      set({ settings });
      const status = get().run.status;
      const sheetChanged = settings.sample.nx !== before.sample.nx || settings.sample.ny !== before.sample.ny || settings.model !== before.model;
      // A finished run stays on screen until the sample itself changes (or Reset).
      if (sheetChanged && (status === 'idle' || status === 'ended' || status === 'error')) {
        if (Object.keys(validateSettings(settings, dpModelOf(get()))).some((k) => k.startsWith('sample.'))) return;
        showPreview();
      }
    },

    setFieldError: (key, message) => {
      const cur = get().fieldErrors;
      if ((cur[key] ?? null) === message) return;
      const next = { ...cur };
      if (message) next[key] = message;
      else delete next[key];
      set({ fieldErrors: next });
    },

    startRun: async () => {
      const status = get().run.status;
      if (status === 'running' || status === 'preparing') return;
      if (status !== 'paused' && !(await prepare())) return;
      client.run();
      set({ run: { ...get().run, status: 'running', message: null } });
    },

    pauseRun: () => {
      if (get().run.status === 'running') client.pause();
    },

    stepRun: async () => {
      const status = get().run.status;
      if (status === 'running' || status === 'preparing') return;
      if (status !== 'paused' && !(await prepare())) return;
      client.step();
    },

    resetRun: () => showPreview(),

    refreshSavedRuns: async () => {
      try {
        set({ savedRuns: await client.listRuns() });
      } catch {
        /* storage unavailable: nothing to offer */
      }
    },

    exportRun: async (runId, format) => {
      set({ exportBusy: `${runId}:${format}`, exportError: null });
      try {
        const r = await client.exportRun(runId, format);
        for (const f of r.files) downloadBlob(new Blob([f.bytes], { type: f.mime }), f.fileName);
        set({ exportBusy: null });
      } catch (e) {
        set({ exportBusy: null, exportError: e instanceof Error ? e.message : String(e) });
      }
    },

    deleteSavedRun: async (runId) => {
      await client.deleteRun(runId);
      await get().refreshSavedRuns();
    },
  };
});
