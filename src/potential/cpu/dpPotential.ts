// A DP(-Tab) model evaluated by the float64 CPU reference (./dp.ts evaluateDp) as a `Potential`, with universal
// ZBL (LAMMPS `pair_style zbl 3 4` switching, ../classical/foreign.ts) for every pair that involves a species
// outside the model's type_map (He, Ne, Ar, Kr, Xe, Ga, Au, "Z<n>"). The DP never sees the foreign atoms
// (type -1: no neighbours, nobody's neighbour), so a model atom next to an ion feels the DP of its model
// neighbours plus the ion's ZBL. Used by the cascade and yield commands with a model FILE.

import type { DpModel } from '../../model/types.ts';
import { evaluateDp } from './dp.ts';
import { addForeignZbl } from '../classical/foreign.ts';
import { VerletList } from '../neighbors.ts';
import type { EvalResult, Potential, System } from '../types.ts';

export interface DpCpuOptions {
  /** Label in the potential's name (e.g. the model file name). */
  label?: string;
  /** ZBL switching window for foreign pairs (Å); default 3-4 Å as LAMMPS `pair_style zbl 3 4`. */
  foreignRin?: number;
  foreignRc?: number;
  /** Foreign pairs closer than this (Å) throw PotentialRangeError naming the atoms. */
  minDistance?: number;
  /** Skin of the foreign-ZBL neighbour list (Å). */
  skin?: number;
}

export class DpCpuPotential implements Potential {
  readonly name: string;
  readonly cutoff: number;
  readonly elements: readonly string[];
  readonly foreignRin: number;
  readonly foreignRc: number;
  readonly minDistance: number;
  private readonly foreignList: VerletList;
  private typeKey = '';
  private typeMapOf: number[] = [];

  constructor(readonly model: DpModel, opts: DpCpuOptions | string = {}) {
    const o: DpCpuOptions = typeof opts === 'string' ? { label: opts } : opts;
    this.elements = model.typeMap;
    this.foreignRin = o.foreignRin ?? 3.0;
    this.foreignRc = o.foreignRc ?? 4.0;
    this.minDistance = o.minDistance ?? 0.02;
    this.cutoff = Math.max(model.descriptor.rcut, model.pairTable?.rcut ?? 0, this.foreignRc);
    this.foreignList = new VerletList(this.foreignRc, o.skin ?? 1.0);
    this.name = `${o.label ?? 'DP'} (CPU float64) + ZBL for foreign species`;
  }

  compute(sys: System): EvalResult {
    const key = sys.species.join(',');
    if (key !== this.typeKey) {
      this.typeKey = key;
      this.typeMapOf = sys.species.map((s) => this.model.typeMap.indexOf(s));
    }
    const n = sys.atype.length;
    const atype = new Int32Array(n);
    const foreign = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      atype[i] = this.typeMapOf[sys.atype[i]];
      if (atype[i] < 0) foreign[i] = 1;
    }
    const r = evaluateDp(this.model, { coord: sys.coord, atype, cell: sys.cell, pbc: sys.pbc, fparam: sys.fparam, aparam: sys.aparam });
    const out: EvalResult = { energy: r.energy, atomEnergy: r.atomEnergy, force: r.force, virial: r.virial, atomVirial: r.atomVirial, warnings: r.warnings };
    addForeignZbl(sys, foreign, out, this.foreignRin, this.foreignRc, this.minDistance, this.foreignList);
    return out;
  }
}
