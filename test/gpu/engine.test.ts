// The WebGPU engine in Node (Dawn on SwiftShader here, a real GPU where one exists): the neighbour-list skin and
// rebuilds, neighbour overflow beyond sel, list-capacity growth, systems beyond the adapter's limits, impossible
// configurations, and `eval --backend webgpu` on a DeePMD-kit vector. The accuracy acceptance over all vectors and
// the MoS2 cases runs in Chromium (e2e/engine.spec.ts); the same checks here use the same metrics.
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_SIZE, syntheticMoS2DpTab } from '../../src/model/synthetic.ts';
import { DpCpuPotential } from '../../src/potential/cpu/dpPotential.ts';
import { nodeGpuContext } from '../../src/potential/webgpu/nodeGpu.ts';
import { WebGpuDpPotential } from '../../src/potential/webgpu/engine.ts';
import { compareResults, mos2CheckCases } from '../../src/potential/webgpu/selfCheck.ts';
import { PotentialRangeError, type System } from '../../src/potential/types.ts';
import { makeRng } from '../../src/md/random.ts';
import { runCascade } from '../../src/md/cascade.ts';
import { HAVE_SHARED, readVector, ROOT, VECTORS } from '../helpers.ts';

const model = syntheticMoS2DpTab(SMALL_SIZE);
const ref = new DpCpuPotential(model);
let gpu: WebGpuDpPotential;

beforeAll(async () => {
  gpu = await WebGpuDpPotential.create(await nodeGpuContext(), model, { compress: false });
}, 300_000);
afterAll(() => gpu?.dispose());

const clone = (s: System): System => ({ ...s, coord: Float64Array.from(s.coord), atype: Int32Array.from(s.atype) });
const expectMatch = (label: string, g: Awaited<ReturnType<WebGpuDpPotential['compute']>>, s: System) => {
  const c = compareResults(label, g, ref.compute(s));
  expect(c.energyRel, label).toBeLessThan(1e-5);
  expect(c.forceRmsRel, label).toBeLessThan(1e-4);
  expect(c.virialRel, label).toBeLessThan(1e-4);
};

describe('WebGPU engine (Node, Dawn)', () => {
  it('reuses the neighbour list within half the skin and rebuilds beyond it or after a wrap', async () => {
    const base = mos2CheckCases()[1].system;
    const rng = makeRng(3);
    await gpu.compute(base);
    const before = gpu.rebuilds;
    const moved = clone(base);
    for (let q = 0; q < moved.coord.length; q++) moved.coord[q] += 0.12 * (rng.uniform() - 0.5);
    expectMatch('small moves, old list', await gpu.compute(moved), moved);
    expect(gpu.rebuilds).toBe(before);
    // An atom wrapped back by a cell vector (as an integrator may do): a jump of a whole period forces a rebuild.
    const wrapped = clone(moved);
    wrapped.coord[0] += wrapped.cell![0];
    expectMatch('wrapped atom', await gpu.compute(wrapped), wrapped);
    expect(gpu.rebuilds).toBe(before + 1);
    const far = clone(moved);
    far.coord[5] += 0.6;
    expectMatch('one atom beyond half the skin', await gpu.compute(far), far);
    expect(gpu.rebuilds).toBe(before + 2);
  });

  it('keeps the nearest neighbours per type beyond sel and says so; grows the list capacity when needed', async () => {
    // The (thermally disordered: no distance ties at the cut) sheet squeezed in-plane to 60%: far more neighbours
    // than sel (12 Mo, 24 S) within 5 Å.
    const dense = clone(mos2CheckCases()[1].system);
    for (let q = 0; q < dense.coord.length; q++) if (q % 3 !== 2) dense.coord[q] *= 0.6;
    dense.cell = Float64Array.from(dense.cell!, (x, k) => (k < 6 ? x * 0.6 : x));
    const g = await gpu.compute(dense);
    expect(g.warnings.join(' ')).toMatch(/neighbours of type S beyond sel\[1\] = 24 were dropped/);
    expect(g.warnings).toEqual(ref.compute(dense).warnings);
    expectMatch('dense', g, dense);
  });

  it('refuses a system beyond the adapter limits with the largest size that fits', async () => {
    const ctx = await nodeGpuContext();
    const small = { ...ctx, limits: { ...ctx.limits, maxStorageBufferBindingSize: 64 * 1024 } };
    const p = await WebGpuDpPotential.create(small, model, { compress: false });
    try {
      const err = await p.compute(mos2CheckCases({ nx: 8, ny: 6 })[0].system).catch((e) => e);
      expect(err).toBeInstanceOf(PotentialRangeError);
      expect(String(err.message)).toMatch(/more than this adapter allows .*the largest system that fits is about \d+ atoms/);
    } finally {
      p.dispose();
    }
  });

  it('gives the same forces when the embedding runs in many small row chunks (small workgroup memory)', async () => {
    const ctx = await nodeGpuContext();
    const tiny = { ...ctx, limits: { ...ctx.limits, maxComputeWorkgroupStorageSize: 2048 } };
    const p = await WebGpuDpPotential.create(tiny, model, { compress: false });
    try {
      const s = mos2CheckCases()[1].system;
      expectMatch('row chunks of 4', await p.compute(s), s);
    } finally {
      p.dispose();
    }
  });

  it('refuses two atoms on top of each other', async () => {
    const s = clone(mos2CheckCases()[0].system);
    s.coord.set(s.coord.subarray(0, 3), 3);
    await expect(gpu.compute(s)).rejects.toThrow(/closer than 0.02 Å/);
  });

  it('drives a cascade like the CPU reference (100 eV Ar into a 54-atom sheet, NVE, dt/reset)', async () => {
    const run = (potential: typeof ref | WebGpuDpPotential) => runCascade({
      potential, nx: 3, ny: 3, lattice: { a: 3.18, t: 3.12 }, seed: 5, time: 0.012, thermostat: null, sampleEvery: 5,
      projectile: { kind: 'ion', species: 'Ar', energy: 100, polar: 0, azimuth: 0, impact: [1.0, 1.5], height: 1.5 },
      dtReset: { every: 1, tmin: 1e-7, tmax: 1e-3, xmax: 0.05 },
    });
    const [g, c] = [await run(gpu), await run(ref)];
    const eg = g.energy.at(-1)!, ec = c.energy.at(-1)!;
    console.log(`cascade GPU vs CPU: ${g.steps} / ${c.steps} steps, final PE ${eg.pe.toFixed(4)} / ${ec.pe.toFixed(4)} eV, KE ${eg.ke.toFixed(4)} / ${ec.ke.toFixed(4)} eV, drift GPU ${g.maxAbsDrift.toExponential(2)} / CPU ${c.maxAbsDrift.toExponential(2)} eV`);
    expect(Math.min(...c.energy.map((e) => e.ke))).toBeLessThan(90); // the ion hit the sheet
    expect(g.steps).toBe(c.steps);
    expect(Math.abs(eg.time - ec.time)).toBeLessThan(1e-4 * ec.time);
    expect(Math.abs(eg.total - ec.total)).toBeLessThan(1e-3);
    // Same trajectory, same bookkeeping: the drift (plain dt/reset through the table-blend window) is the CPU's.
    expect(Math.abs(g.maxAbsDrift - c.maxAbsDrift)).toBeLessThan(1e-2);
  }, 300_000);

  it.skipIf(!HAVE_SHARED)('eval --backend webgpu prints the same JSON as DeePMD-kit within float32 accuracy', () => {
    const v = readVector('se_e2_a_deeppot_pbc.json');
    const dir = mkdtempSync(join(tmpdir(), 'gpu-eval-'));
    writeFileSync(join(dir, 'cfg.json'), JSON.stringify({ coord: v.coord, box: v.box, atype: v.atype }));
    const out = execFileSync('npx', ['tsx', 'src/cli/main.ts', 'eval', '--model', join(VECTORS, v.model_file!), '--config', join(dir, 'cfg.json'), '--backend', 'webgpu'], { cwd: ROOT, encoding: 'utf8' });
    const r = JSON.parse(out);
    expect(Math.abs(r.energy - v.expected_energy) / Math.abs(v.expected_energy)).toBeLessThan(1e-5);
    let e2 = 0, f2 = 0;
    v.expected_force.forEach((f, q) => { e2 += (r.force[q] - f) ** 2; f2 += f * f; });
    expect(Math.sqrt(e2 / f2)).toBeLessThan(1e-4);
  }, 300_000);
});
