/// <reference lib="webworker" />
// The simulation worker: reads model files (heldModels.ts), builds runs, runs MD in chunks of `stepsPerFrame` steps, streams
// display frames (throttled) and writes every frame into the trajectory store. Between chunks it yields to the
// event loop so pause / step / reset messages are answered at once; the page never waits on it.
import { exportRun } from './exporting';
import { heldFor, loadInto } from './heldModels';
import { errorPayload } from './modelLoading';
import { potentialFor } from './potentials';
import type { FromWorker, RunStatus, ToWorker } from './protocol';
import { LiveSession } from './session';
import { validateSettings, type SimSettings } from './settings';
import { deleteRun, listRuns, TrajectoryRecorder } from './trajectoryStore';
import { runTitle, trajectoryHead } from './runMeta';

const scope = self as unknown as DedicatedWorkerGlobalScope;

let session: LiveSession | null = null;
let recorder: TrajectoryRecorder | null = null;
/** Frame counts of finished trajectories (for frames posted after the recorder closed). */
const recorded = new Map<string, number>();
let status: RunStatus = 'idle';
let loopActive = false;
let frameIntervalMs = 33;
let lastPost = -Infinity;
let lastAnalysis = -Infinity;
/** Analyse the damage for a display frame at most this often (ms); always at pause, step and end. */
const ANALYSIS_INTERVAL_MS = 250;

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(msg, transfer);
}

function setStatus(s: RunStatus, message?: string): void {
  status = s;
  if (session) post({ type: 'status', runId: session.info.runId, status: s, message });
}

/** Yields to the event loop without the 4 ms clamp of nested timeouts. */
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();
const yieldToEvents = () => new Promise<void>((r) => { waiting.push(r); channel.port2.postMessage(0); });

function postFrame(s: LiveSession, analyze: boolean): void {
  const now = performance.now();
  const damage = analyze || now - lastAnalysis >= ANALYSIS_INTERVAL_MS ? s.analyze() : null;
  if (damage) lastAnalysis = now;
  const frame = s.frame(damage);
  frame.recorded = recorder?.runId === s.info.runId ? recorder.frames : recorded.get(s.info.runId) ?? 0;
  lastPost = now;
  post({ type: 'frame', frame }, [frame.coord.buffer, frame.kinetic.buffer]);
}

function record(s: LiveSession): void {
  const st = s.state;
  recorder?.append({
    step: st.step, time: st.time, coord: st.system.coord, vel: st.vel,
    energies: { ke: st.ke, pe: st.pe, total: s.totalEnergy() },
  });
}

async function finish(s: LiveSession): Promise<void> {
  postFrame(s, true);
  const r = recorder;
  recorder = null;
  if (r) recorded.set(r.runId, r.frames);
  await r?.finish();
  if (session === s) setStatus('ended', `Reached the ${s.settings.run.timeLimit} ps limit after ${s.state.step} steps.`);
}

async function loop(): Promise<void> {
  if (loopActive) return;
  loopActive = true;
  try {
    while (session && status === 'running') {
      const s = session;
      const t0 = performance.now();
      const k = await s.advance(s.settings.run.stepsPerFrame);
      if (k > 0) s.noteStepTime((performance.now() - t0) / k);
      if (k > 0) record(s);
      if (s.done) { await finish(s); break; }
      if (performance.now() - lastPost >= frameIntervalMs) postFrame(s, false);
      await yieldToEvents();
    }
  } catch (e) {
    fail(e);
  } finally {
    loopActive = false;
  }
}

function fail(e: unknown): void {
  const { name, message } = errorPayload(e);
  setStatus('error', `${name}: ${message}`);
  void recorder?.finish();
  recorder = null;
}

async function prepare(settings: SimSettings) {
  const dp = heldFor(settings.model);
  const errors = validateSettings(settings, dp?.info ?? null);
  const keys = Object.keys(errors);
  if (keys.length) throw new Error(keys.map((k) => `${k}: ${errors[k]}`).join(' '));
  await reset();
  const { pot, lattice } = potentialFor(settings.model, dp, settings.compress);
  const runId = `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${Math.floor(Math.random() * 1e6)}`;
  status = 'preparing';
  const s = await LiveSession.create(pot, settings, await lattice, runId);
  session = s;
  recorder = await TrajectoryRecorder.start(runId, runTitle(settings, s.info.natoms), trajectoryHead(s.info, dp ? { file: dp.info.fileName, typeMap: dp.info.typeMap } : null));
  record(s);
  lastAnalysis = -Infinity;
  setStatus('paused');
  postFrame(s, true);
  return s.info;
}

async function reset(): Promise<void> {
  const r = recorder;
  recorder = null;
  session = null;
  status = 'idle';
  await r?.finish();
}

async function reply(id: number, work: () => Promise<unknown>, transfer: (v: unknown) => Transferable[] = () => []): Promise<void> {
  try {
    const value = await work();
    post({ type: 'reply', id, value }, transfer(value));
  } catch (e) {
    post({ type: 'replyError', id, error: errorPayload(e) });
  }
}

scope.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'loadModel':
      return reply(msg.id, () => loadInto(msg.slot, new Uint8Array(msg.bytes), msg.fileName));
    case 'prepare':
      return reply(msg.id, () => prepare(msg.settings));
    case 'run':
      if (session && (status === 'paused' || status === 'running')) {
        setStatus('running');
        void loop();
      }
      return;
    case 'pause':
      if (session && status === 'running') {
        setStatus('paused');
        postFrame(session, true);
      }
      return;
    case 'step': {
      const s = session;
      if (!s || status !== 'paused' || loopActive) return;
      try {
        if ((await s.advance(1)) > 0) record(s);
        if (s.done) await finish(s);
        else postFrame(s, true);
      } catch (e) {
        fail(e);
      }
      return;
    }
    case 'reset':
      await reset();
      return;
    case 'frameInterval':
      frameIntervalMs = Math.max(0, msg.ms);
      return;
    case 'listRuns':
      return reply(msg.id, () => listRuns());
    case 'deleteRun':
      return reply(msg.id, () => deleteRun(msg.runId));
    case 'exportRun':
      return reply(msg.id, () => exportRun(msg.runId, msg.format), (v) => (v as { files: { bytes: ArrayBuffer }[] }).files.map((f) => f.bytes));
  }
};

post({ type: 'ready' });
