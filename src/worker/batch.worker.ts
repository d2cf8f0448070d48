/// <reference lib="webworker" />
// The batch worker: a yield-against-energy sweep (ions or PKAs) with runCascade (md/cascade.ts), one impact after another,
// reporting progress per impact and a point per energy. Runs beside the live simulation worker; the page
// cancels a sweep by terminating this worker.
import { runCascade } from '../md/cascade';
import { summarizeYields, sweepLabel, sweepProjectile, type FromBatch, type ToBatch } from './batchProtocol';
import { errorPayload, parseModel, type ParsedModel } from './modelLoading';
import { isDpChoice } from './settings';
import { potentialFor } from './potentials';
import { formatEnergy } from './runMeta';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: FromBatch) => scope.postMessage(m);

scope.onmessage = async (ev: MessageEvent<ToBatch>) => {
  const { spec } = ev.data;
  const t0 = performance.now();
  try {
    let dp: ParsedModel | null = null;
    if (isDpChoice(spec.model)) {
      if (!spec.modelFile) throw new Error('No model file was given for the DP model sweep.');
      dp = await parseModel(new Uint8Array(spec.modelFile.bytes), spec.modelFile.name);
    }
    const { pot, lattice } = potentialFor(spec.model, dp, spec.compress ?? true);
    post({ type: 'progress', done: 0, total: spec.energies.length * spec.impacts, energy: spec.energies[0], message: 'Relaxing the lattice…' });
    const lat = await lattice;
    const total = spec.energies.length * spec.impacts;
    let done = 0;
    for (const energy of spec.energies) {
      const perImpact: { total: number; S: number; Mo: number }[] = [];
      for (let k = 0; k < spec.impacts; k++) {
        post({ type: 'progress', done, total, energy, message: `${sweepLabel(spec)} ${formatEnergy(energy)}: impact ${k + 1} of ${spec.impacts}` });
        const r = await runCascade({
          potential: pot, nx: spec.nx, ny: spec.ny, lattice: lat, temperature: spec.temperature, seed: spec.seed + k,
          projectile: sweepProjectile(spec, energy),
          thermostat: spec.border > 0 ? { kind: 'berendsen', T: spec.temperature, tau: 0.1, width: spec.border } : null,
          time: spec.time,
        });
        const o = r.damage.sputtered.byOrigin; // sheet atoms by their site (an S ion is not counted)
        perImpact.push({ total: o.Mo + o['S-top'] + o['S-bottom'], S: o['S-top'] + o['S-bottom'], Mo: o.Mo });
        done++;
      }
      post({ type: 'point', point: summarizeYields(energy, perImpact) });
    }
    post({ type: 'progress', done: total, total, energy: spec.energies[spec.energies.length - 1], message: 'Done' });
    post({ type: 'done', wallSeconds: (performance.now() - t0) / 1000 });
  } catch (e) {
    post({ type: 'error', error: errorPayload(e) });
  }
};
