// The project's own DP-Tab MoS2 model as the command line's default: `--model default` (eval, info) and
// `--potential default` (cascade, yield) name models/mos2-dptab.json of this repository, wherever the command is run
// from; so does leaving the option out. Any other value is a path (./default reaches a file of that name).
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_MODEL = 'default';
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('../../models/mos2-dptab.json', import.meta.url));

/** The model file an option names: the built-in model for "default" (or no value), else the path as given. */
export function resolveModelPath(spec: string | undefined): string {
  return spec === undefined || spec === DEFAULT_MODEL ? DEFAULT_MODEL_PATH : spec;
}

/** Reads the model file an option names (see resolveModelPath). */
export function readModelFile(spec: string | undefined): { path: string; fileName: string; bytes: Uint8Array } {
  const path = resolveModelPath(spec);
  if (path === DEFAULT_MODEL_PATH && !existsSync(path)) {
    throw new Error(`the built-in model ${path} is missing from this checkout (the model factory writes it; see training/README.md)`);
  }
  return { path, fileName: basename(path), bytes: readFileSync(path) };
}
