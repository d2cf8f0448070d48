import { test, expect } from '@playwright/test';
import { CLASSICAL, exportFrom, openApp, python, runStatus, setUpRun, tempDir } from './helpers';

const COUNT = `
import sys, json, ase.io
frames = ase.io.read(sys.argv[1], index=':')
print(json.dumps({'frames': len(frames), 'natoms': len(frames[-1]), 'time': frames[-1].info['time']}))
`;

test('reloading during a run keeps the partial trajectory, which the app offers for export', async ({ page }) => {
  const errors = await openApp(page);
  // A run far longer than the test waits for.
  await setUpRun(page, { potential: CLASSICAL, species: 'Ar', energy: '1000', polar: '0', nx: '6', ny: '4', timeFs: '20000', stepsPerFrame: '5' });
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(runStatus(page)).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await expect.poll(async () => Number(await page.getByTestId('frames-stored').textContent()), { timeout: 60_000 }).toBeGreaterThanOrEqual(8);
  const runId = await page.evaluate(() => (window as unknown as { __app: { getState(): { run: { info: { runId: string } } } } }).__app.getState().run.info.runId);

  await page.reload();
  await expect(page.getByRole('heading', { name: 'DP-Tab cascade' })).toBeVisible();
  // The interrupted run is listed (the old worker may hold the file for a moment after the reload).
  const item = page.locator(`[data-testid="saved-run"][data-run-id="${runId}"]`);
  await expect.poll(async () => {
    await page.getByRole('button', { name: 'Refresh list' }).click();
    return item.count();
  }, { timeout: 30_000 }).toBe(1);
  await expect(item.getByTestId('saved-run-state')).toHaveText('interrupted');
  await expect(item).toContainText('Ar ion 1 keV');
  const frames = Number(/(\d+) frames/.exec((await item.textContent()) ?? '')?.[1]);
  expect(frames).toBeGreaterThanOrEqual(8);

  const dir = tempDir();
  const [xyz] = await exportFrom(item, page, 'Extended XYZ', dir);
  const r = python<{ frames: number; natoms: number; time: number }>(COUNT, [xyz]);
  expect(r.frames).toBe(frames);
  expect(r.natoms).toBe(145);
  expect(r.time).toBeGreaterThan(0);
  expect(r.time).toBeLessThan(20);
  // The app is usable after the reload: the idle controls are enabled and a new run can start (once the built-in
  // default model has loaded again).
  await expect(runStatus(page)).toHaveAttribute('data-status', 'idle');
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled({ timeout: 60_000 });
  expect(errors).toEqual([]);
});
