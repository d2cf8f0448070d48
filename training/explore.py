#!/usr/bin/python3
"""Active learning: explore with the installed ensemble and queue the frames it disagrees on for the DFT labeller.

    /usr/bin/python3 training/explore.py --iter 1                 run the iteration (resumable), write its configurations
    /usr/bin/python3 training/explore.py --iter 1 --temps 300,1000 --steps 3000 --max-total 40
    /usr/bin/python3 training/explore.py --iter 1 --status        the runs made so far and their deviation statistics

One iteration of DP-GEN's loop (the paper's Fig. 1): for every source (the training frame closest to equilibrium of
each defect type and pristine cell, 2x2 and 3x3, from the labelled data) and every temperature, a Langevin MD run with
the default model; every 10 steps the four models' forces give max_devi_f (trainer/explore.py), and up to --per-run
frames with lo <= max_devi_f < hi are picked. Each run is saved to work/explore/iterNN/ as it ends (a rerun skips it).
An iteration is written once: a rerun of a written one stops (its frames may be labelled; the sources follow the
grown data), so the next exploration is --iter NN+1.
Then configs/explore/iterNN.extxyz is written: ids '<category>-alNN-KKKK', the source's category, calc kind and note
(so the spin check and the queue treat them as their source: spin-checked where the group is magnetic, labelled
ahead of the generator's configurations), and the run's statistics go to results/explore_iterNN.json. Then
`label.sh start` labels them like any other configuration. Sources are training frames only, so no MD starts
from a held-out geometry.
"""
import argparse
import json
import os
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from trainer.threads import limit_from_argv  # noqa: E402

limit_from_argv(sys.argv, default=1)

import numpy as np  # noqa: E402
from ase import Atoms  # noqa: E402
from ase.io import write  # noqa: E402

ROOT = os.path.dirname(HERE)
MODELS = [os.path.join(ROOT, 'models', f) for f in
          ('mos2-dptab.json', 'mos2-dptab-s2.json', 'mos2-dptab-s3.json', 'mos2-dptab-s4.json')]
EXPLORED = ('vacancy', 'substitution', 'interstitial', 'monolayer')
# pristine sources: the thermal cells at the equilibrium lattice, not the compressed or thick ones
MONOLAYER_GROUPS = ('monolayer|monolayer hex2', 'monolayer|monolayer hex3')


def sources(data: str, min_atoms: int = 8, max_atoms: int = 30) -> list[tuple[str, object]]:
    """(id, Atoms) per (defect type or pristine cell, size): the training frame with the smallest largest DFT force."""
    from factory.label import load_configs
    from factory.spin import group_of
    from ensemble import split_frames
    configs = load_configs()
    train, _ = split_frames(data, ('Mo', 'S'))
    best = {}
    for f in train:
        at = configs.get(f.id)
        if at is None or at.info['category'] not in EXPLORED or not min_atoms <= f.natoms <= max_atoms:
            continue
        g = group_of(at)
        if at.info['category'] == 'monolayer' and g not in MONOLAYER_GROUPS:
            continue
        key = (g, f.natoms)
        if key not in best or f.max_force < best[key][0]:
            best[key] = (f.max_force, f)
    out = []
    for key in sorted(best):
        f = best[key][1]
        src = configs[f.id].copy()
        src.positions = f.coord          # the labelled geometry (the same as the configuration's)
        out.append((f.id, src))
    return out


def read_run(path: str) -> dict:
    with open(path) as fh:
        return json.load(fh)


def run_one(path: str, src_id: str, src, T: float, calcs, cfg, seed: int) -> dict:
    from trainer import explore as X
    if os.path.exists(path):
        return read_run(path)
    t0 = time.time()
    samples = X.run_md(src, calcs, T, cfg, seed)
    picked = X.select(samples, cfg, seed + 1)
    rec = {'source': src_id, 'T': T, 'seed': seed, 'cpu_s': round(time.time() - t0, 1), **X.summary(samples, cfg),
           'picked': [{'step': p['step'], 'devi': p['devi'], 'positions': p['positions'].tolist(),
                       'cell': p['cell'].tolist()} for p in picked]}
    tmp = path + '.tmp'
    with open(tmp, 'w') as fh:
        json.dump(rec, fh)
    os.replace(tmp, path)
    return rec


def note_of(src, T: float, rec: dict, p: dict, it: int) -> str:
    """The source's note without its per-configuration numbers and the generator's 'thermal', plus the MD origin
    (words with '=' are ignored by the spin groups, so the frame stays in its source's group)."""
    words = [w for w in src.info['note'].split() if '=' not in w and w != 'thermal']
    return ' '.join(words + [f'al={it}', f'src={rec["source"]}', f'T={T:g}K', f'step={p["step"]}',
                             f'devi={p["devi"]:.3f}'])


def assemble(recs: list[tuple], it: int, max_total: int) -> list[Atoms]:
    """The picked frames as configurations: round robin over the runs (each run's first pick, then its second ...)
    up to max_total, ids numbered per category in that order."""
    from factory.generate import estimate_cost
    order, depth = [], 0
    while len(order) < max_total and any(depth < len(r['picked']) for _, _, r in recs):
        for src, T, r in recs:
            if depth < len(r['picked']) and len(order) < max_total:
                order.append((src, T, r, r['picked'][depth]))
        depth += 1
    counts, out = {}, []
    for src, T, r, p in order:
        cat = src.info['category']
        k = counts[cat] = counts.get(cat, -1) + 1
        at = Atoms(src.get_chemical_symbols(), positions=p['positions'], cell=p['cell'], pbc=src.pbc)
        at.wrap()
        at.info['id'] = f'{cat}-al{it:02d}-{k:04d}'
        at.info['category'] = cat
        at.info['calc_kind'] = src.info['calc_kind']
        at.info['note'] = note_of(src, T, r, p, it)
        at.info['al_iter'] = it
        at.info['cost'] = round(float(estimate_cost(at, {'kind': src.info['calc_kind']})), 2)
        out.append(at)
    return out


def main():
    from trainer import explore as X
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--iter', type=int, required=True, help='the active-learning iteration (names the files)')
    ap.add_argument('--data', default=os.path.join(HERE, 'data'))
    ap.add_argument('--models', default=','.join(MODELS), help='the ensemble; the first drives the MD')
    ap.add_argument('--temps', default='300,600,1000', help='K')
    ap.add_argument('--steps', type=int, default=X.ExploreConfig.steps)
    ap.add_argument('--lo', type=float, default=X.ExploreConfig.lo)
    ap.add_argument('--hi', type=float, default=X.ExploreConfig.hi)
    ap.add_argument('--per-run', type=int, default=X.ExploreConfig.per_run)
    ap.add_argument('--max-total', type=int, default=60, help='configurations written for the labeller, at most')
    ap.add_argument('--only', default='', help='source ids (comma-separated) to explore from, default all')
    ap.add_argument('--status', action='store_true')
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()

    conf_path = os.path.join(HERE, 'configs', 'explore', f'iter{a.iter:02d}.extxyz')
    stats_path = os.path.join(HERE, 'results', f'explore_iter{a.iter:02d}.json')
    if os.path.exists(stats_path) and a.status:
        for r in read_run(stats_path)['runs']:
            print(f"{r['source']:20s} {r['T']:6g} K: accurate {r['accurate']:.2f} candidate {r['candidate']:.2f} "
                  f"failed {r['failed']:.2f}, picked {len(r['picked'])}")
        print(f"iteration {a.iter} written: {read_run(stats_path)['n_written']} configurations")
        return
    if os.path.exists(conf_path):
        # its frames may be labelled already, and the sources follow the data, which have grown since: writing it
        # again could renumber labelled ids
        sys.exit(f'explore.py: iteration {a.iter} is written already ({os.path.relpath(conf_path, ROOT)}); '
                 f'explore again with --iter {a.iter + 1}')
    import torch
    torch.set_num_threads(a.threads)
    from trainer.calculator import DPCalculator
    cfg = X.ExploreConfig(steps=a.steps, lo=a.lo, hi=a.hi, per_run=a.per_run)
    work = os.path.join(HERE, 'work', 'explore', f'iter{a.iter:02d}')
    os.makedirs(work, exist_ok=True)
    srcs = sources(a.data)
    if a.only:
        keep = set(a.only.split(','))
        srcs = [s for s in srcs if s[0] in keep]
    temps = [float(t) for t in a.temps.split(',')]
    runs = [(src_id, src, T, os.path.join(work, f'{src_id}-{T:g}K.json')) for src_id, src in srcs for T in temps]
    if a.status:
        done = [(T, read_run(path)) for _, _, T, path in runs if os.path.exists(path)]
        for T, r in done:
            print(f"{r['source']:20s} {T:6g} K: accurate {r['accurate']:.2f} candidate {r['candidate']:.2f} "
                  f"failed {r['failed']:.2f}, picked {len(r['picked'])}")
        print(f'{len(done)} of {len(runs)} runs done')
        return
    calcs = [DPCalculator(p) for p in a.models.split(',')]
    recs = []
    for src_id, src, T, path in runs:
        seed = zlib.crc32(f'{a.iter} {src_id} {T:g}'.encode())
        rec = run_one(path, src_id, src, T, calcs, cfg, seed)
        recs.append((src, T, rec))
        print(f"{src_id:20s} {src.info['note'][:34]:34s} {T:6g} K: {rec['n']:4d} frames, accurate "
              f"{rec['accurate']:.2f} candidate {rec['candidate']:.2f} failed {rec['failed']:.2f}, "
              f"devi median {rec['devi_median'] or 0:.3f} max {rec['devi_max'] or 0:.3f}, "
              f"picked {len(rec['picked'])} ({rec['cpu_s']} s)", flush=True)
    confs = assemble(recs, a.iter, a.max_total)
    os.makedirs(os.path.dirname(conf_path), exist_ok=True)
    write(conf_path, confs, format='extxyz')
    stats = {'iter': a.iter, 'models': [os.path.relpath(p, ROOT) for p in a.models.split(',')],
             'config': cfg.__dict__, 'temps': temps, 'n_written': len(confs),
             'runs': [{k: v for k, v in r.items() if k != 'picked'} | {'picked': [p['step'] for p in r['picked']],
                                                                       'picked_devi': [p['devi'] for p in r['picked']]}
                      for _, _, r in recs]}
    with open(stats_path, 'w') as fh:
        json.dump(stats, fh, indent=1)
    d = np.array([r['candidate'] for _, _, r in recs])
    print(f'{len(confs)} configurations -> configs/explore/iter{a.iter:02d}.extxyz; candidate fraction mean '
          f'{d.mean():.2f} over {len(recs)} runs')


if __name__ == '__main__':
    main()
