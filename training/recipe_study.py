#!/usr/bin/python3
"""Issue 7's recipe study: training recipes (loss prefactors, learning rate and its warm-up, oversampling of the
near-equilibrium frames, the relative energy and force terms) compared side by side, each a fine-tune of one start
model (--init-model) for the same number of steps on the same data, with seed repeats of the base recipe to show
the seed-to-seed spread that a difference has to beat.

    cd training && /usr/bin/python3 recipe_study.py [--steps 3000] [--jobs 15] [--init-model ../models/mos2-dptab.json]
                                                    [--only base,base-s2,...] [--tag NAME]

Each variant trains with train.py (one thread) into work/recipes/<tag>/<name>; finished ones are skipped and
interrupted ones resume.  Results: results/recipe_study_<tag>.json (per variant: its train.py options, held-out and
training RMSE by category, wall and CPU seconds) and a markdown table on stdout.  The variants (BASE = the fine-tune
recipe of sessions 12-14: """
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trainer import study  # noqa: E402
from trainer.export import file_sha256  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

BASE = {'--start-lr': '3e-4', '--pref': '20,20,1,1,1,1', '--relative-e': '1', '--near-eq-repeat': '8',
        '--batch-size': '64', '--relative-f': '1.0', '--energy-weight': 'frames'}
__doc__ += ' '.join(f'{k} {v}' for k, v in BASE.items()) + '):\n'
VARIANTS = {  # name: what differs from BASE
    'base': {}, 'base-s2': {'--seed': '2'}, 'base-s3': {'--seed': '3'},
    'e50': {'--pref': '50,50,1,1,1,1'}, 'e100': {'--pref': '100,100,1,1,1,1'},
    'f3': {'--pref': '20,20,3,3,1,1'}, 'v0': {'--pref': '20,20,1,1,0,0'}, 'v5': {'--pref': '20,20,1,1,5,5'},
    'rep1': {'--near-eq-repeat': '1'}, 'rep16': {'--near-eq-repeat': '16'},
    'lr1e-3': {'--start-lr': '1e-3'}, 'lr1e-4': {'--start-lr': '1e-4'},
    'no-rel-e': {'--relative-e': '0'}, 'no-rel-f': {'--relative-f': '0'},
    'warm500': {'--warmup-steps': '500'}, 'warm500-lr1e-3': {'--warmup-steps': '500', '--start-lr': '1e-3'},
}
__doc__ += ''.join(f"  {n:9s} {' '.join(f'{k} {v}' for k, v in d.items()) or '(the base recipe)'}\n"
                   for n, d in VARIANTS.items())


def options(name: str) -> dict:
    return {'--seed': '1', **BASE, **VARIANTS[name]}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--steps', type=int, default=3000)
    p.add_argument('--jobs', type=int, default=1, help='variants trained side by side (one core each)')
    p.add_argument('--init-model', default=os.path.join(os.path.dirname(HERE), 'models', 'mos2-dptab.json'))
    p.add_argument('--data', default=os.path.join(HERE, 'data'))
    p.add_argument('--only', default=','.join(VARIANTS))
    p.add_argument('--tag', default='latest', help='names the work folder and the results file')
    a = p.parse_args()
    out = os.path.join(HERE, 'results', f'recipe_study_{a.tag}.json')
    setup = {'steps': a.steps, 'init_model': os.path.basename(a.init_model),
             'init_model_sha256': file_sha256(a.init_model), 'data': os.path.relpath(a.data, HERE)}
    results = {}

    def done(name, r):
        results[name] = {'options': options(name), **r}
        study.save_json(out, {'setup': setup, 'variants': results})

    names = a.only.split(',')
    args = {n: ['--init-model', a.init_model, '--data', a.data, '--steps', str(a.steps),
                *[x for kv in options(n).items() for x in kv]] for n in names}
    study.run_all(os.path.join(HERE, 'work', 'recipes', a.tag), args, a.jobs, done)
    differs = lambda n, r: ' '.join(f'{k} {v}' for k, v in VARIANTS[n].items()) or 'base'
    print(study.table({n: results[n] for n in names if n in results}, differs))


if __name__ == '__main__':
    main()
