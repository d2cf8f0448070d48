// The potential behind each model choice, and its relaxed lattice (cached: relaxing takes a few hundred energy
// evaluations). The DP model runs on the float64 CPU reference until the WebGPU engine lands.
import { DpCpuPotential } from '../potential/cpu/dpPotential.ts';
import type { DpModel } from '../model/types.ts';
import { jiang2015, SwZblPotential } from '../potential/classical/sw.ts';
import { relaxSheet, type RelaxResult } from '../physics/lattice.ts';
import type { Potential } from '../potential/types.ts';
import type { ModelChoice } from './settings.ts';

interface Entry { pot: Potential; lattice: Promise<RelaxResult> }

const cache = new Map<string, Entry>();

/** Forgets the loaded model's potential (call when a new model file replaces it). */
export function forgetLoadedModel(): void {
  for (const k of [...cache.keys()]) if (k.startsWith('loaded:')) cache.delete(k);
}

export function potentialFor(choice: ModelChoice, model: DpModel | null, modelName = 'model'): Entry {
  const key = choice === 'loaded' ? `loaded:${modelName}` : choice;
  let e = cache.get(key);
  if (e) return e;
  let pot: Potential;
  if (choice === 'sw-wen2017') pot = new SwZblPotential();
  else if (choice === 'sw-jiang2015') pot = new SwZblPotential({ params: jiang2015() });
  else {
    if (!model) throw new Error('No model file is loaded; load one or choose a built-in model.');
    const missing = ['Mo', 'S'].filter((s) => !model.typeMap.includes(s));
    if (missing.length) throw new Error(`The loaded model has type_map [${model.typeMap.join(', ')}], without ${missing.join(' and ')}: it cannot describe the MoS2 sheet.`);
    pot = new DpCpuPotential(model, { label: modelName });
  }
  const lattice = relaxSheet(pot);
  lattice.catch(() => cache.delete(key));
  e = { pot, lattice };
  cache.set(key, e);
  return e;
}
