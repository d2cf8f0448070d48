import { useId, useState } from 'react';
import { knownElements } from '../../physics/elements';
import { COMMON_SPECIES, ENERGY_MAX, ENERGY_MIN, RULES, type PkaSite, type ProjectileSettings } from '../../worker/settings';
import { useApp } from '../store';
import { NumberField, SelectField, useEditable } from './fields';

const UNITS = { eV: 1, keV: 1e3, MeV: 1e6 } as const;
type Unit = keyof typeof UNITS;
const SLIDER_STEPS = 600;
const LOG_MIN = Math.log10(ENERGY_MIN), LOG_MAX = Math.log10(ENERGY_MAX);

/** Species, mode (ion or PKA), energy, direction, impact point and start height. */
export function ProjectilePanel() {
  const titleId = useId();
  const p = useApp((s) => s.settings.projectile);
  const update = useApp((s) => s.updateSettings);
  const editable = useEditable();
  const [unit, setUnit] = useState<Unit>(p.energy >= 1e4 ? 'keV' : 'eV');
  const set = (patch: Partial<ProjectileSettings>) => update((s) => ({ ...s, projectile: { ...s.projectile, ...patch } }));
  const species = [...COMMON_SPECIES, ...knownElements().filter((e) => !COMMON_SPECIES.includes(e))];
  const sliderValue = Math.round(((Math.log10(p.energy) - LOG_MIN) / (LOG_MAX - LOG_MIN)) * SLIDER_STEPS);
  const ion = p.mode === 'ion';
  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId}>Projectile</h2>
      <fieldset disabled={!editable}>
        <div className="segmented" role="radiogroup" aria-label="Projectile type">
          {(['ion', 'pka'] as const).map((m) => (
            <label key={m} className={p.mode === m ? 'active' : undefined}>
              <input type="radio" name="projectile-mode" value={m} checked={p.mode === m} onChange={() => set({ mode: m })} />
              {m === 'ion' ? 'Ion' : 'PKA (recoil)'}
            </label>
          ))}
        </div>
        <div className="grid-2">
          {ion ? (
            <SelectField label="Species" value={p.species} onChange={(v) => set({ species: v })}
              options={species.map((e) => ({ value: e, label: e }))} />
          ) : (
            <SelectField<PkaSite> label="Recoil atom" value={p.pkaSite} onChange={(v) => set({ pkaSite: v })}
              options={[{ value: 'S-top', label: 'S (top layer)' }, { value: 'S-bottom', label: 'S (bottom layer)' }, { value: 'Mo', label: 'Mo' }]} />
          )}
          {ion ? (
            <NumberField name="projectile.height" label="Start height" unit="Å" value={p.height} rule={RULES.height}
              onCommit={(height) => set({ height })} />
          ) : <div />}
        </div>
        <NumberField
          name="projectile.energy" label="Energy" value={p.energy} scale={UNITS[unit]} rule={RULES.energy}
          onCommit={(energy) => set({ energy })}
          after={(
            <select aria-label="Energy unit" value={unit} onChange={(e) => setUnit(e.target.value as Unit)}>
              {Object.keys(UNITS).map((u) => <option key={u} value={u}>{u}</option>)}
            </select>
          )}
        />
        <input
          type="range" className="log-slider" aria-label="Energy (logarithmic slider)" min={0} max={SLIDER_STEPS} step={1}
          value={sliderValue}
          aria-valuetext={`${p.energy} eV`}
          onChange={(e) => {
            const v = 10 ** (LOG_MIN + (Number(e.target.value) / SLIDER_STEPS) * (LOG_MAX - LOG_MIN));
            set({ energy: +v.toPrecision(v < 100 ? 2 : 3) });
            useApp.getState().setFieldError('projectile.energy', null);
          }}
        />
        <div className="slider-scale" aria-hidden="true"><span>1 eV</span><span>1 keV</span><span>1 MeV</span></div>
        <div className="grid-2">
          <NumberField name="projectile.polar" label="Polar angle" unit="°" value={p.polar}
            rule={ion ? RULES.polarIon : RULES.polarPka} onCommit={(polar) => set({ polar })}
            hint={ion ? 'From the normal; 0 = straight down.' : 'From −z; 0 = down, 180 = up.'} />
          <NumberField name="projectile.azimuth" label="Azimuth" unit="°" value={p.azimuth} rule={RULES.azimuth}
            onCommit={(azimuth) => set({ azimuth })} hint="From +x." />
        </div>
        <ImpactControls />
      </fieldset>
    </section>
  );
}

function ImpactControls() {
  const p = useApp((s) => s.settings.projectile);
  const update = useApp((s) => s.updateSettings);
  const random = p.impact === null;
  const setImpact = (impact: [number, number] | null) => update((s) => ({ ...s, projectile: { ...s.projectile, impact } }));
  const cell = useApp((s) => s.sample.system.cell);
  const lx = cell ? cell[0] : 0, ly = cell ? cell[4] : 0;
  const coord = (v: number, L: number) => (Number.isFinite(v) && v >= 0 && v <= L ? null : `Must lie in the cell (0 to ${L.toFixed(2)} Å).`);
  return (
    <div className="impact">
      <label className="check">
        <input type="checkbox" checked={random} onChange={(e) => setImpact(e.target.checked ? null : [+(lx / 2).toFixed(2), +(ly / 2).toFixed(2)])} />
        Random impact point (seeded)
      </label>
      {!random && p.impact && (
        <div className="grid-2">
          <NumberField name="projectile.impact.x" label="Impact x" unit="Å" value={p.impact[0]} rule={(v) => coord(v, lx)}
            onCommit={(x) => setImpact([x, p.impact![1]])} />
          <NumberField name="projectile.impact.y" label="Impact y" unit="Å" value={p.impact[1]} rule={(v) => coord(v, ly)}
            onCommit={(y) => setImpact([p.impact![0], y])} />
        </div>
      )}
      <p className="hint">{p.mode === 'ion' ? 'Or click the sheet in the view to aim there.' : 'The recoil atom nearest the point (or the cell centre) is used.'}</p>
    </div>
  );
}
