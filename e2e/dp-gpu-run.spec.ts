// A DP-Tab model loaded from a file runs on the WebGPU engine in the simulation worker (SwiftShader here).
// Fixture: e2e/fixtures/mos2-synthetic-small.json = modelToJson(syntheticMoS2DpTab(SMALL_SIZE)) (src/model/synthetic.ts,
// src/model/v3/write.ts): a small Mo/S DP-Tab with random weights and a ZBL table.
import { expect, test } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { openApp, runStatus, setUpRun } from './helpers';

const MODEL = fileURLToPath(new URL('./fixtures/mos2-synthetic-small.json', import.meta.url));

test('a loaded DP-Tab model runs a cascade on the WebGPU engine, with and without the tabulated embedding', async ({ page }) => {
  test.setTimeout(540_000);
  const errors = await openApp(page);
  await page.getByLabel('Model file').setInputFiles(MODEL);
  await expect(page.getByRole('region', { name: 'Run', exact: true })).toContainText('DP-Tab (Mo, S)', { timeout: 60_000 });
  await setUpRun(page, { potential: 'loaded', species: 'Ar', energy: '100', polar: '0', nx: '3', ny: '3', timeFs: '10' });
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(runStatus(page)).toHaveAttribute('data-status', 'ended', { timeout: 240_000 });
  const run = page.getByRole('region', { name: 'Run', exact: true });
  await expect(run).toContainText('WebGPU f32, compressed');
  // The switch turns the tables off: the next run evaluates the embedding nets themselves.
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.getByLabel('Tabulated embedding nets (dp compress)').uncheck();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(runStatus(page)).toHaveAttribute('data-status', 'ended', { timeout: 240_000 });
  await expect(run).toContainText('WebGPU f32, uncompressed');
  expect(errors.filter((e) => !/WebGPU engine unavailable/.test(e))).toEqual([]);
});
