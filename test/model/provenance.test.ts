// The training record beside "model" in a v3 file ("dptab_training", written by training/train.py and ignored by
// DeePMD-kit): the reader tolerates it, it changes nothing of the model, it reaches the summary when present and
// well-formed, and a malformed one is dropped quietly. Then the model the project ships, models/mos2-dptab.json,
// and its .yaml twin: whatever numbers the current file holds (it is retrained), it is a Mo/S DP-Tab that both
// formats read to the same energy.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadModelFile } from '../../src/model/load.ts';
import { formatSummary, summarizeModel } from '../../src/model/summary.ts';
import { SMALL_SIZE, syntheticMoS2DpTab } from '../../src/model/synthetic.ts';
import { modelToDict } from '../../src/model/v3/write.ts';
import { evaluateDp } from '../../src/potential/cpu/dp.ts';
import { buildSheet } from '../../src/physics/lattice.ts';
import type { DpModel } from '../../src/model/types.ts';
import { ROOT } from '../helpers.ts';

const RECORD = {
  trainer: 'training/train.py', argv: ['--steps', '1000'], seed: 3, steps: 1000, train_seconds: 12.5, n_train: 40, n_held_out: 5,
  categories: ['near_equilibrium', 'short_contact'], table: 'mos2-pairtable.txt',
  held_out_rmse: { n: 5, rmse_e_atom: 0.0025, rmse_f: 0.1, rmse_v_atom: 0.003 },
};

const utf8 = (s: string) => new TextEncoder().encode(s);
const rowsOf = (m: DpModel) => Object.fromEntries(formatSummary(summarizeModel(m)).map((r) => [r.label, r.value]));

function sheetEnergy(m: DpModel): number {
  const s = buildSheet({ nx: 2, ny: 2 }).system;
  const atype = Int32Array.from(s.atype, (t) => m.typeMap.indexOf(s.species[t]));
  return evaluateDp(m, { coord: s.coord, atype, cell: s.cell, pbc: s.pbc }).energy;
}

describe('training provenance in a v3 model file', () => {
  const dict = modelToDict(syntheticMoS2DpTab(SMALL_SIZE));

  it('is tolerated in .json and .yaml, leaves the model as it is, and reaches the summary', async () => {
    const plain = await loadModelFile(utf8(JSON.stringify(dict)), 'plain.json');
    const json = await loadModelFile(utf8(JSON.stringify({ ...dict, dptab_training: RECORD })), 'trained.json');
    const yaml = await loadModelFile(utf8(jsyaml.dump({ ...dict, dptab_training: RECORD })), 'trained.yaml');
    expect(sheetEnergy(json)).toBe(sheetEnergy(plain));
    expect(sheetEnergy(yaml)).toBe(sheetEnergy(plain));
    expect(summarizeModel(plain).training).toBeUndefined();
    const want = { nTrain: 40, nHeldOut: 5, steps: 1000, seed: 3, categories: ['near_equilibrium', 'short_contact'], table: 'mos2-pairtable.txt', heldOut: { n: 5, eAtom: 0.0025, f: 0.1, vAtom: 0.003 } };
    expect(summarizeModel(json).training).toEqual(want);
    expect(summarizeModel(yaml).training).toEqual(want);
    const rows = rowsOf(json);
    expect(rows['Trained on']).toBe('40 configurations, 5 held out, 1,000 steps, seed 3');
    expect(rows['Training data']).toBe('near_equilibrium, short_contact');
    expect(rows['Held-out RMSE']).toBe('energy 2.5 meV/atom, force 0.1 eV/Å, virial 3 meV/atom (5 configurations)');
    expect(rowsOf(plain)['Trained on']).toBeUndefined();
  });

  it('shows the steps of the whole chain of fine-tunes, not of the last run alone', async () => {
    const retabled = { ...RECORD, steps: 0, total_steps: 50000 };  // a re-export with a rebuilt table trains no steps
    const m = await loadModelFile(utf8(JSON.stringify({ ...dict, dptab_training: retabled })), 'retabled.json');
    expect(rowsOf(m)['Trained on']).toBe('40 configurations, 5 held out, 50,000 steps, seed 3');
  });

  it('keeps what is well-formed of a partial or malformed record and never refuses the model for it', async () => {
    const partial = { n_train: 12, held_out_rmse: null, steps: 'many', categories: 'all' };
    const m = await loadModelFile(utf8(JSON.stringify({ ...dict, dptab_training: partial })), 'partial.json');
    expect(summarizeModel(m).training).toEqual({ nTrain: 12 });
    expect(rowsOf(m)['Trained on']).toBe('12 configurations');
    expect(rowsOf(m)['Held-out RMSE']).toBeUndefined();
    const noVirial = { n_train: 12, held_out_rmse: { n: 2, rmse_e_atom: 0.001, rmse_f: 0.05, rmse_v_atom: null } };
    const v = await loadModelFile(utf8(JSON.stringify({ ...dict, dptab_training: noVirial })), 'nov.json');
    expect(rowsOf(v)['Held-out RMSE']).toBe('energy 1 meV/atom, force 0.05 eV/Å (2 configurations)');
    for (const junk of [null, 7, 'text', [1, 2]]) {
      const j = await loadModelFile(utf8(JSON.stringify({ ...dict, dptab_training: junk })), 'junk.json');
      expect(summarizeModel(j).training).toBeUndefined();
    }
  });
});

const SHIPPED = join(ROOT, 'models', 'mos2-dptab.json');

describe.skipIf(!existsSync(SHIPPED))('the shipped model, models/mos2-dptab.json', () => {
  it('is a Mo/S DP-Tab whose .json and .yaml twins give the same energy, with its training record when it has one', async () => {
    const bytes = readFileSync(SHIPPED);
    const m = await loadModelFile(bytes, 'mos2-dptab.json');
    expect(m.typeMap).toEqual(expect.arrayContaining(['Mo', 'S']));
    expect(m.pairTable).not.toBeNull();
    expect(m.blend).not.toBeNull();
    const e = sheetEnergy(m);
    expect(Number.isFinite(e)).toBe(true);
    const record = JSON.parse(new TextDecoder().decode(bytes)).dptab_training;
    if (record?.n_train !== undefined) expect(summarizeModel(m).training?.nTrain).toBe(record.n_train);
    else expect(summarizeModel(m).training).toBeUndefined();
    const yamlFile = join(ROOT, 'models', 'mos2-dptab.yaml');
    if (existsSync(yamlFile)) {
      const y = await loadModelFile(readFileSync(yamlFile), 'mos2-dptab.yaml');
      expect(Math.abs(sheetEnergy(y) - e)).toBeLessThan(1e-9 * Math.max(1, Math.abs(e)));
    }
  });
});
