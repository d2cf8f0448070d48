import { GpuStatus } from './panels/GpuStatus';
import { ModelPanel } from './panels/ModelPanel';
import { StatsPanel } from './panels/StatsPanel';
import { Viewer } from './viewer/Viewer';

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
      </aside>
      <main className="viewer-area" aria-label="Structure viewer">
        <Viewer />
      </main>
      <aside className="column column-right" aria-label="Statistics">
        <StatsPanel />
      </aside>
    </div>
  );
}
