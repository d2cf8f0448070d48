// The DP models the simulation worker holds: one per DP choice (the built-in model and the user's own file). Each is
// parsed once and replaced only by a successful load into its own slot, so a failed file keeps the previous one and
// switching between the two costs nothing.
import { parseModel, type ParsedModel } from './modelLoading';
import { forgetModel } from './potentials';
import type { LoadedModelInfo } from './protocol';
import { isDpChoice, type DpChoice, type ModelChoice } from './settings';

const held = new Map<DpChoice, ParsedModel>();

/** Parses a model file into a slot; throws (keeping what the slot held) when it cannot be read. */
export async function loadInto(slot: DpChoice, bytes: Uint8Array, fileName: string): Promise<LoadedModelInfo> {
  const parsed = await parseModel(bytes, fileName);
  held.set(slot, parsed);
  forgetModel(slot);
  return parsed.info;
}

/** The model behind a model choice: null for the classical choices and for an empty slot. */
export function heldFor(choice: ModelChoice): ParsedModel | null {
  return isDpChoice(choice) ? held.get(choice) ?? null : null;
}
