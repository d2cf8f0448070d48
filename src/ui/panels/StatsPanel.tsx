import { useMemo } from 'react';
import { adapterName } from '../gpuInfo';
import { formatBytes, formatCount } from '../format';
import { useApp } from '../store';

/** Right-hand column: the sample, the compute device, and (later) the live run statistics. */
export function StatsPanel() {
  return (
    <>
      <SampleStats />
      <RunStats />
      <DeviceStats />
    </>
  );
}

function SampleStats() {
  const sample = useApp((s) => s.sample.system);
  const stats = useMemo(() => {
    const counts = new Map<string, number>();
    for (let i = 0; i < sample.atype.length; i++) {
      const sym = sample.species[sample.atype[i]];
      counts.set(sym, (counts.get(sym) ?? 0) + 1);
    }
    const c = sample.cell ?? new Float64Array(9);
    const lx = Math.hypot(c[0], c[1], c[2]);
    const ly = Math.hypot(c[3], c[4], c[5]);
    const area = Math.abs(c[0] * c[4] - c[1] * c[3]);
    return { counts: [...counts], lx, ly, area, natoms: sample.atype.length };
  }, [sample]);
  return (
    <section className="panel" aria-labelledby="stats-sample">
      <h2 id="stats-sample">Sample</h2>
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

function RunStats() {
  const model = useApp((s) => s.model);
  return (
    <section className="panel" aria-labelledby="stats-run">
      <h2 id="stats-run">Run</h2>
      <dl className="kv">
        <dt>Potential</dt>
        <dd>{model ? `DP-Tab (${model.typeMap.join(', ')})` : 'none loaded'}</dd>
        <dt>Status</dt>
        <dd>Idle</dd>
      </dl>
      <p className="hint">Sputtering yield, defects and pore size appear here during a run.</p>
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
