#!/usr/bin/python3
"""Train a DP-Tab (se_e2_a + pair table) MoS2 model on training/data and export it as a DeePMD-kit v3 "zbl" model.

  /usr/bin/python3 training/train.py --out training/work/models/s1 --seed 1      (the default recipe; see README)
  /usr/bin/python3 training/train.py --steps 5 --out /tmp/t --tiny          (smoke run)

Writes OUT.yaml and OUT.json (and OUT.log.jsonl with the step losses).  See trainer/__init__.py.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from trainer.threads import limit_from_argv  # noqa: E402

limit_from_argv(sys.argv)  # before numpy and torch load their thread pools

import numpy as np  # noqa: E402
import torch  # noqa: E402

from trainer import export  # noqa: E402
from trainer.export import file_sha256, read_model_dict  # noqa: E402
from trainer.data import isolated_atom_energies, read_dataset, split  # noqa: E402
from trainer.loss import LossConfig, LRConfig  # noqa: E402
from trainer.model import DPModel, ModelConfig, PairTable, build_neighbors  # noqa: E402
from trainer.train import TrainConfig, evaluate, train  # noqa: E402


def min_distance(f) -> float:
    nb = build_neighbors(f.coord, f.box, f.atype, 3.0, [64] * (int(f.atype.max()) + 1))
    d = f.coord[nb.j] - f.coord[nb.i] + (nb.shift @ f.box if f.box is not None else 0)
    return float(np.linalg.norm(d, axis=1).min()) if len(d) else np.inf


NO_FIT_BELOW = 1.2  # A: frames with a shorter distance are left to the pair table (sw_rmax)
VALID_FRAC = 0.1    # held-out fraction, by a hash of each frame id


def fitted_frames(data: str, type_map: list[str], no_fit_below: float = NO_FIT_BELOW) -> list:
    """The frames of a data set that a model is fitted to and evaluated on (before the held-out split)."""
    frames = read_dataset(data, type_map)
    return [f for f in frames if f.natoms < 2 or min_distance(f) >= no_fit_below] if no_fit_below > 0 else frames


def chain_steps(prov: dict | None) -> int:
    """Training steps of a model over its chain of --init-model runs, as far as its provenance records them."""
    if not isinstance(prov, dict):
        return 0
    if isinstance(prov.get('total_steps'), int):
        return prov['total_steps']
    return int(prov.get('steps') or 0) + chain_steps((prov.get('init_model') or {}).get('provenance'))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', default=os.path.join(HERE, 'data'))
    p.add_argument('--table', default=os.path.join(os.path.dirname(HERE), 'models', 'mos2-pairtable.txt'),
                   help="pair table in DeePMD-kit's format ('none': no table, a plain DP model)")
    p.add_argument('--out', required=True, help='output path without extension')
    p.add_argument('--steps', type=int, default=40000)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--rcut', type=float, default=6.0)
    p.add_argument('--rcut-smth', type=float, default=0.5)
    p.add_argument('--sel', default='40,80')
    p.add_argument('--neuron', default='16,32,64')
    p.add_argument('--axis-neuron', type=int, default=8)
    p.add_argument('--fitting', default='128,128,128')
    p.add_argument('--tiny', action='store_true', help='a tiny net (smoke runs)')
    p.add_argument('--start-lr', type=float, default=1e-3)
    p.add_argument('--stop-lr', type=float, default=1e-5)
    p.add_argument('--decay-steps', type=int, default=300)
    p.add_argument('--warmup-steps', type=int, default=0,
                   help="the learning rate rises linearly from 0 over these first steps (DeePMD-kit's warmup_steps); "
                        'for fine-tunes (--init-model), whose first Adam steps otherwise throw the model off')
    p.add_argument('--batch-size', type=int, default=64, help='frames per step, evaluated in one pass (the whole set when it has fewer)')
    p.add_argument('--pref', default='1,20,100,1,0.1,0.5', help='start_e,limit_e,start_f,limit_f,start_v,limit_v')
    p.add_argument('--relative-f', type=float, default=1.0, help="eps (eV/A) of the relative force error (paper eq. 4); 0: off")
    p.add_argument('--energy-weight', choices=['atoms', 'frames'], default='frames',
                   help="energy term per frame: 'atoms' = DeePMD-kit's pref_e/N*dE^2 (large cells dominate), "
                        "'frames' = pref_e*mean(N)*(dE/N)^2 (every frame's per-atom error counts alike)")
    p.add_argument('--relative-e', type=float, default=0.0,
                   help='eV/atom: the energy and virial residuals of the frames under the relative force error are '
                        'divided by (1 + |E - E_ref|/N / this), E_ref = their composition at the fitted per-type energy; '
                        '0: off')
    p.add_argument('--relative-f-min-force', type=float, default=5.0,
                   help='the relative force error applies to frames whose largest DFT force exceeds this (eV/A)')
    p.add_argument('--bias-exclude', default='dimer,atom', help='categories left out of the energy-bias fit')
    p.add_argument('--bias-mode', choices=['atoms', 'lstsq'], default='atoms',
                   help='atoms: out_bias = isolated-atom energies (the table zero), bias_atom_e = fit - atoms; '
                        'lstsq: out_bias = the fit (DeePMD-kit default)')
    p.add_argument('--no-fit-below', type=float, default=NO_FIT_BELOW,
                   help='leave out frames whose shortest distance is below this (A): the table alone describes them')
    p.add_argument('--valid-frac', type=float, default=VALID_FRAC,
                   help='held-out fraction (by a hash of each frame id, so a frame stays on its side as data grow)')
    p.add_argument('--near-eq-repeat', type=int, default=1,
                   help='each near-equilibrium frame enters every epoch this many times (DeePMD-kit auto_prob style '
                        'oversampling of the frames the accuracy target is judged on; needs --batch-size below the set)')
    p.add_argument('--disp-freq', type=int, default=100)
    p.add_argument('--threads', type=int, default=0)
    p.add_argument('--init-model', default='',
                   help='start from this exported model (.json/.yaml; its architecture, weights, davg/dstd and energy '
                        'bias; the --table file replaces its table), as DeePMD-kit --init-model: a run continues a '
                        'committed model in a later session, or fine-tunes it on grown data; use a lower --start-lr')
    p.add_argument('--precision', choices=['float64', 'float32'], default='float32',
                   help='precision of the training steps (float32: ~1.9x faster on CPU); statistics, evaluation and '
                        'export are float64 either way')
    p.add_argument('--device', default='cpu',
                   help="where the training steps run: 'cpu' or 'cuda' (needs PyTorch 2.x with CUDA); the data "
                        "statistics, evaluation and export stay on the CPU")
    p.add_argument('--fresh', action='store_true',
                   help='ignore OUT.ckpt.pt (by default an interrupted run with the same settings and data resumes)')
    a = p.parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)
    ints = lambda s: [int(x) for x in s.split(',') if x]
    cfg = ModelConfig(type_map=['Mo', 'S'], rcut=a.rcut, rcut_smth=a.rcut_smth, sel=ints(a.sel),
                      neuron=[4, 8, 16] if a.tiny else ints(a.neuron), axis_neuron=4 if a.tiny else a.axis_neuron,
                      fitting_neuron=[16, 16] if a.tiny else ints(a.fitting), seed=a.seed)
    init_sha, init_provenance = '', None
    if a.init_model:  # DeePMD-kit's --init-model: architecture, weights, statistics and bias from an exported model
        init_dict = read_model_dict(a.init_model)  # parsed once: the model and its provenance
        init = export.dict_to_model(init_dict)
        cfg = init.cfg
        init_sha = file_sha256(a.init_model)
        init_provenance = init_dict.get('dptab_training')
    table = None if a.table == 'none' else PairTable.from_file(a.table, cfg.rcut)
    model = DPModel(cfg, table)
    if a.init_model:  # the current table file replaces the one inside the init model (they differ once it is rebuilt)
        model.load_state_dict({k: v for k, v in init.state_dict().items() if k != 'tab_data'}, strict=False)
    frames = fitted_frames(a.data, cfg.type_map, a.no_fit_below)  # the isolated atoms are always kept
    atoms_e = isolated_atom_energies(frames, len(cfg.type_map)) if a.bias_mode == 'atoms' else None
    train_frames, held_out = split(frames, a.valid_frac, never={'atom'})
    excl = set(a.bias_exclude.split(','))
    pr = [float(x) for x in a.pref.split(',')]
    tc = TrainConfig(
        loss=LossConfig(*pr, relative_f=a.relative_f or None, relative_f_min_force=a.relative_f_min_force,
                        relative_e=a.relative_e or None,
                        energy_weight=a.energy_weight),
        lr=LRConfig(a.start_lr, a.stop_lr, a.decay_steps, a.steps, a.warmup_steps), batch_size=a.batch_size, disp_freq=a.disp_freq, seed=a.seed,
        precision=a.precision, init_model=init_sha, near_eq_repeat=a.near_eq_repeat, device=a.device)
    print(f'{len(train_frames)} training and {len(held_out)} held-out frames from {a.data}; model {cfg}', flush=True)
    t0 = time.time()
    ckpt = f'{a.out}.ckpt.pt'
    if a.fresh and os.path.exists(ckpt):
        os.remove(ckpt)
    losses = train(model, train_frames, tc, steps=a.steps, log=lambda s: print(s, flush=True), stat=not a.init_model,
                   bias_frames=[f for f in train_frames if f.category not in excl], atom_energies=atoms_e,
                   checkpoint=ckpt)
    metrics = {
        'split': {'fraction': a.valid_frac, 'rule': 'sha256(frame id) < fraction; isolated atoms always train',
                  'n_train': len(train_frames), 'n_held_out': len(held_out),
                  'held_out_ids': sorted(f.id for f in held_out)},
        'by_category': evaluate(model, held_out) if held_out else {},
        'train_by_category': evaluate(model, train_frames),
    }
    for name, m in (('held-out', metrics['by_category']), ('training', metrics['train_by_category'])):
        for g, r in sorted(m.items()):
            v = '' if r['rmse_v_atom'] is None else f"  virial {1000 * r['rmse_v_atom']:.1f} meV/atom"
            print(f"{name:9s} {g:17s} n={r['n']:4d}  E {1000 * r['rmse_e_atom']:8.2f} meV/atom  F {r['rmse_f']:.4f} eV/A{v}")
    provenance = {'dptab_training': {
        'trainer': 'training/train.py', 'argv': sys.argv[1:] if argv is None else list(argv),
        'options': vars(a),  # every option as resolved, defaults included (defaults change between sessions)
        'seed': a.seed,
        'steps': a.steps,
        # steps over the whole chain of --init-model runs: what the app shows (a re-export with --steps 0 trains none)
        'total_steps': a.steps + chain_steps(init_provenance),
        'train_seconds': round(time.time() - t0, 1), 'n_train': len(train_frames), 'n_held_out': len(held_out),
        'categories': sorted({f.category for f in frames}), 'table': None if a.table == 'none' else os.path.basename(a.table),
        'table_sha256': None if a.table == 'none' else file_sha256(a.table),
        'held_out_rmse': metrics['by_category'].get('near_equilibrium') or metrics['by_category'].get('all'),
    }}
    if a.init_model:
        # the start model's own provenance nested inside: a chain of fine-tunes (or a re-export with a rebuilt table,
        # --steps 0) keeps its whole history
        provenance['dptab_training']['init_model'] = {'file': os.path.basename(a.init_model), 'sha256': init_sha,
                                                      'provenance': init_provenance}
    for ext in ('yaml', 'json'):
        export.save(model, f'{a.out}.{ext}', extra=provenance)
    with open(f'{a.out}.metrics.json', 'w') as f:
        json.dump(metrics, f, indent=1)
    with open(f'{a.out}.log.jsonl', 'w') as f:
        for k, l in enumerate(losses):
            f.write(json.dumps({'step': k, 'loss': l}) + '\n')
    if os.path.exists(ckpt):
        os.remove(ckpt)  # finished and exported: nothing to resume
    print(f'wrote {a.out}.yaml, {a.out}.json, {a.out}.metrics.json')


if __name__ == '__main__':
    main()
