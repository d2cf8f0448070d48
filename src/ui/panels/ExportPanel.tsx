import { useEffect, useId } from 'react';
import type { ExportFormat, SavedRun } from '../../worker/protocol';
import { formatBytes } from '../format';
import { useApp } from '../store';

const FORMATS: { id: ExportFormat; label: string; title: string }[] = [
  { id: 'extxyz', label: 'Extended XYZ', title: 'All frames as extended XYZ (ASE, OVITO): Lattice, species, positions, velocities, time, energies' },
  { id: 'extxyz-frame', label: 'Last frame (XYZ)', title: 'The last stored frame as extended XYZ' },
  { id: 'lammps-dump', label: 'LAMMPS dump', title: 'All frames as a LAMMPS text dump' },
  { id: 'lammps-deck', label: 'LAMMPS deck + data', title: 'A LAMMPS input deck and data file that reproduce this scenario' },
  { id: 'csv', label: 'Time series CSV', title: 'Per stored frame: step, time, energies, temperature, damage counts (dt is the mean over each frame interval)' },
];

/** Stored trajectories (this run and earlier ones, kept across reloads and crashes) and their exports. */
export function ExportPanel() {
  const titleId = useId();
  const runs = useApp((s) => s.savedRuns);
  const error = useApp((s) => s.exportError);
  const refresh = useApp((s) => s.refreshSavedRuns);
  const current = useApp((s) => s.run.info?.runId ?? null);
  useEffect(() => { void refresh(); }, [refresh]);
  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId}>Saved trajectories</h2>
      <button type="button" className="plain small" onClick={() => void refresh()}>Refresh list</button>
      {runs.length === 0 && <p className="hint">Runs are stored in the browser frame by frame as they go; they appear here.</p>}
      {error && <div className="error" role="alert"><p className="error-message">{error}</p></div>}
      <ul className="saved-runs" aria-label="Saved runs">
        {runs.map((r) => <SavedRunItem key={r.runId} run={r} current={r.runId === current} />)}
      </ul>
    </section>
  );
}

function SavedRunItem({ run, current }: { run: SavedRun; current: boolean }) {
  const busy = useApp((s) => s.exportBusy);
  const exportRun = useApp((s) => s.exportRun);
  const del = useApp((s) => s.deleteSavedRun);
  const when = run.createdAt ? new Date(run.createdAt).toLocaleString() : '';
  const state = current ? 'this run' : run.complete ? 'complete' : 'interrupted';
  return (
    <li className="saved-run" aria-label={`Saved run: ${run.title}`} data-testid="saved-run" data-run-id={run.runId}>
      <p className="saved-title">{run.title}</p>
      <p className="hint">
        {when} · {run.frames} frames to {(1000 * run.time).toFixed(1)} fs · {formatBytes(run.bytes)} · <span data-testid="saved-run-state">{state}</span>
      </p>
      <div className="button-group wrap" role="group" aria-label={`Export ${run.title}`}>
        {FORMATS.map((f) => (
          <button key={f.id} type="button" title={f.title} disabled={busy !== null} onClick={() => void exportRun(run.runId, f.id)}>
            {busy === `${run.runId}:${f.id}` ? 'Preparing…' : f.label}
          </button>
        ))}
        {!current && <button type="button" className="danger" onClick={() => void del(run.runId)} aria-label={`Delete ${run.title}`}>Delete</button>}
      </div>
    </li>
  );
}
