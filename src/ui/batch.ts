// The batch sweep (yield against energy): its own small store, a worker per sweep (terminated to cancel), and
// the results kept in IndexedDB so they survive reloads (a sweep cut short by a reload shows as interrupted,
// with the energies finished so far).
import { create } from 'zustand';
import type { BatchPoint, BatchSpec, FromBatch } from '../worker/batchProtocol';
import { yieldCsv } from '../export/csv';
import { downloadBlob, stamp } from './download';
import { kvGet, kvPut } from './persist';

export type BatchStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'interrupted' | 'error';

interface Saved {
  spec: Omit<BatchSpec, 'modelFile'>;
  points: BatchPoint[];
  status: BatchStatus;
  startedAt: string;
  wallSeconds: number | null;
  message: string | null;
}

export interface BatchState extends Saved {
  progress: { done: number; total: number; message: string } | null;
  /** Set once the stored results have been read. */
  loaded: boolean;
  start: (spec: BatchSpec) => void;
  cancel: () => void;
  load: () => Promise<void>;
  exportCsv: () => void;
}

const KEY = 'batch:last';
let worker: Worker | null = null;

const EMPTY: Saved = {
  spec: { model: 'sw-wen2017', species: 'Ar', energies: [], impacts: 0, nx: 0, ny: 0, temperature: 0, border: 0, polar: 0, azimuth: 0, time: 0, seed: 1 },
  points: [], status: 'idle', startedAt: '', wallSeconds: null, message: null,
};

export const useBatch = create<BatchState>()((set, get) => {
  const save = () => {
    const { spec, points, status, startedAt, wallSeconds, message } = get();
    void kvPut(KEY, { spec, points, status, startedAt, wallSeconds, message } satisfies Saved).catch(() => {});
  };
  const stop = () => {
    worker?.terminate();
    worker = null;
  };
  return {
    ...EMPTY,
    progress: null,
    loaded: false,

    start: (spec) => {
      stop();
      const { modelFile, ...plain } = spec;
      const w = new Worker(new URL('../worker/batch.worker.ts', import.meta.url), { type: 'module', name: 'batch' });
      worker = w;
      set({ spec: plain, points: [], status: 'running', startedAt: new Date().toISOString(), wallSeconds: null, message: null,
        progress: { done: 0, total: spec.energies.length * spec.impacts, message: 'Starting…' } });
      save();
      w.onmessage = (ev: MessageEvent<FromBatch>) => {
        if (worker !== w) return;
        const m = ev.data;
        switch (m.type) {
          case 'progress':
            set({ progress: { done: m.done, total: m.total, message: m.message } });
            return;
          case 'point':
            set({ points: [...get().points, m.point] });
            save();
            return;
          case 'done':
            stop();
            set({ status: 'done', wallSeconds: m.wallSeconds });
            save();
            return;
          case 'error':
            stop();
            set({ status: 'error', message: `${m.error.name}: ${m.error.message}` });
            save();
            return;
        }
      };
      w.onerror = (ev) => {
        ev.preventDefault();
        if (worker !== w) return;
        stop();
        set({ status: 'error', message: `The batch worker crashed: ${ev.message || 'unknown error'}` });
        save();
      };
      w.postMessage({ type: 'start', spec }, modelFile ? [modelFile.bytes] : []);
    },

    cancel: () => {
      if (get().status !== 'running') return;
      stop();
      set({ status: 'cancelled', progress: null });
      save();
    },

    load: async () => {
      try {
        const s = await kvGet<Saved>(KEY);
        if (s && get().status === 'idle') set({ ...s, status: s.status === 'running' ? 'interrupted' : s.status });
      } catch { /* no storage: nothing to show */ }
      set({ loaded: true });
    },

    exportCsv: () => {
      const { points, spec } = get();
      const csv = yieldCsv(points.map((p) => ({
        species: spec.pkaSite ? `PKA ${spec.pkaSite}` : spec.species, energy: p.energy, mean: p.mean, stdError: p.stdError, n: p.n,
        extra: { yield_S: p.meanS, yield_Mo: p.meanMo, nx: spec.nx, ny: spec.ny, polar_deg: spec.polar, time_ps: spec.time, temperature_K: spec.temperature },
      })));
      downloadBlob(new Blob([csv], { type: 'text/csv' }), `yield-${spec.pkaSite ? `pka-${spec.pkaSite}` : spec.species}-${stamp()}.csv`);
    },
  };
});
