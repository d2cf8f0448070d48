import { useMemo } from 'react';
import { adapterName } from '../gpuInfo';
import { formatBytes, formatCount } from '../format';
import { useApp } from '../store';
import { MODEL_CHOICES } from '../../worker/settings';
import { SITE_ION } from '../../physics/lattice';
import { LiveCharts } from './charts/LiveCharts';

/** Right-hand column: the sample, the compute device, and (later) the live run statistics. */
export function StatsPanel() {
  return (
    <>
      <SampleStats />
      <RunStats />
      <LiveCharts />
      <DeviceStats />
    </>
  );
}

function SampleStats() {
  const sample = useApp((s) => s.sample.system);
  const site = useApp((s) => s.sample.site);
  const stats = useMemo(() => {
    const counts = new Map<string, number>();
    let natoms = 0;
    for (let i = 0; i < sample.atype.length; i++) {
      if (site[i] === SITE_ION) continue;
      natoms++;
      const sym = sample.species[sample.atype[i]];
      counts.set(sym, (counts.get(sym) ?? 0) + 1);
    }
    const c = sample.cell ?? new Float64Array(9);
    const lx = Math.hypot(c[0], c[1], c[2]);
    const ly = Math.hypot(c[3], c[4], c[5]);
    const area = Math.abs(c[0] * c[4] - c[1] * c[3]);
    return { counts: [...counts], lx, ly, area, natoms };
  }, [sample, site]);
  return (
    <section className="panel" aria-labelledby="stats-sample">
      <h2 id="stats-sample">Sheet</h2>
      <dl className="kv">
        <dt>Structure</dt><dd>2H-MoS<sub>2</sub> monolayer</dd>
        <dt>Atoms</dt><dd data-testid="atom-count">{formatCount(stats.natoms)}</dd>
        {stats.counts.map(([sym, n]) => (
          <FragmentRow key={sym} label={sym} value={formatCount(n)} />
        ))}
        <dt>Cell (x × y)</dt><dd>{stats.lx.toFixed(2)} × {stats.ly.toFixed(2)} Å</dd>
        <dt>Area</dt><dd>{(stats.area / 100).toFixed(2)} nm²</dd>
        <dt>Periodic</dt><dd>x, y (open in z)</dd>
      </dl>
    </section>
  );
}

function FragmentRow({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt className="indent">{label}</dt>
      <dd>{value}</dd>
    </>
  );
}

const POTENTIAL_LABEL = Object.fromEntries(MODEL_CHOICES.map((m) => [m.id, m.label]));

function RunStats() {
  const model = useApp((s) => s.model);
  const choice = useApp((s) => s.settings.model);
  const info = useApp((s) => s.run.info);
  const status = useApp((s) => s.run.status);
  const st = useApp((s) => s.run.stats);
  const d = useApp((s) => s.run.damage);
  const fps = useApp((s) => s.run.fps);
  const sps = useApp((s) => s.run.stepsPerSecond);
  const n = (v: number | undefined) => (v === undefined ? '–' : formatCount(v));
  return (
    <section className="panel" aria-labelledby="stats-run">
      <h2 id="stats-run">Run</h2>
      <dl className="kv">
        <dt>Potential</dt>
        <dd>{info ? info.potential : POTENTIAL_LABEL[choice]}</dd>
        <dt>Model file</dt>
        <dd>{model ? `DP-Tab (${model.typeMap.join(', ')})` : 'none loaded'}</dd>
        <dt>Status</dt>
        <dd data-testid="stats-status">{status}</dd>
        {st && (
          <>
            <dt>Time</dt><dd data-testid="sim-time">{(1000 * st.time).toFixed(1)} fs</dd>
            <dt>Steps</dt><dd data-testid="sim-steps">{formatCount(st.step)}</dd>
            <dt>dt</dt><dd>{(1000 * st.dt).toPrecision(3)} fs</dd>
            <dt>Temperature</dt><dd>{st.temperature.toFixed(1)} K</dd>
            <dt>Energy drift</dt><dd>{st.drift.toExponential(2)} eV</dd>
            <dt>Frames stored</dt><dd data-testid="frames-stored">{formatCount(st.recorded)}</dd>
            <dt>Speed</dt><dd>{fps.toFixed(0)} frames/s, {formatCount(Math.round(sps))} steps/s{st.msPerStep > 0 ? ` (MD ${st.msPerStep.toFixed(2)} ms/step)` : ''}</dd>
          </>
        )}
      </dl>
      <h3>Damage</h3>
      <dl className="kv counters" data-testid="damage-counters">
        <dt>Sputtered S (top)</dt><dd data-testid="count-sputtered-top-s">{n(d?.sputtered.topS)}</dd>
        <dt>Sputtered S (bottom)</dt><dd data-testid="count-sputtered-bottom-s">{n(d?.sputtered.bottomS)}</dd>
        <dt>Sputtered Mo</dt><dd data-testid="count-sputtered-mo">{n(d?.sputtered.Mo)}</dd>
        <dt>Vacancies</dt><dd data-testid="count-vacancies">{d ? `${formatCount(d.vacancies.total)} (Mo ${d.vacancies.Mo}, S ${d.vacancies.S})` : '–'}</dd>
        <dt>Displaced atoms</dt><dd>{n(d?.displaced)}</dd>
        <dt>Pore area</dt><dd data-testid="pore-area">{d ? `${d.poreArea.toFixed(1)} Å²` : '–'}</dd>
        <dt>Pore diameter</dt><dd data-testid="pore-diameter">{d ? `${d.poreDiameter.toFixed(1)} Å` : '–'}</dd>
        {info?.settings.projectile.mode === 'ion' && <><dt>Ion</dt><dd data-testid="ion-fate">{d?.ionFate ?? '–'}</dd></>}
      </dl>
    </section>
  );
}

function DeviceStats() {
  const gpu = useApp((s) => s.gpu);
  return (
    <section className="panel" aria-labelledby="stats-device">
      <h2 id="stats-device">Compute device</h2>
      {gpu === null && <p className="hint">Detecting WebGPU…</p>}
      {gpu && !gpu.available && (
        <p className="hint">WebGPU unavailable ({gpu.reason}). Simulations run on the CPU engine.</p>
      )}
      {gpu?.available && (
        <dl className="kv">
          <dt>Adapter</dt><dd>{adapterName(gpu.adapter)}</dd>
          <dt>Fallback</dt><dd>{gpu.adapter.isFallbackAdapter === null ? 'unknown' : gpu.adapter.isFallbackAdapter ? 'yes (software)' : 'no'}</dd>
          <dt>Max storage binding</dt><dd>{formatBytes(gpu.adapter.limits.maxStorageBufferBindingSize)}</dd>
          <dt>Workgroup storage</dt><dd>{formatBytes(gpu.adapter.limits.maxComputeWorkgroupStorageSize)}</dd>
          <dt>Invocations / group</dt><dd>{gpu.adapter.limits.maxComputeInvocationsPerWorkgroup}</dd>
          <dt>shader-f16</dt><dd>{gpu.adapter.features.includes('shader-f16') ? 'yes' : 'no'}</dd>
        </dl>
      )}
    </section>
  );
}
