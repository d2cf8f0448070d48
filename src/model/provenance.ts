// Training provenance of a model file: the "dptab_training" key that the project's trainer (training/train.py)
// writes beside "model" in a v3 .json/.yaml (DeePMD-kit reads only "model" and ignores it). Read leniently: a
// missing or malformed field is left out, never an error; what must be right is the model itself.

export const TRAINING_KEY = 'dptab_training';

/** Errors on the held-out configurations (eV per atom, eV/Å). */
export interface HeldOutRmse {
  n?: number;
  eAtom?: number;
  f?: number;
  vAtom?: number;
}

export interface TrainingProvenance {
  nTrain?: number;
  nHeldOut?: number;
  steps?: number;
  seed?: number;
  categories?: string[];
  /** File name of the pair table it was trained with. */
  table?: string;
  heldOut?: HeldOutRmse;
}

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => !!v && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Keeps only the keys whose value is defined. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The provenance of a v3 model file's top-level dict, or undefined when it records none. */
export function readTrainingProvenance(top: unknown): TrainingProvenance | undefined {
  const t = isDict(top) ? top[TRAINING_KEY] : undefined;
  if (!isDict(t)) return undefined;
  const r = t.held_out_rmse;
  const heldOut = isDict(r) ? defined({ n: num(r.n), eAtom: num(r.rmse_e_atom), f: num(r.rmse_f), vAtom: num(r.rmse_v_atom) }) : undefined;
  return defined({
    nTrain: num(t.n_train),
    nHeldOut: num(t.n_held_out),
    // total_steps: over a chain of fine-tunes (--init-model); steps: this run's alone (0 for a re-export)
    steps: num(t.total_steps) ?? num(t.steps),
    seed: num(t.seed),
    categories: Array.isArray(t.categories) ? t.categories.filter((c): c is string => typeof c === 'string') : undefined,
    table: typeof t.table === 'string' ? t.table : undefined,
    heldOut: heldOut && Object.keys(heldOut).length ? heldOut : undefined,
  });
}

const sig = (x: number) => String(Number(x.toPrecision(3)));

/** Display rows: how it was trained and how well it does on configurations it never saw. */
export function trainingRows(t: TrainingProvenance): { label: string; value: string }[] {
  const rows: { label: string; value: string }[] = [];
  const trained = [
    t.nTrain !== undefined ? `${t.nTrain} configurations` : null,
    t.nHeldOut !== undefined ? `${t.nHeldOut} held out` : null,
    t.steps !== undefined ? `${t.steps.toLocaleString('en-US')} steps` : null,
    t.seed !== undefined ? `seed ${t.seed}` : null,
  ].filter(Boolean);
  if (trained.length) rows.push({ label: 'Trained on', value: trained.join(', ') });
  if (t.categories?.length) rows.push({ label: 'Training data', value: t.categories.join(', ') });
  const h = t.heldOut;
  if (h) {
    const parts = [
      h.eAtom !== undefined ? `energy ${sig(1000 * h.eAtom)} meV/atom` : null,
      h.f !== undefined ? `force ${sig(h.f)} eV/Å` : null,
      h.vAtom !== undefined ? `virial ${sig(1000 * h.vAtom)} meV/atom` : null,
    ].filter(Boolean);
    if (parts.length) rows.push({ label: 'Held-out RMSE', value: parts.join(', ') + (h.n !== undefined ? ` (${h.n} configurations)` : '') });
  }
  return rows;
}
