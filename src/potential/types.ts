// The one interface every engine implements: the float64 CPU reference, the WebGPU engine, the classical
// baselines (Stillinger-Weber + ZBL) and any later model family. Like an ASE Calculator: give it a System,
// get energies, forces and virials back. LAMMPS metal units: Å, eV, eV/Å.

export interface System {
  /** Flat natoms*3 Cartesian positions (Å). */
  coord: Float64Array;
  /** Per-atom species index into `species`. */
  atype: Int32Array;
  /** Element symbols of the species indices (e.g. ['Mo', 'S', 'Ar']). */
  species: string[];
  /** Nine numbers, rows are the cell vectors a, b, c (Å); null means no periodicity at all. */
  cell: Float64Array | null;
  /** Periodicity per cell vector (ignored when cell is null). The MoS2 sheet is [true, true, false]. */
  pbc: [boolean, boolean, boolean];
  /** Optional frame and atomic parameters for models that take them. */
  fparam?: Float64Array;
  aparam?: Float64Array;
}

export interface EvalResult {
  energy: number;
  atomEnergy: Float64Array;
  /** Flat natoms*3, eV/Å. */
  force: Float64Array;
  /** Nine numbers, row-major, eV (DeePMD sign convention: W = -sum dE/dr_ij ⊗ r_ij). */
  virial: Float64Array;
  /** Flat natoms*9. */
  atomVirial: Float64Array;
  /** Diagnostics the engine wants to report (neighbour overflow, table range, ...). */
  warnings: string[];
}

export interface Potential {
  /** Short human-readable name ("DP-Tab (CPU float64)", "Stillinger-Weber Jiang 2015 + ZBL", ...). */
  readonly name: string;
  /** Largest interaction distance (Å); neighbour searches and sputtering criteria use it. */
  readonly cutoff: number;
  /** Element symbols this potential describes natively; others interact by universal ZBL where supported. */
  readonly elements: readonly string[];
  compute(system: System): EvalResult | Promise<EvalResult>;
  /** Releases GPU buffers and the like. */
  dispose?(): void;
}

/** Raised when a configuration is outside what a potential supports (atoms too close, GPU too small, ...). */
export class PotentialRangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PotentialRangeError';
  }
}
