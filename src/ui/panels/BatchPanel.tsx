import { useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ENERGY_MAX, ENERGY_MIN, RULES, validateSettings } from '../../worker/settings';
import { formatEnergy } from '../../worker/runMeta';
import { useBatch } from '../batch';
import { pkaRandomAzimuth, sweepLabel } from '../../worker/batchProtocol';
import { pkaElement } from '../../md/projectile';
import { dpFileOf, dpModelOf, useApp } from '../store';
import { YieldChart } from './charts/YieldChart';
import { NumberField } from './fields';

/** "100, 200, 500 1000" -> energies in eV, or the reason they are refused. */
export function parseEnergies(text: string): number[] | string {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return 'Give at least one energy.';
  if (parts.length > 30) return 'At most 30 energies per sweep.';
  const out: number[] = [];
  for (const p of parts) {
    const v = Number(p);
    if (!Number.isFinite(v)) return `"${p}" is not a number.`;
    if (v <= 0) return 'Energies must be positive.';
    if (v < ENERGY_MIN || v > ENERGY_MAX) return `Energies must lie between ${ENERGY_MIN} eV and ${ENERGY_MAX} eV.`;
    out.push(v);
  }
  return out;
}

const STATUS = { idle: 'No sweep yet', running: 'Running', done: 'Finished', cancelled: 'Cancelled', interrupted: 'Interrupted by a reload (results so far kept)', error: 'Stopped by an error' } as const;

/** Yield against energy: independent seeded impacts per energy, mean ± standard error, chart, CSV. */
export function BatchPanel() {
  const titleId = useId();
  const energiesId = useId();
  const energiesErrId = useId();
  const b = useBatch(useShallow((s) => ({ status: s.status, progress: s.progress, points: s.points, spec: s.spec, message: s.message, wallSeconds: s.wallSeconds })));
  const { start, cancel, load, exportCsv } = useBatch.getState();
  const settings = useApp((s) => s.settings);
  const dpModel = useApp(dpModelOf);
  const dpFile = useApp(dpFileOf);
  const [energiesText, setEnergiesText] = useState('100, 300, 1000');
  const [impacts, setImpacts] = useState(4);
  const [timeLimit, setTimeLimit] = useState(0.3);
  const fieldErrors = useApp(useShallow((s) => Object.keys(s.fieldErrors).filter((k) => k.startsWith('batch.'))));
  useEffect(() => { void load(); }, [load]);

  const energies = parseEnergies(energiesText);
  const base = validateSettings(settings, dpModel);
  const blocking = Object.entries(base).filter(([k]) => k.startsWith('sample.') || k === 'model' || k === 'projectile.polar' || k === 'projectile.azimuth' || k === 'projectile.species');
  const running = b.status === 'running';
  const canStart = !running && typeof energies !== 'string' && fieldErrors.length === 0 && blocking.length === 0;

  const onStart = async () => {
    if (typeof energies === 'string') return;
    const p = settings.projectile;
    const file = dpFile ? { name: dpFile.name, bytes: await dpFile.arrayBuffer() } : undefined;
    const pka = p.mode === 'pka';
    start({
      model: settings.model, compress: settings.compress, modelFile: file, species: pka ? pkaElement(p.pkaSite) : p.species,
      pkaSite: pka ? p.pkaSite : undefined, energies, impacts, nx: settings.sample.nx, ny: settings.sample.ny,
      temperature: settings.sample.temperature, border: settings.sample.border, polar: p.polar, azimuth: p.azimuth, time: timeLimit, seed: settings.run.seed,
    });
  };

  const sorted = [...b.points].sort((x, y) => x.energy - y.energy);
  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId}>Batch: yield against energy</h2>
      <fieldset disabled={running}>
        <div className={`field${typeof energies === 'string' ? ' invalid' : ''}`}>
          <label htmlFor={energiesId}>Energies (eV)</label>
          <input id={energiesId} type="text" value={energiesText} onChange={(e) => setEnergiesText(e.target.value)}
            aria-invalid={typeof energies === 'string' ? true : undefined} aria-describedby={typeof energies === 'string' ? energiesErrId : undefined} />
          {typeof energies === 'string' && <p id={energiesErrId} className="field-error" aria-live="polite">{energies}</p>}
        </div>
        <div className="grid-2">
          <NumberField name="batch.impacts" label="Impacts per energy" value={impacts}
            rule={(v) => (Number.isInteger(v) && v >= 1 && v <= 1000 ? null : 'Use a whole number from 1 to 1000.')} onCommit={setImpacts} />
          <NumberField name="batch.time" label="Time per impact" unit="fs" scale={1e-3} value={timeLimit} rule={RULES.timeLimit} onCommit={setTimeLimit} />
        </div>
        <p className="hint">
          {settings.projectile.mode === 'ion'
            ? `${settings.projectile.species} ions, polar ${settings.projectile.polar}°, random impact points (seed ${settings.run.seed} + k)`
            : `${settings.projectile.pkaSite} PKAs nearest the cell centre, polar ${settings.projectile.polar}°, ${pkaRandomAzimuth(settings.projectile.polar) ? 'random azimuths' : 'along the normal'} (seed ${settings.run.seed} + k)`}
          {`, ${settings.sample.nx} × ${settings.sample.ny} cells, ${settings.sample.temperature} K: from the panels above.`}
        </p>
      </fieldset>
      <div className="run-buttons" role="group" aria-label="Batch">
        <button type="button" className="primary" disabled={!canStart} onClick={() => void onStart()}>Start sweep</button>
        <button type="button" disabled={!running} onClick={cancel}>Cancel sweep</button>
        <button type="button" disabled={b.points.length === 0} onClick={exportCsv}>Export CSV</button>
      </div>
      <progress className="run-progress" aria-label="Batch progress" max={Math.max(1, b.progress?.total ?? 1)} value={b.progress?.done ?? (b.status === 'done' ? 1 : 0)} />
      <p className="run-status" role="status" data-testid="batch-status" data-status={b.status}>
        {STATUS[b.status]}{running && b.progress ? `: ${b.progress.message} (${b.progress.done} of ${b.progress.total})` : ''}
        {b.message ? `: ${b.message}` : ''}
        {b.status === 'done' && b.wallSeconds !== null ? ` in ${b.wallSeconds.toFixed(1)} s` : ''}
      </p>
      {b.points.length > 0 && (
        <>
          <YieldChart />
          <table className="summary" aria-label="Yield results" data-testid="yield-table">
            <thead><tr><th scope="col">Energy</th><th scope="col">Yield (atoms/{b.spec.pkaSite ? 'PKA' : 'ion'})</th><th scope="col">n</th></tr></thead>
            <tbody>
              {sorted.map((p) => (
                <tr key={p.energy}>
                  <td>{formatEnergy(p.energy)}</td>
                  <td>{p.mean.toFixed(2)}{Number.isFinite(p.stdError) ? ` ± ${p.stdError.toFixed(2)}` : ''}</td>
                  <td>{p.n}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="hint">{sweepLabel(b.spec)}, {b.spec.nx} × {b.spec.ny} cells, {(1000 * b.spec.time).toFixed(0)} fs per impact{b.status === 'interrupted' ? '; the sweep was interrupted' : ''}.</p>
        </>
      )}
    </section>
  );
}
