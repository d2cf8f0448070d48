"""k-point check of stored labels: relabel chosen configurations at a denser k spacing than the setting's and compare
their free energies and forces with the stored ones.

The convergence study (convergence.py) tested pristine cells; this checks the defect cells that dominate the model's
near-equilibrium error, so that a label error from k sampling (gap states of vacancies and antisites) can be told
apart from a model error.

  /usr/bin/python3 training/kpoint_check.py vacancy-0072 substitution-0016 [--kspacing 0.2]

Results (one line per configuration) accumulate in results/kpoint_check.json; finished ones are skipped on a rerun.
GPAW, serial, minutes per configuration: never run in CI.
"""
import argparse
import json
import os
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'results', 'kpoint_check.json')


def main():
    import sys
    sys.path.insert(0, HERE)
    from factory.dft import make_calc, kpts_for
    from factory.label import load_configs
    from trainer.data import read_dataset
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('ids', nargs='+')
    ap.add_argument('--kspacing', type=float, default=0.2, help='1/A (the setting uses 0.3)')
    a = ap.parse_args()
    done = json.load(open(OUT)) if os.path.exists(OUT) else []
    confs = load_configs()
    ref = {f.id: f for f in read_dataset(os.path.join(HERE, 'data'), ['Mo', 'S'])}  # the stored labels
    os.makedirs(os.path.join(HERE, 'work', 'kpoint_check'), exist_ok=True)
    for cid in a.ids:
        if any(d['id'] == cid and d['kspacing'] == a.kspacing for d in done):
            continue
        if cid not in ref:
            raise SystemExit(f'{cid} is not in the packed dataset (label.sh pack first)')
        at = confs[cid].copy()
        if at.info.get('calc_kind', 'condensed') != 'condensed':
            raise SystemExit(f'{cid} is an isolated atom or dimer, labelled at the Gamma point only: no k grid to check')
        at.calc = make_calc(at, txt=os.path.join(HERE, 'work', 'kpoint_check', f'{cid}_{a.kspacing}.txt'),
                            kspacing=a.kspacing)
        t = time.process_time()
        e = at.get_potential_energy(force_consistent=True)
        df = at.get_forces() - ref[cid].force
        row = dict(id=cid, note=at.info.get('note', ''), natoms=len(at), kspacing=a.kspacing,
                   kpts=kpts_for(at, a.kspacing), kpts_setting=kpts_for(at),
                   dE_meV_atom=round(1000 * (e - ref[cid].energy) / len(at), 4),
                   dF_rms_eV_A=round(float(np.sqrt((df ** 2).mean())), 5),
                   dF_max_eV_A=round(float(np.abs(df).max()), 5), cpu_s=round(time.process_time() - t, 1))
        done.append(row)
        with open(OUT + '.tmp', 'w') as f:
            json.dump(done, f, indent=1)
        os.replace(OUT + '.tmp', OUT)
        print(row, flush=True)


if __name__ == '__main__':
    main()
