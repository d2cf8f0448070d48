// Trajectories kept in the browser's Origin Private File System, written frame by frame as a run goes (the DPTJ
// format of src/export/trajectory.ts, whose reader drops a torn last frame), so a reload or a crash keeps
// everything written so far. Runs in the simulation worker: OPFS sync access handles exist only in workers.
// Falls back to memory (lost on reload) where OPFS is unavailable.
import { decodeTrajectory, encodeFrame, encodeHeader, type Precision, type Trajectory } from '../export/trajectory.ts';
import type { SavedRun } from './protocol.ts';

const DIR = 'runs';
/** Older runs beyond this many are deleted when a new one starts. */
export const KEEP_RUNS = 6;
export const PRECISION: Precision = 'float32';

interface Sink {
  write(bytes: Uint8Array): void;
  read(): Uint8Array;
  close(): void;
}

class MemorySink implements Sink {
  private parts: Uint8Array[] = [];
  write(bytes: Uint8Array): void { this.parts.push(bytes); }
  read(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of this.parts) { out.set(p, o); o += p.length; }
    return out;
  }
  close(): void {}
}

/** fsync at most this often (ms): written bytes already survive a reload or a tab crash; flush guards the disk. */
const FLUSH_MS = 2000;

class OpfsSink implements Sink {
  private size = 0;
  private flushed = 0;
  constructor(private h: FileSystemSyncAccessHandle) { this.size = h.getSize(); }
  write(bytes: Uint8Array): void {
    this.size += this.h.write(bytes, { at: this.size });
    const now = performance.now();
    if (now - this.flushed > FLUSH_MS) {
      this.h.flush();
      this.flushed = now;
    }
  }
  read(): Uint8Array {
    const out = new Uint8Array(this.h.getSize());
    this.h.read(out, { at: 0 });
    return out;
  }
  close(): void {
    this.h.flush();
    this.h.close();
  }
}

/** File names in a directory (the async iterator is missing from TypeScript's DOM types without DOM.AsyncIterable). */
function names(dir: FileSystemDirectoryHandle): AsyncIterable<string> {
  return (dir as unknown as { keys(): AsyncIterable<string> }).keys();
}

async function runsDir(): Promise<FileSystemDirectoryHandle | null> {
  try {
    const root = await navigator.storage.getDirectory();
    return await root.getDirectoryHandle(DIR, { create: true });
  } catch {
    return null;
  }
}

interface MetaFile {
  runId: string;
  createdAt: string;
  title: string;
  natoms: number;
  complete: boolean;
}

/** The run being written now, and runs finished in this session whose storage is memory only. */
const open = new Map<string, { sink: Sink; meta: MetaFile }>();

export class TrajectoryRecorder {
  frames = 0;
  private constructor(readonly runId: string, private sink: Sink, private meta: MetaFile, private natoms: number) {}

  /** Starts a trajectory file with this header (the run's atoms, cell and metadata). */
  static async start(runId: string, title: string, head: Omit<Trajectory, 'frames'>): Promise<TrajectoryRecorder> {
    const dir = await runsDir();
    let sink: Sink = new MemorySink();
    const meta: MetaFile = { runId, createdAt: new Date().toISOString(), title, natoms: head.atype.length, complete: false };
    if (dir) {
      try {
        await pruneOldRuns(dir);
        const fh = await dir.getFileHandle(`${runId}.traj`, { create: true });
        const h = await fh.createSyncAccessHandle();
        h.truncate(0);
        sink = new OpfsSink(h);
        await writeMeta(dir, meta);
      } catch {
        sink = new MemorySink();
      }
    }
    sink.write(encodeHeader(head, PRECISION));
    const rec = new TrajectoryRecorder(runId, sink, meta, head.atype.length);
    open.set(runId, { sink, meta });
    return rec;
  }

  append(f: Parameters<typeof encodeFrame>[0]): void {
    this.sink.write(encodeFrame(f, this.natoms, PRECISION));
    this.frames++;
  }

  /** Marks the run complete and releases the file (memory-only runs stay readable until the page goes). */
  async finish(): Promise<void> {
    this.meta.complete = true;
    const dir = await runsDir();
    if (this.sink instanceof OpfsSink) {
      this.sink.close();
      open.delete(this.runId);
      if (dir) await writeMeta(dir, this.meta);
    }
  }
}

async function writeMeta(dir: FileSystemDirectoryHandle, meta: MetaFile): Promise<void> {
  const fh = await dir.getFileHandle(`${meta.runId}.json`, { create: true });
  const h = await fh.createSyncAccessHandle();
  const bytes = new TextEncoder().encode(JSON.stringify(meta));
  h.truncate(0);
  h.write(bytes, { at: 0 });
  h.flush();
  h.close();
}

async function readMeta(dir: FileSystemDirectoryHandle, runId: string): Promise<MetaFile | null> {
  try {
    const f = await (await dir.getFileHandle(`${runId}.json`)).getFile();
    return JSON.parse(await f.text()) as MetaFile;
  } catch {
    return null;
  }
}

/** The stored bytes of a run (open or closed). */
export async function readRun(runId: string): Promise<Uint8Array> {
  const o = open.get(runId);
  if (o) return o.sink.read();
  const dir = await runsDir();
  if (!dir) throw new Error('Browser storage (OPFS) is unavailable.');
  let fh: FileSystemFileHandle;
  try {
    fh = await dir.getFileHandle(`${runId}.traj`);
  } catch {
    throw new Error(`No saved trajectory ${runId}.`);
  }
  return new Uint8Array(await (await fh.getFile()).arrayBuffer());
}

function summarize(runId: string, bytes: Uint8Array, meta: MetaFile | null, complete: boolean): SavedRun | null {
  try {
    const t = decodeTrajectory(bytes);
    const last = t.frames[t.frames.length - 1];
    return {
      runId, createdAt: meta?.createdAt ?? '', title: meta?.title ?? String(t.meta.title ?? runId), natoms: t.atype.length,
      frames: t.frames.length, time: last?.time ?? 0, bytes: t.validBytes, complete,
    };
  } catch {
    return null;
  }
}

/** Every stored run, newest first (in-memory ones of this session included). */
export async function listRuns(): Promise<SavedRun[]> {
  const out: SavedRun[] = [];
  const seen = new Set<string>();
  for (const [runId, o] of open) {
    const s = summarize(runId, o.sink.read(), o.meta, o.meta.complete);
    if (s) out.push(s);
    seen.add(runId);
  }
  const dir = await runsDir();
  if (dir) {
    for await (const name of names(dir)) {
      if (!name.endsWith('.traj')) continue;
      const runId = name.slice(0, -5);
      if (seen.has(runId)) continue;
      const meta = await readMeta(dir, runId);
      try {
        const s = summarize(runId, await readRun(runId), meta, meta?.complete ?? false);
        if (s) out.push(s);
      } catch { /* unreadable (e.g. locked by another tab): skip */ }
    }
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
}

export async function deleteRun(runId: string): Promise<void> {
  const o = open.get(runId);
  if (o) { o.sink.close(); open.delete(runId); }
  const dir = await runsDir();
  if (!dir) return;
  for (const name of [`${runId}.traj`, `${runId}.json`]) {
    try { await dir.removeEntry(name); } catch { /* not there */ }
  }
}

async function pruneOldRuns(dir: FileSystemDirectoryHandle): Promise<void> {
  const metas: MetaFile[] = [];
  for await (const name of names(dir)) {
    if (!name.endsWith('.json')) continue;
    const m = await readMeta(dir, name.slice(0, -5));
    if (m && !open.has(m.runId)) metas.push(m);
  }
  metas.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  for (const m of metas.slice(KEEP_RUNS - 1)) await deleteRun(m.runId);
}
