// Shared test helpers: where ../shared is, and loading its DeePMD-kit vectors.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelFile } from '../src/model/load.ts';
import type { DpModel } from '../src/model/types.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = process.env.DPTAB_SHARED ?? join(ROOT, '..', 'shared');
export const VECTORS = join(SHARED, 'deepmd', 'vectors');
export const HAVE_SHARED = existsSync(VECTORS);
if (!HAVE_SHARED) console.warn(`\n!!! ../shared/deepmd/vectors not found at ${VECTORS}: DeePMD-kit vector tests are SKIPPED !!!\n`);

export interface Vector {
  file: string;
  model_file: string | null;
  coord: number[];
  box: number[] | null;
  atype: number[];
  expected_energy: number;
  expected_atom_energy: number[];
  expected_force: number[];
  expected_virial: number[];
  expected_atom_virial?: number[];
  expected_descriptor?: number[] | number[][];
  [k: string]: unknown;
}

export const vectorFiles = (): string[] => (HAVE_SHARED ? readdirSync(VECTORS).filter((f) => f.endsWith('.json')).sort() : []);
export const readVector = (f: string): Vector => ({ file: f, ...JSON.parse(readFileSync(join(VECTORS, f), 'utf8')) });

export async function loadShared(modelFile: string): Promise<DpModel> {
  return loadModelFile(readFileSync(join(VECTORS, modelFile)), modelFile);
}

export const fixture = (name: string): Uint8Array => readFileSync(join(ROOT, 'test', 'fixtures', name));

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
