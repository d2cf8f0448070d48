import { lazy, Suspense } from 'react';
import { GpuStatus } from './panels/GpuStatus';
import { ModelPanel } from './panels/ModelPanel';
import { StatsPanel } from './panels/StatsPanel';
import { SamplePanel } from './panels/SamplePanel';
import { ProjectilePanel } from './panels/ProjectilePanel';
import { RunPanel } from './panels/RunPanel';
import { ExportPanel } from './panels/ExportPanel';
import { BatchPanel } from './panels/BatchPanel';

// three.js and react-three-fiber are most of the bundle: load them after the panels are on screen.
const Viewer = lazy(() => import('./viewer/Viewer').then((m) => ({ default: m.Viewer })));

export function App() {
  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <h1>DP-Tab cascade</h1>
          <span className="tagline">Ion irradiation of monolayer MoS<sub>2</sub> with DeePMD-kit models</span>
        </div>
        <GpuStatus />
      </header>
      <aside className="column column-left" aria-label="Controls">
        <ModelPanel />
        <SamplePanel />
        <ProjectilePanel />
        <RunPanel />
      </aside>
      <main className="viewer-area" aria-label="Structure viewer">
        <Suspense fallback={<p className="viewer-loading" role="status">Loading the 3D viewer…</p>}>
          <Viewer />
        </Suspense>
      </main>
      <aside className="column column-right" aria-label="Statistics">
        <StatsPanel />
        <ExportPanel />
        <BatchPanel />
      </aside>
    </div>
  );
}
