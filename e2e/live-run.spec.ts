import { test, expect } from '@playwright/test';
import { CLASSICAL, litFraction, openApp, runStatus, setUpRun, viewThumb } from './helpers';

test('a new user picks the classical baseline, runs S at 500 eV at normal incidence, and the run ends with damage counted', async ({ page }) => {
  const errors = await openApp(page);
  // The default is the built-in DP-Tab model; the classical baseline is built in too (nothing to load) and fast here.
  await expect(page.getByLabel('Potential')).toHaveValue('dptab-builtin');
  await setUpRun(page, { potential: CLASSICAL, species: 'S', energy: '500', polar: '0', nx: '8', ny: '5', timeFs: '300' });
  await expect(page.getByTestId('supercell-size')).toContainText('240 atoms');
  await page.getByRole('button', { name: 'Top' }).click();
  await expect.poll(() => litFraction(page), { timeout: 30_000 }).toBeGreaterThan(0.05);
  const before = await viewThumb(page);

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(runStatus(page)).toHaveAttribute('data-status', /running|ended/, { timeout: 60_000 });
  // Counters fill in while it runs, and the run stops by itself at the time limit.
  await expect(page.getByTestId('count-vacancies')).not.toHaveText('–', { timeout: 60_000 });
  await expect(runStatus(page)).toHaveAttribute('data-status', 'ended', { timeout: 120_000 });
  await expect(runStatus(page)).toContainText('Finished');
  await expect(page.getByTestId('sim-time')).toHaveText(/^30\d\.\d fs$/);
  await expect(page.getByRole('progressbar', { name: 'Run progress' })).toHaveAttribute('value', '1');

  // The 3D view changed: the ion (and any sputtered atom, trail and vacancy marks) is drawn.
  const after = await viewThumb(page);
  const changed = after.filter((v, i) => Math.abs(v - before[i]) > 30).length;
  expect(changed).toBeGreaterThan(5);

  // The app's state agrees with the counters.
  const state = await page.evaluate(() => {
    const s = (window as unknown as { __app: { getState(): any } }).__app.getState();
    return { natoms: s.run.info.natoms, damage: s.run.damage, step: s.run.stats.step, recorded: s.run.stats.recorded, species: s.run.info.species };
  });
  expect(state.natoms).toBe(241);
  expect(state.species).toEqual(['Mo', 'S']);
  await expect(page.getByTestId('count-sputtered-top-s')).toHaveText(String(state.damage.sputtered.topS));
  await expect(page.getByTestId('count-sputtered-mo')).toHaveText(String(state.damage.sputtered.Mo));
  expect(state.damage.vacancies.total).toBeGreaterThan(0);
  expect(state.recorded).toBe(Math.ceil(state.step / 10) + 1);
  await expect(page.getByTestId('frames-stored')).toHaveText(String(state.recorded));

  // Deterministic (fixed seed, fixed camera, render on demand): the final view and the counters match the baselines.
  await expect(page.locator('.viewer-canvas canvas')).toHaveScreenshot('s-500ev-top-final.png', { maxDiffPixelRatio: 0.02 });
  await expect(page.getByTestId('damage-counters')).toHaveScreenshot('s-500ev-counters.png', { maxDiffPixelRatio: 0.02 });
  expect(errors).toEqual([]);
});
