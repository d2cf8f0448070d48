import { test, expect } from '@playwright/test';
import { CLASSICAL, openApp, runStatus, setUpRun } from './helpers';

const steps = async (page: import('@playwright/test').Page) => Number((await page.getByTestId('sim-steps').textContent())?.replace(/,/g, ''));

test('run, pause, single step, resume and reset drive the live simulation', async ({ page }) => {
  const errors = await openApp(page);
  await setUpRun(page, { potential: CLASSICAL, species: 'S', energy: '500', polar: '0', nx: '6', ny: '4', timeFs: '5000', stepsPerFrame: '5' });
  const button = (name: string) => page.getByRole('group', { name: 'Run', exact: true }).getByRole('button', { name, exact: true });

  // Step from idle prepares the run and advances exactly one MD step.
  await button('Step').click();
  await expect(runStatus(page)).toHaveAttribute('data-status', 'paused', { timeout: 60_000 });
  await expect(page.getByTestId('sim-steps')).toHaveText('1');
  await expect(page.getByRole('list', { name: 'Atom colours' })).toContainText('Ion (S)');
  // The sample controls are locked while a run is live.
  await expect(page.getByLabel('Cells along x')).toBeDisabled();

  await button('Resume').click();
  await expect(runStatus(page)).toHaveAttribute('data-status', 'running');
  await expect.poll(() => steps(page), { timeout: 60_000 }).toBeGreaterThan(30);
  await button('Pause').click();
  await expect(runStatus(page)).toHaveAttribute('data-status', 'paused');
  const paused = await steps(page);
  await page.waitForTimeout(500);
  expect(await steps(page)).toBe(paused); // really stopped
  await button('Step').click();
  await expect.poll(() => steps(page)).toBe(paused + 1);

  await button('Reset').click();
  await expect(runStatus(page)).toHaveAttribute('data-status', 'idle');
  await expect(page.getByTestId('sim-steps')).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'Atom colours' })).not.toContainText('Ion');
  await expect(page.getByLabel('Cells along x')).toBeEnabled();
  expect(errors).toEqual([]);
});

test('clicking the sheet sets the impact point the run then uses', async ({ page }) => {
  const errors = await openApp(page);
  await setUpRun(page, { potential: CLASSICAL, species: 'Ar', energy: '300', polar: '0', nx: '6', ny: '4', timeFs: '20' });
  await page.getByRole('button', { name: 'Top' }).click();
  await expect(page.getByLabel('Random impact point (seeded)')).toBeChecked();
  const canvas = page.locator('.viewer-canvas canvas');
  const box = (await canvas.boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect(page.getByLabel('Random impact point (seeded)')).not.toBeChecked();
  const x = Number(await page.getByLabel('Impact x').inputValue());
  const y = Number(await page.getByLabel('Impact y').inputValue());
  // The centre of the view is the centre of the 19.2 x 22.1 Å cell.
  expect(x).toBeGreaterThan(7);
  expect(x).toBeLessThan(12);
  expect(y).toBeGreaterThan(8);
  expect(y).toBeLessThan(14);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(runStatus(page)).toHaveAttribute('data-status', 'ended', { timeout: 60_000 });
  const impact = await page.evaluate(() => (window as unknown as { __app: { getState(): { run: { info: { impact: number[] } } } } }).__app.getState().run.info.impact);
  expect(impact).toEqual([x, y]);
  expect(errors).toEqual([]);
});
