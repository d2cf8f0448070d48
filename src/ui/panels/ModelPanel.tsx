import { useId, useRef, useState, type ChangeEvent, type DragEvent } from 'react';
import { formatBytes } from '../format';
import { MODEL_FILE_EXTENSIONS, useApp } from '../store';
import { MODEL_CHOICES, type ModelChoice } from '../../worker/settings';
import { SelectField, useEditable } from './fields';

/** Choose or drop a DeePMD-kit model file; shows its summary or why it could not be read. */
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
      {model && <ModelSummaryTable />}
      {!model && !loading && !error && (
        <p className="empty">No model loaded. Load one to run the DP-Tab potential.</p>
      )}
    </section>
  );
}

/** Which potential runs the MD: a built-in classical baseline (the default) or the loaded DP model. */
function PotentialChoice() {
  const choice = useApp((s) => s.settings.model);
  const model = useApp((s) => s.model);
  const update = useApp((s) => s.updateSettings);
  const editable = useEditable();
  const usable = !!model && ['Mo', 'S'].every((e) => model.typeMap.includes(e));
  return (
    <SelectField<ModelChoice>
      label="Potential"
      value={choice}
      disabled={!editable}
      onChange={(m) => update((s) => ({ ...s, model: m }))}
      options={MODEL_CHOICES.map((c) => ({
        value: c.id,
        label: c.id === 'loaded' && model ? `Loaded: ${model.fileName} (CPU float64 reference)` : c.label,
        disabled: c.id === 'loaded' && !usable,
      }))}
      hint={choice === 'loaded' ? 'The DP model runs on the float64 CPU reference in the worker: keep the sheet small.' : 'Built in; no file needed.'}
    />
  );
}

function ModelSummaryTable() {
  const model = useApp((s) => s.model);
  const captionId = useId();
  if (!model) return null;
  return (
    <table className="summary" aria-labelledby={captionId} data-testid="model-summary">
      <caption id={captionId}>
        Model summary: {model.fileName}{' '}
        <span className="muted">({formatBytes(model.byteLength)}, read in {model.parseMs < 1000 ? `${model.parseMs.toFixed(0)} ms` : `${(model.parseMs / 1000).toFixed(1)} s`})</span>
      </caption>
      <tbody>
        {model.rows.map((r, i) => (
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
