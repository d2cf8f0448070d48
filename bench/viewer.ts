// `npm run bench:viewer`: how smoothly the built app draws large sheets (issue 5: "smooth with at least 10,000
// atoms"). For each sheet size the real app runs in headless Chromium (the same flags as the browser tests):
//  - redraw: every animation frame gives the store a new frame of coordinates (the sheet moved by a thermal
//    jiggle), as a run does; reports frames drawn per second and the main-thread milliseconds spent writing the
//    instance matrices (the zustand subscription in Viewer.tsx, synchronous in setState).
//  - live run: the classical potential runs in the worker for a few seconds; reports animation frames per
//    second, simulation frames shown per second and the main thread's long tasks (> 50 ms, which a user feels).
// Frames per second are capped by the display rate (60 Hz headless). The WebGL drawing here is SwiftShader
// (software, on the CPU cores that also run the worker), so the absolute rates are a floor; the main-thread costs
// carry over to any GPU. BENCH_VIEWER_SIZES=16x16,41x41 picks sheets; BENCH_VIEWER_DIST=dir serves another build
// (to compare two versions of the viewer in one session). The last line is one JSON object.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { chromium, type Page } from '@playwright/test';
import config from '../playwright.config.ts';

const PORT = 4174;
const URL = `http://127.0.0.1:${PORT}`;
const SIZES = (process.env.BENCH_VIEWER_SIZES ?? '16x16,41x41,58x58').split(',').map((s) => s.split('x').map(Number) as [number, number]);
const REDRAW_SECONDS = 6;
const RUN_SECONDS = 10;

interface SizeResult {
  atoms: number;
  redraw: { fps: number; updateMsMean: number; updateMsP95: number; frames: number };
  run: { fps: number; simFramesPerSecond: number; longTasks: number; longTaskMs: number; stepsDone: number; stepsPerSecond: number };
}

async function startPreview(): Promise<ChildProcess> {
  const p = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort',
    ...(process.env.BENCH_VIEWER_DIST ? ['--outDir', process.env.BENCH_VIEWER_DIST] : [])], { stdio: 'ignore' });
  for (let k = 0; k < 120; k++) {
    try { if ((await fetch(URL)).ok) return p; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  p.kill();
  throw new Error(`vite preview did not answer on ${URL}: run "npx vite build" first`);
}

/** Sets the classical model and an nx x ny sheet through the app's test hook; resolves once the sheet is shown. */
async function showSheet(page: Page, nx: number, ny: number): Promise<number> {
  return page.evaluate(async ([nx, ny]) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const app = (window as any).__app;
    app.getState().resetRun();
    app.getState().updateSettings((s: any) => ({ ...s, model: 'sw-wen2017', sample: { ...s.sample, nx, ny } })); // eslint-disable-line @typescript-eslint/no-explicit-any
    const want = 6 * nx * ny;
    for (let k = 0; k < 600 && app.getState().sample.system.atype.length !== want; k++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000)); // let the new meshes draw once
    return app.getState().sample.system.atype.length as number;
  }, [nx, ny] as const);
}

/** Every animation frame: a new coordinate frame in the store (jiggled sheet), timing the synchronous update. */
async function redraw(page: Page): Promise<SizeResult['redraw']> {
  return page.evaluate(async ([seconds, amp]) => {
    const app = (window as any).__app; // eslint-disable-line @typescript-eslint/no-explicit-any
    const base: Float64Array = app.getState().sample.system.coord;
    const coord = new Float32Array(base.length);
    const ms: number[] = [];
    let k = 1;
    const t0 = performance.now();
    await new Promise<void>((done) => {
      const tick = () => {
        for (let q = 0; q < coord.length; q++) coord[q] = base[q] + amp * (((k = (k * 16807) % 2147483647) / 2147483647) - 0.5);
        const s = app.getState();
        const u0 = performance.now();
        app.setState({ frame: { coord: coord.slice(), kinetic: null, serial: s.frame.serial + 1 } });
        ms.push(performance.now() - u0);
        if (performance.now() - t0 < seconds * 1000) requestAnimationFrame(tick);
        else done();
      };
      requestAnimationFrame(tick);
    });
    const wall = (performance.now() - t0) / 1000;
    const sorted = [...ms].sort((a, b) => a - b);
    return { fps: ms.length / wall, updateMsMean: ms.reduce((a, b) => a + b, 0) / ms.length, updateMsP95: sorted[Math.floor(0.95 * (sorted.length - 1))], frames: ms.length };
  }, [REDRAW_SECONDS, 0.1] as const);
}

/** A live run of the classical potential: animation frames, simulation frames shown, long main-thread tasks. */
async function liveRun(page: Page): Promise<SizeResult['run']> {
  return page.evaluate(async (seconds) => {
    const app = (window as any).__app; // eslint-disable-line @typescript-eslint/no-explicit-any
    let longTasks = 0, longMs = 0;
    const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) { longTasks++; longMs += e.duration; } });
    obs.observe({ type: 'longtask', buffered: false });
    await app.getState().startRun();
    for (let k = 0; k < 1200 && app.getState().run.status !== 'running'; k++) await new Promise((r) => setTimeout(r, 100));
    const serial0 = app.getState().frame.serial;
    let raf = 0;
    const t0 = performance.now();
    await new Promise<void>((done) => {
      const tick = () => { raf++; if (performance.now() - t0 < seconds * 1000) requestAnimationFrame(tick); else done(); };
      requestAnimationFrame(tick);
    });
    const wall = (performance.now() - t0) / 1000;
    const s = app.getState();
    const out = { fps: raf / wall, simFramesPerSecond: (s.frame.serial - serial0) / wall, longTasks, longTaskMs: longMs, stepsDone: s.run.stats?.step ?? 0, stepsPerSecond: s.run.stepsPerSecond };
    s.pauseRun();
    obs.disconnect();
    return out;
  }, RUN_SECONDS);
}

async function main() {
  const server = await startPreview();
  const browser = await chromium.launch({ executablePath: config.use?.launchOptions?.executablePath, args: config.use?.launchOptions?.args });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // tsx compiles the page functions below with esbuild's keep-names helper; give the page a stand-in for it.
    await page.addInitScript('window.__name = (f) => f');
    await page.goto(URL);
    await page.getByRole('heading', { name: 'DP-Tab cascade' }).waitFor();
    const renderer = await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      const ext = gl?.getExtension('WEBGL_debug_renderer_info');
      return gl && ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : 'unknown';
    });
    console.log(`WebGL renderer: ${renderer}`);
    const results: Record<string, SizeResult> = {};
    for (const [nx, ny] of SIZES) {
      const atoms = await showSheet(page, nx, ny);
      const r = await redraw(page);
      const run = await liveRun(page);
      results[`${nx}x${ny}`] = { atoms, redraw: r, run };
      console.log(`${nx}x${ny} (${atoms} atoms): redraw ${r.fps.toFixed(1)} fps, store update ${r.updateMsMean.toFixed(2)} ms (p95 ${r.updateMsP95.toFixed(2)});` +
        ` live run ${run.fps.toFixed(1)} fps, ${run.simFramesPerSecond.toFixed(1)} sim frames/s, ${run.longTasks} long tasks (${run.longTaskMs.toFixed(0)} ms in ${RUN_SECONDS} s)`);
    }
    console.log(JSON.stringify({ machine: `${cpus()[0]?.model ?? 'cpu'} x${cpus().length}`, renderer, results }));
  } finally {
    await browser.close();
    server.kill();
  }
}

void main().catch((e) => { console.error(e); process.exit(1); });
