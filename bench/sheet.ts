// The MoS2 sheet the benchmarks time a DP step on: thermally disordered (0.15 Å), then moved a little before each
// timed step (as between list rebuilds in MD).
import { buildSheet } from '../src/physics/lattice.ts';
import type { System } from '../src/potential/types.ts';

export interface BenchSheet { sys: System; n: number; timeSteps: (p: { compute(x: System): unknown }, reps: number) => Promise<number> }

export function benchSheet(nx: number, ny: number): BenchSheet {
  const sys: System = buildSheet({ nx, ny, a: 3.18, t: 3.12, lz: 40 }).system;
  let k = 1;
  const jiggle = (amp: number) => { for (let q = 0; q < sys.coord.length; q++) sys.coord[q] += amp * (((k = (k * 16807) % 2147483647) / 2147483647) - 0.5); };
  jiggle(0.15);
  /** Mean ms per step over `reps` steps after one untimed warm-up step. */
  const timeSteps = async (p: { compute(x: System): unknown }, reps: number) => {
    await p.compute(sys);
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) { jiggle(0.002); await p.compute(sys); }
    return (performance.now() - t0) / reps;
  };
  return { sys, n: sys.atype.length, timeSteps };
}
