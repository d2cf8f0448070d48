import { useId } from 'react';
import { atomsOf, cellLengths, RULES, supercellMessage, type SampleSettings } from '../../worker/settings';
import { formatCount } from '../format';
import { dpModelOf, useApp } from '../store';
import { NumberField, useEditable } from './fields';

/** Supercell size, temperature and the border thermostat strip. */
export function SamplePanel() {
  const titleId = useId();
  const sample = useApp((s) => s.settings.sample);
  const model = useApp((s) => s.settings.model);
  const dpMax = useApp((s) => dpModelOf(s)?.maxAtoms);
  const update = useApp((s) => s.updateSettings);
  const editable = useEditable();
  const set = (patch: Partial<SampleSettings>) => update((s) => ({ ...s, sample: { ...s.sample, ...patch } }));
  const cells = (v: number) => RULES.cells(v);
  // The supercell limit depends on both counts: check each against the other's current value.
  const nxRule = (v: number) => cells(v) ?? supercellMessage(v, sample.ny, model, dpMax);
  const nyRule = (v: number) => cells(v) ?? supercellMessage(sample.nx, v, model, dpMax);
  const [lx, ly] = cellLengths(sample.nx, sample.ny);
  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId}>Sample</h2>
      <fieldset disabled={!editable} className="grid-2">
        <NumberField name="sample.nx" label="Cells along x" value={sample.nx} rule={nxRule} onCommit={(nx) => set({ nx })} />
        <NumberField name="sample.ny" label="Cells along y" value={sample.ny} rule={nyRule} onCommit={(ny) => set({ ny })} />
        <p className="hint span-2" data-testid="supercell-size">
          2H-MoS<sub>2</sub>, {formatCount(atomsOf(sample))} atoms, about {lx.toFixed(1)} × {ly.toFixed(1)} Å (a × √3a cells)
        </p>
        <NumberField name="sample.temperature" label="Temperature" unit="K" value={sample.temperature} rule={RULES.temperature}
          onCommit={(temperature) => set({ temperature })} />
        <NumberField name="sample.border" label="Thermostat border" unit="Å" value={sample.border} rule={RULES.border}
          onCommit={(border) => set({ border })} hint="Berendsen strip along the cell edges; 0 = NVE." />
      </fieldset>
    </section>
  );
}
