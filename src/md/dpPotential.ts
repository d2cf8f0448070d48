// A DP(-Tab) model evaluated by the float64 CPU reference (src/potential/cpu/dp.ts evaluateDp) as a `Potential`,
// with universal ZBL for species outside the model's type_map. (Stand-in until a CpuDpPotential class exists.)

import type { DpModel } from '../model/types.ts';
import { evaluateDp } from '../potential/cpu/dp.ts';
import { addForeignZbl } from '../potential/classical/foreign.ts';
import type { EvalResult, Potential, System } from '../potential/types.ts';

export class DpCpuWithZbl implements Potential {
  readonly name: string;
  readonly cutoff: number;
  readonly elements: readonly string[];
  constructor(private model: DpModel, label = 'DP') {
    this.elements = model.typeMap;
    this.cutoff = Math.max(model.descriptor.rcut, 4.0);
    this.name = `${label} (CPU float64) + ZBL for foreign species`;
  }
  compute(sys: System): EvalResult {
    const map = sys.species.map((s) => this.model.typeMap.indexOf(s));
    const n = sys.atype.length;
    const atype = new Int32Array(n);
    const foreign = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      atype[i] = map[sys.atype[i]];
      if (atype[i] < 0) foreign[i] = 1;
    }
    const r = evaluateDp(this.model, { coord: sys.coord, atype, cell: sys.cell, pbc: sys.pbc, fparam: sys.fparam, aparam: sys.aparam });
    const out: EvalResult = { energy: r.energy, atomEnergy: r.atomEnergy, force: r.force, virial: r.virial, atomVirial: r.atomVirial, warnings: r.warnings };
    addForeignZbl(sys, foreign, out);
    return out;
  }
}
