// Errors that say what was found and what is supported. Readers never crash on bad input with a TypeError or
// hang; everything they reject is one of these.

export class ModelFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFormatError';
  }
}

export const SUPPORTED_MODELS =
  'Supported: DeePMD-kit energy models with the se_e2_a (se_a) or se_e2_r descriptor and "ener" fitting, ' +
  'optionally with a short-range pair table (srtab / DP-ZBL), as frozen TensorFlow graphs (.pb, .pbtxt; ' +
  'DeePMD-kit v1.x-v3.x) or v3 serialised models (.json, .yaml, .dp).';

/** Throws a ModelFormatError unless `cond` holds. */
export function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new ModelFormatError(message);
}
