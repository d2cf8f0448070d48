import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { CLASSICAL, litFraction, openApp, runStatus, setUpRun, tempDir } from './helpers';

test('every control has an accessible name', async ({ page }) => {
  await openApp(page);
  // Show the optional controls too: PKA mode, a fixed impact point.
  await page.getByLabel('Random impact point (seeded)').uncheck();
  await expect(page.getByLabel('Impact x')).toBeVisible();
  for (const mode of ['Ion', 'PKA (recoil)']) {
    await page.getByRole('radio', { name: mode }).check();
    const controls = page.locator('input, select, button, textarea');
    const n = await controls.count();
    expect(n).toBeGreaterThan(25);
    for (let i = 0; i < n; i++) await expect(controls.nth(i)).toHaveAccessibleName(/\S/);
  }
});

test('invalid inputs are refused at the control with a message, and Run stays disabled until fixed', async ({ page }) => {
  const errors = await openApp(page);
  // The classical engine's fixed supercell limit (a DP model's depends on the adapter).
  await page.getByLabel('Potential').selectOption(CLASSICAL);
  const run = page.getByRole('button', { name: 'Run', exact: true });
  await expect(run).toBeEnabled();

  const cases: [string, string, RegExp][] = [
    ['Energy', '-5', /energy must be positive/i],
    ['Polar angle', '95', /polar angle must be at least 0° and below 89°/i],
    ['Azimuth', '400', /azimuth must be at least 0° and below 360°/i],
    ['Cells along x', '500', /cell count must be between 1 and 200/i],
    ['Temperature', 'hot', /enter a number/i],
    ['Time limit', '0', /time limit must be positive/i],
  ];
  for (const [label, bad, message] of cases) {
    const input = page.getByLabel(label, { exact: true });
    const good = await input.inputValue();
    await input.fill(bad);
    await expect(input).toHaveAttribute('aria-invalid', 'true');
    await expect(input).toHaveAccessibleDescription(message);
    await expect(run).toBeDisabled();
    await expect(page.getByTestId('settings-errors')).toContainText(message);
    // The last good value is what a run would use.
    await input.fill(good);
    await expect(input).not.toHaveAttribute('aria-invalid', 'true');
    await expect(run).toBeEnabled();
  }
  // A supercell beyond what the engine handles: refused at the control that makes it too large.
  await page.getByLabel('Cells along y').fill('100');
  await expect(run).toBeEnabled();
  await page.getByLabel('Cells along x').fill('100');
  await expect(page.getByLabel('Cells along x')).toHaveAccessibleDescription(/60,000 atoms, more than this engine handles \(30,000\)/);
  await expect(run).toBeDisabled();
  await page.getByLabel('Cells along x').fill('8');
  await page.getByLabel('Cells along y').fill('5');
  await expect(run).toBeEnabled();
  // A supercell within the limit again, and the energy slider and unit keep the value consistent.
  await page.getByLabel('Energy unit').selectOption('keV');
  await page.getByLabel('Energy', { exact: true }).fill('2');
  await expect(page.getByLabel('Energy (logarithmic slider)')).toHaveAttribute('aria-valuetext', '2000 eV');
  expect(errors).toEqual([]);
});

test('the view is saved as a PNG and recorded as WebM video during a run', async ({ page }) => {
  const errors = await openApp(page);
  const dir = tempDir();
  await expect.poll(() => litFraction(page), { timeout: 30_000 }).toBeGreaterThan(0.02); // the view is drawn
  const png = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save PNG' }).click();
  const pngPath = `${dir}/${(await png).suggestedFilename()}`;
  await (await png).saveAs(pngPath);
  const p = readFileSync(pngPath);
  expect(p.subarray(1, 4).toString('latin1')).toBe('PNG');
  const [w, h] = [p.readUInt32BE(16), p.readUInt32BE(20)];
  const size = await page.locator('.viewer-canvas canvas').evaluate((c: HTMLCanvasElement) => [c.width, c.height]);
  expect([w, h]).toEqual(size);
  expect(w).toBeGreaterThan(400);

  await setUpRun(page, { potential: CLASSICAL, species: 'Xe', energy: '3000', polar: '30', nx: '6', ny: '4', timeFs: '400', stepsPerFrame: '5' });
  await page.getByRole('button', { name: 'Record video' }).click();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(runStatus(page)).toHaveAttribute('data-status', 'ended', { timeout: 120_000 });
  const webm = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Stop video' }).click();
  const webmPath = `${dir}/${(await webm).suggestedFilename()}`;
  await (await webm).saveAs(webmPath);
  const v = readFileSync(webmPath);
  expect(v.readUInt32BE(0)).toBe(0x1a45dfa3); // EBML (Matroska/WebM) magic
  expect(v.length).toBeGreaterThan(2000);
  expect(webmPath).toMatch(/\.webm$/);
  expect(errors).toEqual([]);
});
