#!/usr/bin/python3
"""Issue 7's size study, accuracy side: the candidate architectures of bench/sizes.ts (the cost side, timed on the
app's engine) trained with one recipe on one data set, and their held-out RMSE side by side.

    cd training && /usr/bin/python3 size_study.py [--steps 6000] [--data data] [--only default,rcut5,...]

Each candidate trains with train.py (seed 1, the same steps and schedule, one thread) into work/sizes/<name>; a
finished candidate is skipped and an interrupted one resumes from its checkpoint, so the study can be spread over
sessions.  Results: results/size_study.json (per candidate: architecture, held-out and training RMSE by category,
wall and CPU seconds of training) and a markdown table on stdout.  The candidates, their sel scaled with the cut-off
sphere's area in the sheet (as bench/sizes.ts):
"""
import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trainer import study  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, 'work', 'sizes')
OUT = os.path.join(HERE, 'results', 'size_study.json')


def sel_for(rcut: float) -> str:
    f = (rcut / 6) ** 2  # 40/80 at 6 A, rounded up to a multiple of 4
    return f'{math.ceil(40 * f / 4) * 4},{math.ceil(80 * f / 4) * 4}'


CANDIDATES = {  # name: (rcut, embedding, axis, fitting)
    'default': (6.0, '16,32,64', 8, '128,128,128'),
    'rcut5': (5.0, '16,32,64', 8, '128,128,128'),
    'fit240': (6.0, '16,32,64', 8, '240,240,240'),
    'paper': (6.0, '25,50,100', 16, '240,240,240'),
    'emb100': (6.0, '25,50,100', 16, '128,128,128'),
    'paper-rcut5': (5.0, '25,50,100', 16, '240,240,240'),
}
__doc__ += ''.join(f'  {n:12s} rcut {c[0]}, sel {sel_for(c[0])}, embedding {c[1]}, axis {c[2]}, fitting {c[3]}\n'
                   for n, c in CANDIDATES.items())


def args_of(name: str, steps: int, data: str, extra: list[str]) -> list[str]:
    rcut, emb, axis, fit = CANDIDATES[name]
    return ['--data', data, '--seed', '1', '--steps', str(steps), '--rcut', str(rcut), '--sel', sel_for(rcut),
            '--neuron', emb, '--axis-neuron', str(axis), '--fitting', fit, *extra]


def describe(name: str, r: dict) -> str:
    return f"rcut {r['rcut']}, sel {r['sel']}, emb {r['embedding']}, axis {r['axis']}, fit {r['fitting']}"


def main():
    argv = sys.argv[1:]
    extra = argv[argv.index('--') + 1:] if '--' in argv else []
    argv = argv[:argv.index('--')] if '--' in argv else argv
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--steps', type=int, default=6000)
    p.add_argument('--data', default=os.path.join(HERE, 'data'))
    p.add_argument('--only', default=','.join(CANDIDATES))
    p.add_argument('--jobs', type=int, default=1, help='candidates trained side by side (one core each)')
    a = p.parse_args(argv)
    results = {}
    if os.path.exists(OUT):
        with open(OUT) as f:
            results = {k: v for k, v in json.load(f)['candidates'].items() if v.get('steps') == a.steps}
    recipe = {'steps': a.steps, 'data': os.path.relpath(a.data, HERE), 'seed': 1, 'extra': extra}

    def done(name, r):
        rcut, emb, axis, fit = CANDIDATES[name]
        results[name] = {'rcut': rcut, 'sel': sel_for(rcut), 'embedding': emb, 'axis': axis, 'fitting': fit,
                         'steps': a.steps, **r}
        study.save_json(OUT, {'recipe': recipe, 'candidates': results})

    names = a.only.split(',')
    study.run_all(WORK, {n: args_of(n, a.steps, a.data, extra) for n in names}, a.jobs, done)
    print(study.table({n: results[n] for n in names if n in results}, describe, 'candidate'))


if __name__ == '__main__':
    main()
