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
import resource
import subprocess
import sys
import time

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


def run(name: str, steps: int, data: str, extra: list[str]) -> dict | None:
    rcut, emb, axis, fit = CANDIDATES[name]
    base = os.path.join(WORK, name)
    if not os.path.exists(base + '.metrics.json'):
        cmd = [sys.executable, os.path.join(HERE, 'train.py'), '--data', data, '--seed', '1', '--threads', '1',
               '--steps', str(steps), '--rcut', str(rcut), '--sel', sel_for(rcut), '--neuron', emb,
               '--axis-neuron', str(axis), '--fitting', fit, '--out', base, *extra]
        print(f"{time.strftime('%H:%M:%S')} {name}: {' '.join(cmd[1:])}", flush=True)
        t0, c0 = time.time(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        with open(base + '.log', 'a') as log:
            rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT)
        if rc != 0:
            print(f'{name}: train.py exited {rc} (see {base}.log); rerun resumes it', flush=True)
            return None
        with open(base + '.timing.json', 'w') as f:
            json.dump({'wall_s': time.time() - t0, 'cpu_s': resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - c0}, f)
    with open(base + '.metrics.json') as f:
        m = json.load(f)
    timing = json.load(open(base + '.timing.json')) if os.path.exists(base + '.timing.json') else {}
    return {'rcut': rcut, 'sel': sel_for(rcut), 'embedding': emb, 'axis': axis, 'fitting': fit, 'steps': steps,
            'n_train': m['split']['n_train'], 'n_held_out': m['split']['n_held_out'],
            'held_out': m['by_category'], 'training': m['train_by_category'], **timing}


def table(results: dict) -> str:
    rows = ['| candidate | architecture | held-out near-eq E (meV/atom) | F (eV/Å) | held-out all E | F | training all E | F | train CPU (min) |',
            '| --- | --- | --- | --- | --- | --- | --- | --- | --- |']
    for name, r in results.items():
        h, t = r['held_out'], r['training']
        ne, al, ta = h.get('near_equilibrium', {}), h.get('all', {}), t.get('all', {})
        e = lambda g: f"{1000 * g['rmse_e_atom']:.1f}" if g else '-'
        f = lambda g: f"{g['rmse_f']:.3f}" if g else '-'
        rows.append(f"| {name} | rcut {r['rcut']}, sel {r['sel']}, emb {r['embedding']}, axis {r['axis']}, fit {r['fitting']} | "
                    f"{e(ne)} (n={ne.get('n', 0)}) | {f(ne)} | {e(al)} | {f(al)} | {e(ta)} | {f(ta)} | "
                    f"{r.get('cpu_s', float('nan')) / 60:.0f} |")
    return '\n'.join(rows)


def main():
    argv = sys.argv[1:]
    extra = argv[argv.index('--') + 1:] if '--' in argv else []
    argv = argv[:argv.index('--')] if '--' in argv else argv
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--steps', type=int, default=6000)
    p.add_argument('--data', default=os.path.join(HERE, 'data'))
    p.add_argument('--only', default=','.join(CANDIDATES))
    a = p.parse_args(argv)
    os.makedirs(WORK, exist_ok=True)
    results = {}
    if os.path.exists(OUT):
        with open(OUT) as f:
            results = {k: v for k, v in json.load(f)['candidates'].items() if v.get('steps') == a.steps}
    for name in a.only.split(','):
        r = run(name, a.steps, a.data, extra)
        if r is not None:
            results[name] = r
            with open(OUT + '.tmp', 'w') as f:
                json.dump({'recipe': {'steps': a.steps, 'data': os.path.relpath(a.data, HERE), 'seed': 1, 'extra': extra},
                           'candidates': results}, f, indent=1)
            os.replace(OUT + '.tmp', OUT)
    print(table(results))


if __name__ == '__main__':
    main()
