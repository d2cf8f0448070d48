// The same model read from every format gives identical results: .pbtxt (text GraphDef), .pb (binary GraphDef
// encoded by Google's protoc), v3 .json/.yaml (DeePMD-kit's own serialisation), .dp (HDF5 written by h5py), and our
// own .json/.yaml export read back.
import { describe, expect, it } from 'vitest';
import { loadModelFile } from '../../src/model/load.ts';
import { attachPairTable, zblTableRows } from '../../src/model/pairtable.ts';
import { summarizeModel } from '../../src/model/summary.ts';
import type { DpModel } from '../../src/model/types.ts';
import { modelToJson, modelToYaml } from '../../src/model/v3/write.ts';
import { evaluateDp } from '../../src/potential/cpu/dp.ts';
import { fixture, HAVE_SHARED, loadShared, maxAbsDiff, readVector } from '../helpers.ts';

const enc = new TextEncoder();

function run(m: DpModel, file = 'se_e2_a_deeppot_pbc.json') {
  const v = readVector(file);
  return evaluateDp(m, { coord: Float64Array.from(v.coord), atype: Int32Array.from(v.atype), cell: v.box ? Float64Array.from(v.box) : null, pbc: [true, true, true] });
}

function expectSame(a: ReturnType<typeof run>, b: ReturnType<typeof run>, tol = 0) {
  expect(Math.abs(a.energy - b.energy)).toBeLessThanOrEqual(tol);
  expect(maxAbsDiff(a.atomEnergy, b.atomEnergy)).toBeLessThanOrEqual(tol);
  expect(maxAbsDiff(a.force, b.force)).toBeLessThanOrEqual(tol);
  expect(maxAbsDiff(a.atomVirial, b.atomVirial)).toBeLessThanOrEqual(tol);
}

describe.skipIf(!HAVE_SHARED)('model formats', () => {
  it('binary .pb (protoc-encoded) equals .pbtxt exactly, se_e2_a and se_e2_r', async () => {
    const text = await loadShared('models/deeppot.pbtxt');
    const bin = await loadModelFile(fixture('deeppot.pb'), 'deeppot.pb');
    expect(bin.source.format).toBe('pb');
    expectSame(run(text), run(bin));
    const textR = await loadShared('models/deeppot-r.pbtxt');
    const binR = await loadModelFile(fixture('deeppot-r.pb'), 'deeppot-r.pb');
    expectSame(run(textR, 'se_e2_r_deeppot_r_pbc.json'), run(binR, 'se_e2_r_deeppot_r_pbc.json'));
  });

  it('v3 .dp (HDF5 written by h5py) equals v3 .json and .yaml', async () => {
    const json = await loadShared('models/deeppot_dpmodel.json');
    const yaml = await loadShared('models/deeppot_dpmodel.yaml');
    const dp = await loadModelFile(fixture('deeppot_dpmodel.dp'), 'deeppot_dpmodel.dp');
    expect(dp.source.format).toBe('dp');
    expectSame(run(json), run(dp));
    expectSame(run(json), run(yaml));
  });

  it('TF-origin models written as .json and .yaml and read back give identical results', async () => {
    for (const [file, vec] of [['models/deeppot.pbtxt', 'se_e2_a_deeppot_pbc.json'], ['models/deeppot-r.pbtxt', 'se_e2_r_deeppot_r_pbc.json']]) {
      const m = await loadShared(file);
      for (const [name, text] of [['x.json', modelToJson(m)], ['x.yaml', modelToYaml(m)]]) {
        const back = await loadModelFile(enc.encode(text), name);
        expectSame(run(m, vec), run(back, vec));
        expect(summarizeModel(back).sel).toEqual(summarizeModel(m).sel);
      }
    }
  });

  it('a DP-Tab model (DP + pair table) round-trips through the v3 "zbl" form', async () => {
    const base = await loadShared('models/deeppot.pbtxt');
    const m = attachPairTable({ ...base, typeMap: ['Mo', 'S'] }, zblTableRows(['Mo', 'S'], 6, 0.05, 0.005), { swRmin: 1.0, swRmax: 1.2, alpha: 0.1 });
    const v = readVector('se_e2_a_deeppot_pbc.json');
    const coord = Float64Array.from(v.coord);
    coord.set([coord[0] + 1.05, coord[1], coord[2]], 3 * 1); // atom 1 at 1.05 Å from atom 0: inside the switch window
    const cfg = { coord, atype: Int32Array.from(v.atype), cell: Float64Array.from(v.box!), pbc: [true, true, true] };
    const r0 = evaluateDp(m, cfg);
    for (const [name, text] of [['x.json', modelToJson(m)], ['x.yaml', modelToYaml(m)]]) {
      const back = await loadModelFile(enc.encode(text), name);
      expect(back.blend?.kind).toBe('zbl-linear');
      const r1 = evaluateDp(back, cfg);
      expectSame(r0, r1);
    }
    const dict = JSON.parse(modelToJson(m));
    expect(dict.model.type).toBe('zbl');
    expect(dict.model.models.map((x: { type: string }) => x.type)).toEqual(['standard', 'pairtab']);
  });

  it('summary lists what a user checks first', async () => {
    const s = summarizeModel(await loadShared('models/deeppot.pbtxt'));
    expect(s).toMatchObject({ elements: ['O', 'H'], rcut: 6, rcutSmth: 0.5, sel: [46, 92], embeddingLayers: [2, 4, 8], axisNeuron: 4, fittingLayers: [6, 6, 6], precision: 'float64', descriptor: 'se_e2_a' });
    expect(s.parameters).toBeGreaterThan(0);
  });
});
