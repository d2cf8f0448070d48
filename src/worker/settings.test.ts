// The supercell limit at the control: the classical engines' fixed limit, the DP CPU reference's, and a loaded DP
// model's limit on the WebGPU engine from the adapter's buffer sizes.
import { describe, expect, it } from 'vitest';
import { PAPER_SIZE, syntheticMoS2DpTab } from '../model/synthetic';
import { gpuMaxAtoms } from '../potential/webgpu/engine';
import { CPU_DP_MAX_ATOMS, maxAtomsFor, supercellMessage } from './settings';

describe('supercell limits', () => {
  it('uses the loaded model limit for DP runs and refuses larger sheets with the numbers', () => {
    expect(maxAtomsFor('loaded')).toBe(CPU_DP_MAX_ATOMS);
    expect(maxAtomsFor('loaded', 20_000)).toBe(20_000);
    expect(maxAtomsFor('sw-wen2017', 20_000)).toBe(30_000);
    expect(supercellMessage(40, 40, 'loaded', 20_000)).toBeNull(); // 9600 atoms
    expect(supercellMessage(60, 60, 'loaded', 20_000)).toMatch(/21,600 atoms, more than this engine handles \(20,000\)/);
  });

  it('derives the GPU limit from the adapter buffer sizes (paper-size model)', () => {
    const m = syntheticMoS2DpTab(PAPER_SIZE);
    const big = gpuMaxAtoms(m, { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30 });
    const small = gpuMaxAtoms(m, { maxStorageBufferBindingSize: 2 ** 27, maxBufferSize: 2 ** 28 });
    expect(small).toBeGreaterThan(10_000); // WebGPU's default 128 MiB binding still holds a 10k-atom sheet
    expect(big / small).toBeCloseTo(8, 1);
  });
});
