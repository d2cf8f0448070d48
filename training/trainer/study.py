"""Shared runner of the training studies (size_study.py: architectures; recipe_study.py: training recipes): each
variant is one train.py run into work/<study>/<name>, finished ones are skipped and interrupted ones resume from
their checkpoint; several run side by side (one thread each) when the machine has the cores."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor


HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAIN = os.path.join(HERE, 'train.py')


def run_variant(base: str, args: list[str]) -> dict | None:
    """train.py ARGS --out BASE (one thread), unless BASE.metrics.json exists; returns its metrics with the wall and
    CPU seconds of the run, or None if train.py failed (its log: BASE.log)."""
    if not os.path.exists(base + '.metrics.json'):
        cmd = [sys.executable, TRAIN, '--threads', '1', *args, '--out', base]
        print(f"{time.strftime('%H:%M:%S')} {os.path.basename(base)}: {' '.join(cmd[1:])}", flush=True)
        t0 = time.time()
        with open(base + '.log', 'a') as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(proc.pid, 0)  # this child's own CPU time (several run at once)
        rc = os.waitstatus_to_exitcode(status)
        if rc != 0:
            print(f'{os.path.basename(base)}: train.py exited {rc} (see {base}.log); rerun resumes it', flush=True)
            return None
        with open(base + '.timing.json', 'w') as f:
            json.dump({'wall_s': time.time() - t0, 'cpu_s': usage.ru_utime}, f)
    with open(base + '.metrics.json') as f:
        m = json.load(f)
    timing = {}
    if os.path.exists(base + '.timing.json'):
        with open(base + '.timing.json') as f:
            timing = json.load(f)
    return {'n_train': m['split']['n_train'], 'n_held_out': m['split']['n_held_out'],
            'held_out': m['by_category'], 'training': m['train_by_category'], **timing}


def run_all(work: str, variants: dict[str, list[str]], jobs: int, done) -> dict:
    """Runs every variant (name -> train.py args) in work/, `jobs` at a time; `done(name, result)` is called as each
    one finishes (to save the study's results as it goes)."""
    os.makedirs(work, exist_ok=True)
    results = {}
    lock = threading.Lock()  # one save at a time

    def one(name):
        r = run_variant(os.path.join(work, name), variants[name])
        if r is not None:
            with lock:
                results[name] = r
                done(name, r)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(one, variants))
    return {n: results[n] for n in variants if n in results}


def save_json(path: str, obj: dict) -> None:
    with open(path + '.tmp', 'w') as f:
        json.dump(obj, f, indent=1)
    os.replace(path + '.tmp', path)


def table(results: dict, describe, label: str = 'variant') -> str:
    """Markdown: held-out near-equilibrium and all-frame RMSE, training RMSE and CPU minutes per variant;
    describe(name, result) -> the variant's description column."""
    rows = [f'| {label} | settings | held-out near-eq E (meV/atom) | F (eV/Å) | held-out all E | F | training near-eq E | '
            'training all E | F | train CPU (min) |',
            '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |']
    for name, r in results.items():
        h, t = r['held_out'], r['training']
        ne, al, tn, ta = h.get('near_equilibrium', {}), h.get('all', {}), t.get('near_equilibrium', {}), t.get('all', {})
        e = lambda g: f"{1000 * g['rmse_e_atom']:.1f}" if g else '-'
        f = lambda g: f"{g['rmse_f']:.3f}" if g else '-'
        rows.append(f"| {name} | {describe(name, r)} | {e(ne)} (n={ne.get('n', 0)}) | {f(ne)} | {e(al)} | {f(al)} | "
                    f"{e(tn)} | {e(ta)} | {f(ta)} | {r.get('cpu_s', float('nan')) / 60:.0f} |")
    return '\n'.join(rows)
