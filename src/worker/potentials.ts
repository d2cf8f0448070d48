// The potential behind each model choice, and its relaxed lattice (cached: relaxing takes a few hundred energy
// evaluations). A DP model (the built-in one or the user's file) runs on the WebGPU engine when this browser has a usable adapter (compressed when
// the table is accurate enough), otherwise on the float64 CPU reference.
import { DpCpuPotential } from '../potential/cpu/dpPotential.ts';
import { createGpuContext } from '../potential/webgpu/device.ts';
import { WebGpuDpPotential } from '../potential/webgpu/engine.ts';
import { PotentialRangeError, type EvalResult, type System } from '../potential/types.ts';
import type { DpModel } from '../model/types.ts';
import type { ParsedModel } from './modelLoading.ts';
import { jiang2015, SwZblPotential } from '../potential/classical/sw.ts';
import { relaxSheet, type RelaxResult } from '../physics/lattice.ts';
import type { Potential } from '../potential/types.ts';
import { dpModelMessage, isDpChoice, type DpChoice, type ModelChoice } from './settings.ts';

interface Entry { pot: Potential; lattice: Promise<RelaxResult> }

/** One entry per model choice and compression switch; a DP choice's entries are dropped when its model is replaced
 * (forgetModel). */
const cache = new Map<string, Entry>();

/** Forgets the potential of a DP choice (call when a new model replaces the one it held; a live run keeps its own). */
export function forgetModel(choice: DpChoice): void {
  for (const compress of [true, false]) cache.delete(`${choice}|${compress}`);
}

/** The potential of a model choice; `dp` is the model held for a DP choice (null when none is loaded); `compress`
 * lets the WebGPU engine use tabulated embedding nets. */
export function potentialFor(choice: ModelChoice, dp: ParsedModel | null, compress = true): Entry {
  const key = `${choice}|${isDpChoice(choice) && compress}`;
  let e = cache.get(key);
  if (e) return e;
  let pot: Potential;
  if (choice === 'sw-wen2017') pot = new SwZblPotential();
  else if (choice === 'sw-jiang2015') pot = new SwZblPotential({ params: jiang2015() });
  else {
    const refused = dpModelMessage(choice, dp ? dp.model.typeMap : null);
    if (refused || !dp) throw new Error(refused ?? 'No model is loaded.');
    pot = new DpGpuOrCpu(dp.model, dp.info.fileName, compress);
  }
  const lattice = relaxSheet(pot);
  lattice.catch(() => { if (cache.get(key)?.pot === pot) cache.delete(key); });
  e = { pot, lattice };
  cache.set(key, e);
  return e;
}

/** The WebGPU engine, created on first use; the CPU reference where WebGPU is missing or refuses the model. */
class DpGpuOrCpu implements Potential {
  readonly elements: readonly string[];
  readonly cutoff: number;
  private engine: Promise<Potential> | null = null;
  private current: Potential;
  constructor(private readonly model: DpModel, private readonly label: string, private readonly compress: boolean) {
    this.current = new DpCpuPotential(model, { label });
    this.elements = model.typeMap;
    this.cutoff = this.current.cutoff;
  }
  get name(): string { return this.current.name; }
  private start(): Promise<Potential> {
    return (this.engine ??= (async () => {
      try {
        const ctx = await createGpuContext((globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu);
        this.current = await WebGpuDpPotential.create(ctx, this.model, { label: this.label, compress: this.compress ? 'auto' : false });
      } catch (e) {
        console.warn(`WebGPU engine unavailable, using the CPU reference: ${(e as Error).message}`);
      }
      return this.current;
    })());
  }
  async compute(system: System): Promise<EvalResult> {
    const pot = await this.start();
    if (!(pot instanceof WebGpuDpPotential)) return pot.compute(system);
    try {
      return await pot.compute(system);
    } catch (e) {
      // A configuration the model cannot describe is the user's to see; anything else (device lost, driver error)
      // moves this run to the CPU reference so it goes on.
      if (e instanceof PotentialRangeError) throw e;
      console.warn(`The WebGPU engine failed (${(e as Error).message}); continuing on the CPU reference.`);
      pot.dispose();
      this.current = new DpCpuPotential(this.model, { label: this.label });
      this.engine = Promise.resolve(this.current);
      return this.current.compute(system);
    }
  }
  dispose(): void { this.current.dispose?.(); }
}
