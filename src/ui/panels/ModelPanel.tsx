import { useId, useRef, useState, type ChangeEvent, type DragEvent } from 'react';
import { formatBytes, formatCount } from '../format';
import { dpModelOf, MODEL_FILE_EXTENSIONS, useApp } from '../store';
import { dpModelMessage, isDpChoice, MODEL_CHOICES, type ModelChoice } from '../../worker/settings';
import type { LoadedModelInfo } from '../../worker/protocol';
import { SelectField, useEditable } from './fields';

/**
 * Which potential runs the MD; the built-in DP-Tab model's state (loading, summary and training record, or why it
 * failed); choose or drop a DeePMD-kit model file of one's own, with its summary or why it could not be read.
 */
export function ModelPanel() {
  const model = useApp((s) => s.model);
  const loading = useApp((s) => s.modelLoading);
  const error = useApp((s) => s.modelError);
  const loadModelFile = useApp((s) => s.loadModelFile);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
  const inputId = useId();
  const titleId = useId();
  const hintId = useId();

  const onChange = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (file) void loadModelFile(file);
    // Let the same file be chosen again (e.g. after fixing it on disk).
    e.target.value = '';
  };
  const onDragEnter = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    dragDepth.current++;
    setDragging(true);
  };
  const onDragOver = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  };
  const onDragLeave = () => {
    dragDepth.current = Math.max(0, dragDepth.current - 1);
    if (dragDepth.current === 0) setDragging(false);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    dragDepth.current = 0;
    setDragging(false);
    const file = e.dataTransfer.files?.[0];
    if (file) void loadModelFile(file);
  };

  return (
    <section
      className={`panel model-panel${dragging ? ' dragging' : ''}`}
      aria-labelledby={titleId}
      onDragEnter={onDragEnter}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
      data-testid="model-panel"
    >
      <h2 id={titleId}>Model</h2>
      <PotentialChoice />
      <CompressionSwitch />
      <BuiltinModelStatus />
      <div className="field">
        <label htmlFor={inputId}>Model file</label>
        <input
          id={inputId}
          type="file"
          accept={MODEL_FILE_EXTENSIONS.join(',')}
          onChange={onChange}
          aria-describedby={hintId}
          disabled={loading !== null}
        />
        <p id={hintId} className="hint">
          A frozen DeePMD-kit model: TensorFlow graph (.pb, .pbtxt) or DeePMD-kit v3 (.json, .yaml, .dp). Or drop
          the file on this panel.
        </p>
      </div>

      {dragging && <div className="drop-overlay" aria-hidden="true">Drop the model file to load it</div>}

      {loading && (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" />
          Reading {loading.fileName} ({formatBytes(loading.byteLength)})…
        </p>
      )}

      {error && (
        <div className="error" role="alert" data-testid="model-error">
          <p className="error-title">Could not load {error.fileName}</p>
          <p className="error-message">{error.message}</p>
          {model && <p className="error-note">Still using {model.fileName}.</p>}
        </div>
      )}

      {model && <ElementCoverage typeMap={model.typeMap} />}
      {model && <ModelSummaryTable info={model} title="Model summary" testId="model-summary" />}
      {!model && !loading && !error && (
        <p className="empty">No model file loaded. Load your own DeePMD-kit model to run it instead of the built-in one.</p>
      )}
    </section>
  );
}

/** Which potential runs the MD: the built-in DP-Tab model (the default), a classical baseline, or the loaded file. */
function PotentialChoice() {
  const choice = useApp((s) => s.settings.model);
  const model = useApp((s) => s.model);
  const builtin = useApp((s) => s.builtin.status);
  const dp = useApp(dpModelOf);
  const update = useApp((s) => s.updateSettings);
  const editable = useEditable();
  const label = (id: ModelChoice, text: string) => {
    if (id === 'loaded' && model) return `Loaded: ${model.fileName}`;
    if (id === 'dptab-builtin' && builtin !== 'ready') return `${text} (${builtin === 'loading' ? 'loading…' : 'failed to load'})`;
    return text;
  };
  return (
    <SelectField<ModelChoice>
      label="Potential"
      value={choice}
      disabled={!editable}
      onChange={(m) => update((s) => ({ ...s, model: m }))}
      options={MODEL_CHOICES.map((c) => ({
        value: c.id,
        label: label(c.id, c.label),
        disabled: (c.id === 'loaded' && (!model || dpModelMessage('loaded', model.typeMap) !== null)) || (c.id === 'dptab-builtin' && builtin === 'error'),
      }))}
      hint={dp ? engineHint(dp) : choice === 'dptab-builtin' || choice === 'loaded' ? 'Waiting for the model.' : 'Built in; no file needed.'}
    />
  );
}

/** DP models on the WebGPU engine: tabulated embedding nets (dp compress), on by default. */
function CompressionSwitch() {
  const choice = useApp((s) => s.settings.model);
  const compress = useApp((s) => s.settings.compress);
  const update = useApp((s) => s.updateSettings);
  const editable = useEditable();
  const hintId = useId();
  if (!isDpChoice(choice)) return null;
  return (
    <div className="field">
      <label className="check">
        <input type="checkbox" checked={compress} disabled={!editable} aria-describedby={hintId}
          onChange={(e) => update((s) => ({ ...s, compress: e.target.checked }))} />
        Tabulated embedding nets (dp compress)
      </label>
      <p id={hintId} className="hint">
        Several times faster on the GPU. Used only when the table reproduces the nets within 1e-5; off evaluates the
        nets themselves. Takes effect at the next run.
      </p>
    </div>
  );
}

function engineHint(m: LoadedModelInfo): string {
  return m.engine === 'webgpu'
    ? `Runs on the WebGPU engine here (sheets up to ${formatCount(m.maxAtoms)} atoms).`
    : `No WebGPU here: runs on the float64 CPU reference (sheets up to ${formatCount(m.maxAtoms)} atoms); keep the sheet small.`;
}

/** The built-in model: loading, in use (summary and training record), or why it could not be loaded and what to do. */
function BuiltinModelStatus() {
  const builtin = useApp((s) => s.builtin);
  const chosen = useApp((s) => s.settings.model === 'dptab-builtin');
  const retry = useApp((s) => s.loadBuiltinModel);
  if (builtin.status === 'error' && builtin.error) {
    return (
      <div className="error" role="alert" data-testid="builtin-error">
        <p className="error-title">Could not load the built-in DP-Tab model ({builtin.error.fileName})</p>
        <p className="error-message">{builtin.error.message}</p>
        <p className="error-note">
          The classical baselines run without it. Try again, or reload the page; if it keeps failing, load the
          project's models/mos2-dptab.json with the file picker below.
        </p>
        <button type="button" onClick={() => void retry()}>Try again</button>
      </div>
    );
  }
  if (!chosen) return null;
  if (builtin.status === 'loading') {
    return (
      <p className="loading" role="status" data-testid="builtin-loading">
        <span className="spinner" aria-hidden="true" />
        Loading the built-in DP-Tab MoS2 model…
      </p>
    );
  }
  if (!builtin.info) return null;
  return (
    <div data-testid="builtin-model">
      <ModelSummaryTable info={builtin.info} title="Built-in model" testId="builtin-summary" />
      {!builtin.info.summary.training && <p className="hint">This model file records no training provenance.</p>}
    </div>
  );
}

function ModelSummaryTable({ info, title, testId }: { info: LoadedModelInfo; title: string; testId: string }) {
  const captionId = useId();
  return (
    <table className="summary" aria-labelledby={captionId} data-testid={testId}>
      <caption id={captionId}>
        {title}: {info.fileName}{' '}
        <span className="muted">({formatBytes(info.byteLength)}, read in {info.parseMs < 1000 ? `${info.parseMs.toFixed(0)} ms` : `${(info.parseMs / 1000).toFixed(1)} s`})</span>
      </caption>
      <tbody>
        {info.rows.map((r, i) => (
          <tr key={`${r.label}-${i}`}>
            <th scope="row">{r.label}</th>
            <td>{r.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Whether the model describes every element of the sample (projectiles outside it interact by universal ZBL). */
function ElementCoverage({ typeMap }: { typeMap: string[] }) {
  const species = useApp((s) => s.sample.system.species);
  const missing = species.filter((e) => !typeMap.includes(e));
  if (missing.length === 0) {
    return <p className="coverage ok" data-testid="model-coverage">Describes the sample's elements ({species.join(', ')}).</p>;
  }
  return (
    <p className="coverage warn" data-testid="model-coverage">
      This model describes {typeMap.join(', ')}; the sample also needs {missing.join(', ')}. Load a model that
      includes {missing.join(' and ')} to simulate the sheet.
    </p>
  );
}

function hasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes('Files');
}
