// The UI thread's handle on the simulation worker: promise-returning requests, matched to replies by id.
// No React here; the zustand store calls it.
import type { FromWorker, LoadedModelInfo, ToWorker } from './protocol';

export class ModelLoadError extends Error {
  constructor(name: string, message: string) {
    super(message);
    // Keep the original class name (e.g. ModelFormatError) so the UI can say what kind of failure it was.
    this.name = name;
  }
}

interface Pending {
  resolve: (v: LoadedModelInfo) => void;
  reject: (e: Error) => void;
}

export class SimClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    let w: Worker;
    try {
      w = new Worker(new URL('./sim.worker.ts', import.meta.url), { type: 'module', name: 'simulation' });
    } catch (e) {
      // Module workers exist in every browser with WebGPU; without them the app cannot run the simulation either.
      throw new Error(`This browser cannot start the simulation worker (module workers unsupported?): ${e instanceof Error ? e.message : String(e)}`);
    }
    w.onmessage = (ev: MessageEvent<FromWorker>) => this.onMessage(ev.data);
    w.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      this.failAll(new Error(`The simulation worker crashed: ${ev.message || 'unknown error'}`));
      w.terminate();
      if (this.worker === w) this.worker = null;
    };
    this.worker = w;
    return w;
  }

  /** Parses a model file off the main thread; the worker keeps the model for the simulation. */
  async loadModel(fileName: string, bytes: ArrayBuffer): Promise<LoadedModelInfo> {
    const w = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<LoadedModelInfo>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const msg: ToWorker = { type: 'loadModel', id, fileName, bytes };
      w.postMessage(msg, [bytes]);
    });
  }

  dispose(): void {
    this.failAll(new Error('The simulation worker was stopped.'));
    this.worker?.terminate();
    this.worker = null;
  }

  private onMessage(msg: FromWorker): void {
    switch (msg.type) {
      case 'ready':
        return;
      case 'modelLoaded': {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        p?.resolve(msg.model);
        return;
      }
      case 'modelError': {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        p?.reject(new ModelLoadError(msg.error.name, msg.error.message));
        return;
      }
    }
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

let shared: SimClient | null = null;

/** The app's one simulation worker, created on first use. */
export function simClient(): SimClient {
  shared ??= new SimClient();
  return shared;
}
