// Form controls shared by the panels. A NumberField keeps the text the user typed; a value that breaks its rule
// is refused at the control (message under it, aria-invalid, the store told so Run stays disabled) and the last
// good value stays in the settings.
import { useEffect, useId, useState, type ReactNode } from 'react';
import { useApp } from '../store';

export interface NumberFieldProps {
  /** Key of the setting ('projectile.energy'): where the control's message is filed. */
  name: string;
  label: ReactNode;
  value: number;
  rule: (v: number) => string | null;
  onCommit: (v: number) => void;
  unit?: ReactNode;
  /** Value shown = setting / scale (e.g. 1000 for keV); committed = typed × scale. */
  scale?: number;
  disabled?: boolean;
  hint?: ReactNode;
  step?: number | 'any';
  /** Extra element after the input (a unit selector). */
  after?: ReactNode;
}

const fmt = (v: number) => String(+v.toPrecision(10));

export function NumberField({ name, label, value, rule, onCommit, unit, scale = 1, disabled, hint, step = 'any', after }: NumberFieldProps) {
  const id = useId();
  const errId = useId();
  const hintId = useId();
  const [text, setText] = useState(fmt(value / scale));
  const error = useApp((s) => s.fieldErrors[name] ?? null);
  const setFieldError = useApp((s) => s.setFieldError);

  // Follow changes made elsewhere (a slider, a click on the sheet, a unit change) unless the text is being fixed.
  useEffect(() => {
    if (error) return;
    const shown = Number(text);
    if (text.trim() === '' || !Number.isFinite(shown) || Math.abs(shown * scale - value) > 1e-9 * Math.max(1, Math.abs(value))) setText(fmt(value / scale));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value, scale]);
  useEffect(() => () => setFieldError(name, null), [name, setFieldError]);

  const onChange = (t: string) => {
    setText(t);
    const v = t.trim() === '' ? NaN : Number(t) * scale;
    const msg = Number.isFinite(v) ? rule(v) : 'Enter a number.';
    setFieldError(name, msg);
    if (!msg) onCommit(v);
  };

  const describedBy = [error ? errId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field field-number${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="input-row">
        <input
          id={id}
          type="text"
          inputMode="decimal"
          autoComplete="off"
          spellCheck={false}
          value={text}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          data-step={step}
          onChange={(e) => onChange(e.target.value)}
        />
        {unit && <span className="unit">{unit}</span>}
        {after}
      </div>
      {hint && <p id={hintId} className="hint">{hint}</p>}
      {error && <p id={errId} className="field-error" aria-live="polite">{error}</p>}
    </div>
  );
}

export function SelectField<T extends string>({ label, value, options, onChange, disabled, hint }: {
  label: ReactNode;
  value: T;
  options: { value: T; label: string; disabled?: boolean }[];
  onChange: (v: T) => void;
  disabled?: boolean;
  hint?: ReactNode;
}) {
  const id = useId();
  const hintId = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as T)} aria-describedby={hint ? hintId : undefined}>
        {options.map((o) => <option key={o.value} value={o.value} disabled={o.disabled}>{o.label}</option>)}
      </select>
      {hint && <p id={hintId} className="hint">{hint}</p>}
    </div>
  );
}

/** Whether the sample and projectile can be edited now (not while a run is live). */
export function useEditable(): boolean {
  const status = useApp((s) => s.run.status);
  return status === 'idle' || status === 'ended' || status === 'error';
}
