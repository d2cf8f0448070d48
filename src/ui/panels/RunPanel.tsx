import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { RULES, type RunSettings } from '../../worker/settings';
import { builtinPending, settingsErrors, useApp } from '../store';
import { NumberField } from './fields';

const STATUS_TEXT = {
  idle: 'Ready',
  preparing: 'Preparing…',
  running: 'Running',
  paused: 'Paused',
  ended: 'Finished',
  error: 'Stopped by an error',
} as const;

/** Run, pause, single step, reset; simulated-time limit, steps per frame, seed; progress. */
export function RunPanel() {
  const titleId = useId();
  const runSettings = useApp((s) => s.settings.run);
  const update = useApp((s) => s.updateSettings);
  const status = useApp((s) => s.run.status);
  const message = useApp((s) => s.run.message);
  const progress = useApp((s) => s.run.stats?.progress ?? 0);
  const errors = useApp(useShallow(settingsErrors));
  // The built-in model is still arriving: Run waits for it (it says so) rather than listing it as a fault.
  const waiting = useApp(builtinPending);
  const { startRun, pauseRun, stepRun, resetRun } = useApp.getState();
  const set = (patch: Partial<RunSettings>) => update((s) => ({ ...s, run: { ...s.run, ...patch } }));
  const live = status === 'running' || status === 'paused' || status === 'preparing';
  const nErrors = Object.keys(errors).length;
  const canStart = status === 'paused' || (!live && nErrors === 0);
  const shown = Object.entries(errors).filter(([k]) => !(waiting && k === 'model'));
  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId}>Run controls</h2>
      <fieldset disabled={live} className="grid-2">
        <NumberField name="run.timeLimit" label="Time limit" unit="fs" scale={1e-3} value={runSettings.timeLimit}
          rule={RULES.timeLimit} onCommit={(timeLimit) => set({ timeLimit })} />
        <NumberField name="run.stepsPerFrame" label="Steps per frame" value={runSettings.stepsPerFrame}
          rule={RULES.stepsPerFrame} onCommit={(stepsPerFrame) => set({ stepsPerFrame })} />
        <NumberField name="run.seed" label="Random seed" value={runSettings.seed} rule={RULES.seed} onCommit={(seed) => set({ seed })} />
      </fieldset>
      <div className="run-buttons" role="group" aria-label="Run">
        <button type="button" className="primary" onClick={() => void startRun()} disabled={!canStart}>
          {status === 'paused' ? 'Resume' : waiting ? 'Loading model…' : 'Run'}
        </button>
        <button type="button" onClick={pauseRun} disabled={status !== 'running'}>Pause</button>
        <button type="button" onClick={() => void stepRun()} disabled={status === 'running' || status === 'preparing' || (!live && nErrors > 0)}>Step</button>
        <button type="button" onClick={resetRun} disabled={status === 'idle' || status === 'preparing'}>Reset</button>
      </div>
      <progress className="run-progress" aria-label="Run progress" max={1} value={progress} />
      <p className={`run-status status-${status}`} role="status" data-testid="run-status" data-status={status}>
        {STATUS_TEXT[status]}{message ? `: ${message}` : ''}
      </p>
      {shown.length > 0 && !live && (
        <div className="error" data-testid="settings-errors">
          <p className="error-title">Fix these before running:</p>
          <ul>{shown.map(([k, v]) => <li key={k}>{v}</li>)}</ul>
        </div>
      )}
    </section>
  );
}
