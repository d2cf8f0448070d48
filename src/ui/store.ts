// The app's one store. Data flows one way: panels call the actions here; the actions talk to the simulation
// worker (src/worker/client.ts); results land back in the store; the viewer and the statistics read them.
// Per-frame data (positions) is read by the viewer through `useApp.subscribe`, not React renders.
import { create } from 'zustand';
import { ModelLoadError, simClient } from '../worker/client';
import type { LoadedModelInfo } from '../worker/protocol';
import { detectGpu, type GpuInfo } from './gpuInfo';
import { buildSheet, type Sheet } from '../physics/lattice';

export type CameraPreset = 'top' | 'side' | 'oblique';

export const MODEL_FILE_EXTENSIONS = ['.pb', '.pbtxt', '.json', '.yaml', '.dp'] as const;

export interface ModelError {
  fileName: string;
  /** The error class, e.g. "ModelFormatError". */
  kind: string;
  message: string;
}

export interface AppState {
  /** null while detection runs. */
  gpu: GpuInfo | null;

  /** The model the worker holds (the last one that loaded successfully). */
  model: LoadedModelInfo | null;
  /** The file being read now, if any. */
  modelLoading: { fileName: string; byteLength: number } | null;
  /** Why the most recent load failed; cleared by the next attempt. */
  modelError: ModelError | null;

  /** The sample shown in the viewer (the pristine sheet until a run streams frames). */
  sample: Sheet;
  /** Latest positions to draw, same atom order as `sample`; replaced (never mutated) per frame. */
  frame: { coord: Float64Array; serial: number };

  /** Camera preset; `serial` changes on every request so choosing the same preset again re-applies it. */
  camera: { preset: CameraPreset; serial: number };

  detectGpu: () => Promise<void>;
  loadModelFile: (file: File) => Promise<void>;
  setCameraPreset: (preset: CameraPreset) => void;
}

let loadSerial = 0;

const initialSample = buildSheet({ nx: 6, ny: 4 });

export const useApp = create<AppState>()((set, get) => ({
  gpu: null,
  model: null,
  modelLoading: null,
  modelError: null,
  sample: initialSample,
  frame: { coord: initialSample.system.coord, serial: 0 },
  camera: { preset: 'oblique', serial: 0 },

  detectGpu: async () => {
    set({ gpu: null });
    set({ gpu: await detectGpu() });
  },

  loadModelFile: async (file: File) => {
    const serial = ++loadSerial;
    set({ modelLoading: { fileName: file.name, byteLength: file.size }, modelError: null });
    try {
      const bytes = await file.arrayBuffer();
      const info = await simClient().loadModel(file.name, bytes);
      if (serial !== loadSerial) return; // a newer file was chosen meanwhile
      set({ model: info, modelLoading: null, modelError: null });
    } catch (e) {
      if (serial !== loadSerial) return;
      const kind = e instanceof ModelLoadError || e instanceof Error ? e.name : 'Error';
      const message = e instanceof Error ? e.message : String(e);
      set({ modelLoading: null, modelError: { fileName: file.name, kind, message } });
    }
  },

  setCameraPreset: (preset) => set({ camera: { preset, serial: get().camera.serial + 1 } }),
}));
