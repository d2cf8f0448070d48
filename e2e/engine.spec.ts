// The WebGPU DP-Tab engine in headless Chromium (SwiftShader) against the float64 CPU reference, through the
// self-check page gpu-check.html: every DeePMD-kit test vector of ../shared/deepmd/vectors, and MoS2
// configurations (pristine, thermally disordered, a Mo-S pair squeezed to 0.8-1.5 Å across the 1.0-1.2 Å blend
// window, an Ar atom 0.5 Å from S) on a synthetic DP-Tab. Acceptance: energy within 1e-5 relative, force error RMS
// within 1e-4 of the force RMS, virial within 1e-4 relative; compressed vs uncompressed forces below 1e-3 eV/Å RMS.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';

const VECTORS = join(process.env.DPTAB_SHARED ?? join(process.cwd(), '..', 'shared'), 'deepmd', 'vectors');

async function openCheck(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto('/gpu-check.html');
  await page.waitForFunction(() => 'dptabGpuCheck' in window);
  return errors;
}

test.describe('WebGPU engine vs float64 reference', () => {
  test.setTimeout(600_000);

  test('MoS2 configurations on a synthetic DP-Tab, uncompressed and compressed', async ({ page }) => {
    const errors = await openCheck(page);
    const r = await page.evaluate(() => window.dptabGpuCheck.mos2());
    console.log(`adapter ${r.adapter}; compile ${(r.compileMs / 1000).toFixed(1)} s; table error G ${r.compression?.maxErrorG.toExponential(2)}`);
    for (const c of r.cases) {
      console.log(`${c.label}: E rel ${c.energyRel.toExponential(2)}, F rms rel ${c.forceRmsRel.toExponential(2)} (F rms ${c.forceRms.toFixed(3)}), W rel ${c.virialRel.toExponential(2)}, compressed dF rms ${c.compressedForceRms.toExponential(2)} max ${c.compressedForceMax.toExponential(2)}`);
      expect.soft(c.energyRel, c.label).toBeLessThan(1e-5);
      expect.soft(c.forceRmsRel, c.label).toBeLessThan(1e-4);
      expect.soft(c.virialRel, c.label).toBeLessThan(1e-4);
      expect.soft(c.compressedForceRms, c.label).toBeLessThan(1e-3);
    }
    expect(r.cases.map((c) => c.label)).toContain('Ar 0.5 Å from an S atom');
    expect(r.compression?.withinTolerance).toBe(true);
    expect(errors).toEqual([]);
  });

  test('the paper-size architecture (embedding 25-50-100, axis 16, fitting 240x3), uncompressed and compressed', async ({ page }) => {
    const errors = await openCheck(page);
    const r = await page.evaluate(() => window.dptabGpuCheck.paperSize());
    for (const c of r.cases) {
      console.log(`paper size, ${c.label}: E rel ${c.energyRel.toExponential(2)}, F rms rel ${c.forceRmsRel.toExponential(2)}, W rel ${c.virialRel.toExponential(2)}, compressed dF rms ${c.compressedForceRms.toExponential(2)} max ${c.compressedForceMax.toExponential(2)}`);
      expect.soft(c.energyRel, c.label).toBeLessThan(1e-5);
      expect.soft(c.forceRmsRel, c.label).toBeLessThan(1e-4);
      expect.soft(c.virialRel, c.label).toBeLessThan(1e-4);
      expect.soft(c.compressedForceRms, c.label).toBeLessThan(1e-3);
    }
    expect(r.cases.length).toBe(2);
    expect(errors).toEqual([]);
  });

  test('DeePMD-kit test vectors', async ({ page }) => {
    test.skip(!existsSync(VECTORS), `no vectors at ${VECTORS}`);
    const errors = await openCheck(page);
    const files = readdirSync(VECTORS).filter((f) => f.endsWith('.json')).sort();
    const vs = files.map((f) => ({ file: f, ...JSON.parse(readFileSync(join(VECTORS, f), 'utf8')) }));
    const models: Record<string, number[]> = {};
    for (const v of vs) {
      const mf = v.model_file ?? 'models/deeppot.pbtxt';
      models[mf] ??= Array.from(readFileSync(join(VECTORS, mf)));
    }
    const reports = await page.evaluate(([vs, models]) => window.dptabGpuCheck.vectors(vs, models), [vs, models] as const);
    const cases = reports.flatMap((r) => r.cases);
    expect(cases.length).toBe(files.length);
    for (const c of cases) {
      console.log(`${c.label}: E rel ${c.energyRel.toExponential(2)}, F rms rel ${c.forceRmsRel.toExponential(2)}, W rel ${c.virialRel.toExponential(2)}`);
      expect.soft(c.energyRel, c.label).toBeLessThan(1e-5);
      expect.soft(c.forceRmsRel, c.label).toBeLessThan(1e-4);
      expect.soft(c.virialRel, c.label).toBeLessThan(1e-4);
    }
    expect(errors).toEqual([]);
  });
});
