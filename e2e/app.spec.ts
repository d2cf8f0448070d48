import { test, expect, type Page } from '@playwright/test';
import { litFraction, openApp } from './helpers';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const WATER_MODEL = fixture('water_se_e2_a.json');
/** Binary fixtures made by the model-reader tests (test/fixtures/make_fixtures.sh): same water model. */
const unitFixture = (name: string) => fileURLToPath(new URL(`../test/fixtures/${name}`, import.meta.url));

/** The value cell of the summary row whose header matches `name`. */
function summaryRow(page: Page, name: RegExp) {
  return page.getByRole('table', { name: /model summary/i }).getByRole('row', { name }).getByRole('cell');
}

async function expectWaterSummary(page: Page, fileName = 'water_se_e2_a.json') {
  const table = page.getByRole('table', { name: /model summary/i });
  await expect(table).toBeVisible({ timeout: 60_000 });
  await expect(table).toHaveAccessibleName(new RegExp(fileName.replace('.', '\\.')));
  await expect(summaryRow(page, /type map|elements/i).first()).toContainText(/\bO\b.*\bH\b/);
  await expect(summaryRow(page, /^r\s*cut\b|^rcut\b|cut-?off/i).first()).toContainText(/\b6(\.0+)?\b/);
  await expect(summaryRow(page, /\bsel\b|neighbou?rs/i).first()).toContainText(/46\D+92/);
}

test('the page loads and reports the WebGPU adapter', async ({ page }) => {
  const errors = await openApp(page);
  const status = page.getByTestId('gpu-status');
  // Headless Chromium with --enable-unsafe-webgpu gets SwiftShader (a fallback adapter); a real GPU also passes.
  await expect(status).toHaveText(/^WebGPU: .+, fallback: (yes|no)$/, { timeout: 30_000 });
  await expect(status).not.toContainText(/unavailable/i);
  await expect(status).toHaveAttribute('data-state', 'ok');
  await expect(page.getByRole('region', { name: 'Compute device' })).toContainText(/Max storage binding/);
  expect(errors).toEqual([]);
});

test('the viewer draws the MoS2 sheet and switches camera presets', async ({ page }) => {
  const errors = await openApp(page);
  const legend = page.getByRole('list', { name: 'Atom colours' });
  await expect(legend).toContainText('Mo');
  await expect(legend).toContainText('S (top layer)');
  await expect(legend).toContainText('S (bottom layer)');

  // The WebGL canvas really shows atoms: count pixels that are far from the background colour.
  const canvas = page.locator('.viewer-canvas canvas');
  await expect(canvas).toBeVisible();
  await expect.poll(() => litFraction(page), { timeout: 30_000 }).toBeGreaterThan(0.02);

  const group = page.getByRole('group', { name: 'Camera view' });
  for (const name of ['Top', 'Side', 'Oblique']) {
    const button = group.getByRole('button', { name });
    await button.click();
    await expect(button).toHaveAttribute('aria-pressed', 'true');
  }
  // Edge-on, the sheet is a thin horizontal band: the top quarter of the view is empty. From the top it is not.
  await group.getByRole('button', { name: 'Side' }).click();
  await expect.poll(() => litFraction(page, 0, 0.25), { timeout: 10_000 }).toBeLessThan(0.002);
  expect(await litFraction(page, 0.4, 0.6)).toBeGreaterThan(0.1);
  await group.getByRole('button', { name: 'Top' }).click();
  await expect.poll(() => litFraction(page, 0, 0.25), { timeout: 10_000 }).toBeGreaterThan(0.05);
  expect(errors).toEqual([]);
});

test('a model chosen with the file input is loaded and summarised', async ({ page }, testInfo) => {
  const errors = await openApp(page);
  await expect(page.getByText('No model file loaded')).toBeVisible();
  await page.getByLabel('Model file').setInputFiles(WATER_MODEL);
  await expectWaterSummary(page);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Run', exact: true })).toContainText('DP-Tab (O, H)');
  // A water model cannot describe the MoS2 sheet: the panel says so.
  await expect(page.getByTestId('model-coverage')).toContainText('the sample also needs Mo, S');
  await expect(summaryRow(page, /^parameters/i)).toHaveText(/^[1-9][\d,]*$/);
  await page.screenshot({ path: testInfo.outputPath('model-loaded.png') });
  expect(errors).toEqual([]);
});

test('an invalid file shows an error and the app stays usable', async ({ page }, testInfo) => {
  const errors = await openApp(page);
  const input = page.getByLabel('Model file');
  await input.setInputFiles({ name: 'model.pb', mimeType: 'application/octet-stream', buffer: randomBytes(4096) });
  const alert = page.getByRole('alert');
  await expect(alert).toBeVisible({ timeout: 60_000 });
  await expect(alert).toContainText('Could not load model.pb');
  // The message says something beyond the title (what was found / what is supported).
  const message = (await alert.locator('.error-message').textContent()) ?? '';
  expect(message.trim().length).toBeGreaterThan(10);
  await expect(page.getByRole('table', { name: /model summary/i })).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('model-error.png') });

  // Still usable: the camera responds and a valid model loads afterwards, clearing the error.
  await page.getByRole('button', { name: 'Top' }).click();
  await expect(page.getByRole('button', { name: 'Top' })).toHaveAttribute('aria-pressed', 'true');
  await input.setInputFiles(WATER_MODEL);
  await expectWaterSummary(page);
  await expect(page.getByRole('alert')).toHaveCount(0);

  // A bad file after a good one keeps the good model in use and says so.
  await input.setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"model": ') });
  await expect(page.getByRole('alert')).toContainText('Could not load broken.json');
  await expect(page.getByRole('alert')).toContainText('Still using water_se_e2_a.json');
  await expect(page.getByRole('table', { name: /model summary/i })).toBeVisible();
  expect(errors).toEqual([]);
});

const FORMATS: [string, string][] = [
  ['water_se_e2_a.pbtxt', fixture('water_se_e2_a.pbtxt')],
  ['water_se_e2_a.yaml', fixture('water_se_e2_a.yaml')],
  // Binary GraphDef (protobufjs) and HDF5 (h5wasm, WebAssembly inside the worker under the page's CSP).
  ['deeppot.pb', unitFixture('deeppot.pb')],
  ['deeppot_dpmodel.dp', unitFixture('deeppot_dpmodel.dp')],
];
for (const [name, path] of FORMATS) {
  test(`the same model as .${name.split('.').pop()} gives the same summary`, async ({ page }) => {
    const errors = await openApp(page);
    await page.getByLabel('Model file').setInputFiles(path);
    await expectWaterSummary(page, name);
    await expect(page.getByRole('alert')).toHaveCount(0);
    expect(errors).toEqual([]);
  });
}

test('a model file dropped on the Model panel is loaded', async ({ page }) => {
  await openApp(page);
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(WATER_MODEL, 'utf8');
  const dataTransfer = await page.evaluateHandle((json) => {
    const dt = new DataTransfer();
    dt.items.add(new File([json], 'water_se_e2_a.json', { type: 'application/json' }));
    return dt;
  }, text);
  const panel = page.getByTestId('model-panel');
  await panel.dispatchEvent('dragenter', { dataTransfer });
  await panel.dispatchEvent('dragover', { dataTransfer });
  await panel.dispatchEvent('drop', { dataTransfer });
  await expectWaterSummary(page);
});
