import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { CLASSICAL, openApp, setUpRun, tempDir } from './helpers';

test('a yield sweep runs with progress, charts the points with error bars, exports CSV, and survives a reload', async ({ page }) => {
  const errors = await openApp(page);
  await setUpRun(page, { potential: CLASSICAL, species: 'Ar', energy: '500', polar: '0', nx: '5', ny: '3' });
  const panel = page.getByRole('region', { name: 'Batch: yield against energy' });
  await panel.getByLabel('Energies (eV)').fill('200, 2000');
  await panel.getByLabel('Impacts per energy').fill('3');
  await panel.getByLabel('Time per impact').fill('60');
  await panel.getByRole('button', { name: 'Start sweep' }).click();
  const status = page.getByTestId('batch-status');
  await expect(status).toHaveAttribute('data-status', 'running');
  await expect(status).toContainText(/impact \d of 3/);
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
  await expect(page.getByRole('progressbar', { name: 'Batch progress' })).toHaveAttribute('value', '6');

  const table = page.getByTestId('yield-table');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table.locator('tbody tr').first()).toContainText('200 eV');
  await expect(table.locator('tbody tr').nth(1)).toContainText('2 keV');
  await expect(panel.getByRole('img', { name: /yield against ion energy/ })).toBeVisible();
  const rows = await table.locator('tbody tr').allTextContents();

  const dir = tempDir();
  const dl = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Export CSV' }).click();
  const path = `${dir}/${(await dl).suggestedFilename()}`;
  await (await dl).saveAs(path);
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  expect(lines[0]).toMatch(/^species,energy_eV,yield_mean,yield_std_error,n,yield_S,yield_Mo/);
  expect(lines.length).toBe(3);
  const cells = lines.slice(1).map((l) => l.split(','));
  expect(cells.map((c) => [c[0], Number(c[1]), Number(c[4])])).toEqual([['Ar', 200, 3], ['Ar', 2000, 3]]);
  for (const c of cells) {
    const mean = Number(c[2]);
    expect(mean).toBeGreaterThanOrEqual(0);
    expect(Number(c[5]) + Number(c[6])).toBeCloseTo(mean, 9); // S + Mo yields add up to the total
    expect(rows.some((r) => r.includes(mean.toFixed(2)))).toBe(true);
  }

  // Kept across a reload.
  await page.reload();
  await expect(page.getByTestId('batch-status')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('yield-table').locator('tbody tr')).toHaveText(rows);
  expect(errors).toEqual([]);
});

test('a sweep can be cancelled, and bad energies are refused', async ({ page }) => {
  await openApp(page);
  await page.getByLabel('Potential').selectOption(CLASSICAL);
  const panel = page.getByRole('region', { name: 'Batch: yield against energy' });
  const energies = panel.getByLabel('Energies (eV)');
  await energies.fill('100, -3');
  await expect(energies).toHaveAccessibleDescription('Energies must be positive.');
  await expect(panel.getByRole('button', { name: 'Start sweep' })).toBeDisabled();
  await energies.fill('100, 1000, 10000');
  await panel.getByLabel('Impacts per energy').fill('50');
  await panel.getByRole('button', { name: 'Start sweep' }).click();
  await expect(page.getByTestId('batch-status')).toHaveAttribute('data-status', 'running');
  await panel.getByRole('button', { name: 'Cancel sweep' }).click();
  await expect(page.getByTestId('batch-status')).toHaveAttribute('data-status', 'cancelled');
  await expect(panel.getByRole('button', { name: 'Start sweep' })).toBeEnabled();
});

test('a PKA sweep: top-layer S recoiling straight out of the sheet leaves it, once per impact', async ({ page }) => {
  const errors = await openApp(page);
  await page.getByLabel('Potential').selectOption(CLASSICAL);
  await page.getByLabel('Cells along x').fill('4');
  await page.getByLabel('Cells along y').fill('3');
  await page.getByRole('radio', { name: 'PKA (recoil)' }).check();
  await page.getByLabel('Recoil atom').selectOption('S-top');
  await page.getByLabel('Polar angle').fill('0');
  const panel = page.getByRole('region', { name: 'Batch: yield against energy' });
  await expect(panel.getByText(/S-top PKAs nearest the cell centre, polar 0°, along the normal/)).toBeVisible();
  await panel.getByLabel('Energies (eV)').fill('60');
  await panel.getByLabel('Impacts per energy').fill('2');
  await panel.getByLabel('Time per impact').fill('100');
  await panel.getByRole('button', { name: 'Start sweep' }).click();
  await expect(page.getByTestId('batch-status')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  const table = page.getByTestId('yield-table');
  await expect(table.locator('thead')).toContainText('atoms/PKA');
  // 60 eV against an S binding of a few eV: the PKA itself is sputtered and nothing else
  await expect(table.locator('tbody tr')).toHaveText([/60 eV\s*1\.00 ± 0\.00\s*2/]);
  await expect(panel.getByRole('img', { name: /yield against PKA energy/ })).toBeVisible();
  expect(errors).toEqual([]);
});
