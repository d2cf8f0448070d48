// Shared by the browser tests: opening the app with error collection, reading the WebGL view, and the
// test hook the app exposes (window.__app: the zustand store), and the external readers (ASE).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Download, type Locator, type Page } from '@playwright/test';

export async function openApp(page: Page): Promise<string[]> {
  // Uncaught exceptions, console errors (CSP violations among them) and failed same-origin requests.
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`${String(e)}${process.env.E2E_STACKS ? `\n${e.stack}` : ''}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`); });
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'DP-Tab cascade' })).toBeVisible();
  return errors;
}

/** Fraction of viewer pixels in rows [from, to) (fractions of the height) that differ clearly from the background. */
export async function litFraction(page: Page, from = 0, to = 1): Promise<number> {
  return page.evaluate(([from, to]) => {
    const src = document.querySelector<HTMLCanvasElement>('.viewer-canvas canvas');
    if (!src || src.width === 0) return 0;
    const w = 200;
    const h = Math.max(1, Math.round((src.height / src.width) * w));
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const ctx = c.getContext('2d');
    if (!ctx) return 0;
    ctx.drawImage(src, 0, 0, w, h);
    const d = ctx.getImageData(0, 0, w, h).data;
    const r0 = Math.floor(from * h);
    const r1 = Math.max(r0 + 1, Math.floor(to * h));
    let lit = 0;
    for (let i = r0 * w * 4; i < r1 * w * 4; i += 4) {
      // background #0d1119
      if (Math.abs(d[i] - 13) + Math.abs(d[i + 1] - 17) + Math.abs(d[i + 2] - 25) > 60) lit++;
    }
    return lit / ((r1 - r0) * w);
  }, [from, to] as const);
}

/** A small grey-level thumbnail of the view, to tell whether it changed. */
export async function viewThumb(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const src = document.querySelector<HTMLCanvasElement>('.viewer-canvas canvas')!;
    const c = document.createElement('canvas');
    c.width = 64;
    c.height = 48;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(src, 0, 0, 64, 48);
    const d = ctx.getImageData(0, 0, 64, 48).data;
    const out: number[] = [];
    for (let i = 0; i < d.length; i += 4) out.push(d[i] + d[i + 1] + d[i + 2]);
    return out;
  });
}

/** The classical baseline (Wen 2017 SW + ZBL): fast enough for runs of hundreds of atoms on SwiftShader. */
export const CLASSICAL = 'sw-wen2017';

/**
 * Sets up a run the way a user does: potential (the value of a Potential option; the default is the built-in DP-Tab
 * model, far slower here than the classical baseline), species, energy in eV, polar angle, sheet size, time limit (fs).
 */
export async function setUpRun(page: Page, o: { potential?: string; species: string; energy: string; polar?: string; nx?: string; ny?: string; timeFs?: string; stepsPerFrame?: string }) {
  if (o.potential) await page.getByLabel('Potential').selectOption(o.potential);
  if (o.nx) await page.getByLabel('Cells along x').fill(o.nx);
  if (o.ny) await page.getByLabel('Cells along y').fill(o.ny);
  await page.getByRole('radio', { name: 'Ion' }).check();
  await page.getByLabel('Species').selectOption(o.species);
  await page.getByLabel('Energy unit').selectOption('eV');
  await page.getByLabel('Energy', { exact: true }).fill(o.energy);
  await page.getByLabel('Polar angle').fill(o.polar ?? '0');
  if (o.timeFs) await page.getByLabel('Time limit').fill(o.timeFs);
  if (o.stepsPerFrame) await page.getByLabel('Steps per frame').fill(o.stepsPerFrame);
}

export const runStatus = (page: Page) => page.getByTestId('run-status');

/** Clicks an export button of the current run's saved entry and stores the download(s) in `dir`. */
export async function exportCurrent(page: Page, label: string, dir: string, count = 1): Promise<string[]> {
  return exportFrom(page.getByTestId('saved-run').filter({ has: page.getByText('this run') }), page, label, dir, count);
}

/** Clicks an export button of a saved-run entry and stores the download(s) in `dir`. */
export async function exportFrom(item: Locator, page: Page, label: string, dir: string, count = 1): Promise<string[]> {
  const seen: Download[] = [];
  const done = new Promise<void>((resolve) => {
    const on = (d: Download) => {
      seen.push(d);
      if (seen.length === count) { page.off('download', on); resolve(); }
    };
    page.on('download', on);
  });
  await item.getByRole('button', { name: label, exact: true }).click();
  await done;
  const paths: string[] = [];
  for (const d of seen) {
    const p = `${dir}/${d.suggestedFilename()}`;
    await d.saveAs(p);
    paths.push(p);
  }
  return paths;
}

/** Runs a Python script with arguments (Debian's python3 with ASE); returns its stdout parsed as JSON. */
export function python<T>(script: string, args: string[], cwd?: string): T {
  const out = execFileSync('/usr/bin/python3', ['-c', script, ...args], { cwd, encoding: 'utf8', maxBuffer: 256 << 20 });
  return JSON.parse(out) as T;
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'dptab-e2e-'));

/** The state the export tests compare against, read through the app's test hook (window.__app). */
export interface RunSnapshot {
  natoms: number;
  symbols: string[];
  cell: number[];
  recorded: number;
  step: number;
  time: number;
  coord: number[];
}

export async function runSnapshot(page: Page): Promise<RunSnapshot> {
  return page.evaluate(() => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const s = (window as any).__app.getState();
    const info = s.run.info;
    return {
      natoms: info.natoms, symbols: Array.from(info.atype as Int32Array, (t: number) => info.species[t] as string), cell: info.cell,
      recorded: s.run.stats.recorded, step: s.run.stats.step, time: s.run.stats.time, coord: Array.from(s.frame.coord as Float32Array),
    };
  });
}
