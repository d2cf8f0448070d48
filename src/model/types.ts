// The one in-memory form of a DeePMD-kit model, whatever file it came from (.pb, .pbtxt, v3 .json/.yaml/.dp).
// Plain typed arrays only: serialisable, transferable to a worker, and read by every engine (CPU f64, WebGPU f32).
// Version-specific rules (residual connections, energy bias, switch widths, neighbour truncation) are resolved by
// the readers into explicit fields here, so engines never need to know which DeePMD-kit version wrote the file.
// The maths is ../shared/deepmd/SPEC.md.
import type { TrainingProvenance } from './provenance.ts';

export type Activation = 'tanh' | 'relu' | 'relu6' | 'softplus' | 'sigmoid' | 'gelu' | 'linear';

/** How a layer's output is combined with its input (SPEC §2 and §4). */
export type Skip = 'none' | 'identity' | 'concat';

export interface DenseLayer {
  nIn: number;
  nOut: number;
  /** Row-major nIn x nOut. */
  w: Float64Array;
  b: Float64Array;
  /** ResNet time-step vector (resnet_dt), or null. */
  idt: Float64Array | null;
  activation: Activation;
  skip: Skip;
}

export interface Net {
  layers: DenseLayer[];
  /** Precision the network was trained/stored in; float32 nets round inputs and outputs to float32. */
  precision: 'float64' | 'float32';
}

/** Which neighbours survive when more than sel lie within rcut (SPEC §1.2). */
export type NlistRule =
  /** TF: the nearest sel[t] of each type t. */
  | 'per-type'
  /** v3 dpmodel/PyTorch: the nearest sum(sel) overall, then each type block capped at sel[t]. */
  | 'nearest-overall';

export interface Descriptor {
  type: 'se_e2_a' | 'se_e2_r';
  rcut: number;
  rcutSmth: number;
  /** Denominator of the switching polynomial, exactly as the source version computes it (SPEC §1.3). */
  switchWidth: number;
  sel: number[];
  /** Columns per slot: 4 for se_e2_a, 1 for se_e2_r. */
  ncol: number;
  /** (ntypes, nnei, ncol), indexed by centre type and slot. */
  davg: Float64Array;
  dstd: Float64Array;
  typeOneSide: boolean;
  /** Two-sided: index ti * ntypes + tj (centre ti, neighbour tj). One-sided: index tj. null = excluded pair. */
  embeddings: (Net | null)[];
  /** M2, the number of axis columns (se_e2_a only; 0 for se_e2_r). */
  axisNeuron: number;
  /** Normalisation divisor of the descriptor: sum(sel), or sum(original_sel) after a sel change. */
  normN: number;
  /** Pairs (centre type, neighbour type) whose environment rows are masked to zero. */
  excludeTypes: [number, number][];
  /** v3 env_protection: r + p in the 1/r factors. */
  envProtection: number;
  nlistRule: NlistRule;
}

export interface Fitting {
  /** One energy net per centre type; the last layer is linear with one output. */
  nets: Net[];
  /** Added to each atom's net output when the DP part is used (SPEC §4 energy-bias rules, already resolved). */
  biasAtomE: Float64Array;
  numbFparam: number;
  numbAparam: number;
  fparamAvg: Float64Array | null;
  fparamInvStd: Float64Array | null;
  aparamAvg: Float64Array | null;
  aparamInvStd: Float64Array | null;
  /** Width of the descriptor part of the fitting input. */
  dimDescrpt: number;
}

/** A pair table in DeePMD's stored form (SPEC §6.2): cubic Hermite coefficients per interval. */
export interface PairTable {
  rmin: number;
  h: number;
  nspline: number;
  ntypes: number;
  /** ntypes*ntypes*nspline*4, block (t0*ntypes+t1)*4*nspline, each interval [a3, a2, a1, a0]. */
  data: Float64Array;
  /**
   * 'tf': r < rmin is an error (the configuration is outside the table); r beyond the table gives 0.
   * 'v3': the interval index is clipped (extrapolates below rmin); 0 at r >= rcut or beyond the table.
   */
  rule: 'tf' | 'v3';
  /** Cut-off of the table's own neighbour list (v3 pairtab) or of the DP list (TF srtab). */
  rcut: number;
}

/**
 * The per-atom blend of the pair table into the DP energy (DP-Tab): lambda_i = sw(softmin_i) with a soft-min
 * distance over the atom's neighbours. E_i = lambda (Etab_i + tabBias) + (1 - lambda) (Edp_i + fitting bias) + outBias.
 */
export interface Blend {
  kind: 'srtab' | 'zbl-linear';
  alpha: number;
  swRmin: number;
  swRmax: number;
  /** Denominator of the lambda polynomial as the source version computes it. */
  swWidth: number;
  /** Added to the table energy of each atom (srtab_add_bias, v2.2.3+), by type. */
  tabBias: Float64Array;
  /** Added unweighted (the v3 linear model's own out_bias), by type. */
  outBias: Float64Array;
}

export type ModelFormat = 'pb' | 'pbtxt' | 'json' | 'yaml' | 'dp';

export interface DpModel {
  typeMap: string[];
  descriptor: Descriptor;
  fitting: Fitting;
  pairTable: PairTable | null;
  blend: Blend | null;
  /** Where it came from, for the summary. */
  source: {
    format: ModelFormat;
    /** DeePMD-kit version family, e.g. "v2.2+ (TensorFlow graph)" or "v3 (dpmodel)". */
    family: string;
    /** deepmd-kit version string when the file records one. */
    version?: string;
    fileName?: string;
    /** How the project's trainer made it, when the file records that (v3 "dptab_training"). */
    training?: TrainingProvenance;
  };
}

export const ntypesOf = (m: DpModel): number => m.typeMap.length;
export const nneiOf = (d: Descriptor): number => d.sel.reduce((a, b) => a + b, 0);
