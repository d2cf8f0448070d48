// The supercell limit at the control: the classical engines' fixed limit, the DP CPU reference's, and a loaded DP
// model's limit on the WebGPU engine from the adapter's buffer sizes.
import { describe, expect, it } from 'vitest';
import { PAPER_SIZE, syntheticMoS2DpTab } from '../model/synthetic';
import { gpuMaxAtoms } from '../potential/webgpu/engine';
import { CPU_DP_MAX_ATOMS, DEFAULT_SETTINGS, isDpChoice, maxAtomsFor, MODEL_CHOICES, supercellMessage, validateSettings, type SimSettings } from './settings';

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

describe('model choices', () => {
  const MOS2 = { typeMap: ['Mo', 'S'], maxAtoms: 5000 };
  const withModel = (model: SimSettings['model'], patch: Partial<SimSettings['sample']> = {}): SimSettings =>
    ({ ...DEFAULT_SETTINGS, model, sample: { ...DEFAULT_SETTINGS.sample, ...patch } });

  it('offers the built-in DP-Tab model first and starts on it', () => {
    expect(MODEL_CHOICES.map((c) => c.id)).toEqual(['dptab-builtin', 'sw-wen2017', 'sw-jiang2015', 'loaded']);
    expect(MODEL_CHOICES[0].label).toMatch(/DP-Tab MoS2 \(built-in/);
    expect(DEFAULT_SETTINGS.model).toBe('dptab-builtin');
    expect(MODEL_CHOICES.filter((c) => isDpChoice(c.id)).map((c) => c.id)).toEqual(['dptab-builtin', 'loaded']);
  });

  it('refuses a DP choice until its model is held, and one without Mo or S, naming which model', () => {
    expect(validateSettings(DEFAULT_SETTINGS, null).model).toMatch(/built-in DP-Tab model is not loaded.*classical baseline/);
    expect(validateSettings(DEFAULT_SETTINGS, MOS2)).toEqual({});
    expect(validateSettings(withModel('loaded'), null).model).toMatch(/No model file is loaded/);
    expect(validateSettings(withModel('loaded'), { typeMap: ['O', 'H'] }).model).toMatch(/loaded model has type_map \[O, H\], without Mo and S/);
    // The classical baselines need no model: a DP model's absence or its facts do not matter to them.
    expect(validateSettings(withModel('sw-wen2017'), null)).toEqual({});
    expect(validateSettings(withModel('sw-jiang2015', { nx: 40, ny: 40 }), MOS2)).toEqual({});
  });

  it('limits the sheet of either DP choice by its own model, the classical ones by theirs', () => {
    expect(maxAtomsFor('dptab-builtin', 12_345)).toBe(12_345);
    expect(maxAtomsFor('dptab-builtin')).toBe(CPU_DP_MAX_ATOMS);
    expect(validateSettings(withModel('dptab-builtin', { nx: 40, ny: 40 }), MOS2)['sample.nx']).toMatch(/9,600 atoms, more than this engine handles \(5,000\)/);
    expect(validateSettings(withModel('dptab-builtin', { nx: 40, ny: 40 }), { ...MOS2, maxAtoms: 20_000 })['sample.nx']).toBeUndefined();
  });
});
