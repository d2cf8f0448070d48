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
import glob
import json
import os
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'results', 'kpoint_check.json')


def stored_labels() -> dict:
    """id -> {'free_energy', 'forces'} from the packed dataset (data/<category>/<formula>/)."""
    ref = {}
    for fn in glob.glob(os.path.join(HERE, 'data', '*', '*', 'meta.json')):
        with open(fn) as f:
            meta = json.load(f)
        forces = np.load(os.path.join(os.path.dirname(fn), 'set.000', 'force.npy'))
        for k, fr in enumerate(meta['frames']):
            ref[fr['id']] = dict(free_energy=fr['free_energy'], forces=forces[k].reshape(-1, 3), kpts=fr.get('kpts'))
    return ref


def main():
    import sys
    sys.path.insert(0, HERE)
    from factory.dft import make_calc, kpts_for
    from factory.label import load_configs
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('ids', nargs='+')
    ap.add_argument('--kspacing', type=float, default=0.2, help='1/A (the setting uses 0.3)')
    a = ap.parse_args()
    done = json.load(open(OUT)) if os.path.exists(OUT) else []
    confs, ref = load_configs(), stored_labels()
    os.makedirs(os.path.join(HERE, 'work', 'kpoint_check'), exist_ok=True)
    for cid in a.ids:
        if any(d['id'] == cid and d['kspacing'] == a.kspacing for d in done):
            continue
        if cid not in ref:
            raise SystemExit(f'{cid} is not in the packed dataset (label.sh pack first)')
        at = confs[cid].copy()
        at.calc = make_calc(at, txt=os.path.join(HERE, 'work', 'kpoint_check', f'{cid}_{a.kspacing}.txt'),
                            kspacing=a.kspacing)
        t = time.process_time()
        e = at.get_potential_energy(force_consistent=True)
        df = at.get_forces() - ref[cid]['forces']
        row = dict(id=cid, note=at.info.get('note', ''), natoms=len(at), kspacing=a.kspacing,
                   kpts=kpts_for(at, a.kspacing), kpts_setting=ref[cid]['kpts'],
                   dE_meV_atom=round(1000 * (e - ref[cid]['free_energy']) / len(at), 4),
                   dF_rms_eV_A=round(float(np.sqrt((df ** 2).mean())), 5),
                   dF_max_eV_A=round(float(np.abs(df).max()), 5), cpu_s=round(time.process_time() - t, 1))
        done.append(row)
        with open(OUT + '.tmp', 'w') as f:
            json.dump(done, f, indent=1)
        os.replace(OUT + '.tmp', OUT)
        print(row, flush=True)


if __name__ == '__main__':
    main()
