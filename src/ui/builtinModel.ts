// The project's own DP-Tab MoS2 model (models/mos2-dptab.json, made by training/): Vite bundles it as an asset of
// the app (dist/assets/mos2-dptab-<hash>.json), and the app fetches it at start-up from its own origin.
import builtinModelUrl from '../../models/mos2-dptab.json?url';

export const BUILTIN_MODEL_FILE = 'mos2-dptab.json';

/** Downloads the built-in model; throws with what failed (network, HTTP status) in words a user can act on. */
export async function fetchBuiltinModel(): Promise<File> {
  let res: Response;
  try {
    res = await fetch(builtinModelUrl);
  } catch (e) {
    throw new Error(`Downloading ${builtinModelUrl} failed: ${e instanceof Error ? e.message : String(e)}.`);
  }
  if (!res.ok) throw new Error(`Downloading ${builtinModelUrl} failed: the server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`);
  return new File([await res.arrayBuffer()], BUILTIN_MODEL_FILE, { type: 'application/json' });
}
