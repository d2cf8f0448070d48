// The UI thread's handle on the simulation worker: promise-returning requests matched to replies by id, plain
// commands (run, pause, step, reset), and listeners for the frames and status events it streams.
// No React here; the zustand store calls it.
import type { ExportResult } from './exporting';
import type { ExportFormat, FrameData, FromWorker, LoadedModelInfo, RunInfo, RunStatus, SavedRun, ToWorker } from './protocol';
import type { DpChoice, SimSettings } from './settings';

export class ModelLoadError extends Error {
  constructor(name: string, message: string) {
    super(message);
    // Keep the original class name (e.g. ModelFormatError) so the UI can say what kind of failure it was.
    this.name = name;
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Request = Extract<ToWorker, { id: number }>;

export interface SimEvents {
  onFrame?: (f: FrameData) => void;
  onStatus?: (runId: string, status: RunStatus, message?: string) => void;
  /** The worker died (an uncaught error or out of memory); the next request starts a fresh one. */
  onCrash?: (message: string) => void;
}

export class SimClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  events: SimEvents = {};

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
      const message = `The simulation worker crashed: ${ev.message || 'unknown error'}`;
      this.failAll(new Error(message));
      w.terminate();
      if (this.worker === w) this.worker = null;
      this.events.onCrash?.(message);
    };
    this.worker = w;
    return w;
  }

  private request<T>(msg: DistributiveOmit<Request, 'id'>, transfer: Transferable[] = []): Promise<T> {
    const w = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.postMessage({ ...msg, id } as ToWorker, transfer);
    });
  }

  private send(msg: Exclude<ToWorker, { id: number }>): void {
    this.ensureWorker().postMessage(msg);
  }

  /** Parses a model file off the main thread; the worker keeps it for the simulation in the slot of a DP choice. */
  async loadModel(slot: DpChoice, fileName: string, bytes: ArrayBuffer): Promise<LoadedModelInfo> {
    try {
      return await this.request<LoadedModelInfo>({ type: 'loadModel', slot, fileName, bytes }, [bytes]);
    } catch (e) {
      throw e instanceof Error ? new ModelLoadError(e.name, e.message) : e;
    }
  }

  /** Builds a run (paused at step 0) and starts writing its trajectory. */
  prepare(settings: SimSettings): Promise<RunInfo> {
    return this.request<RunInfo>({ type: 'prepare', settings });
  }

  run(): void { this.send({ type: 'run' }); }
  pause(): void { this.send({ type: 'pause' }); }
  step(): void { this.send({ type: 'step' }); }
  reset(): void { this.send({ type: 'reset' }); }
  setFrameInterval(ms: number): void { this.send({ type: 'frameInterval', ms }); }

  listRuns(): Promise<SavedRun[]> { return this.request<SavedRun[]>({ type: 'listRuns' }); }
  deleteRun(runId: string): Promise<void> { return this.request<void>({ type: 'deleteRun', runId }); }
  exportRun(runId: string, format: ExportFormat): Promise<ExportResult> {
    return this.request<ExportResult>({ type: 'exportRun', runId, format });
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
      case 'reply':
      case 'replyError': {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (!p) return;
        if (msg.type === 'reply') p.resolve(msg.value);
        else {
          const e = new Error(msg.error.message);
          e.name = msg.error.name;
          p.reject(e);
        }
        return;
      }
      case 'frame':
        this.events.onFrame?.(msg.frame);
        return;
      case 'status':
        this.events.onStatus?.(msg.runId, msg.status, msg.message);
        return;
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
