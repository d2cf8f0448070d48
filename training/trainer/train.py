"""The training loop: Adam, DeePMD-kit's exponential learning-rate decay and prefactor schedules, one or more frames
per step, periodic logging of the running RMSEs, and a checkpoint (model, optimiser, step, sampling state) written
every few minutes so that a long run stopped at any moment resumes where it was."""
from __future__ import annotations

import dataclasses
import hashlib
import os
import random
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from .data import Frame, prepare
from .loss import LossConfig, LRConfig, prefactors
from .loss import batch_loss as loss_of_batch
from .model import DTYPE, DPModel, NeighborData, merge_neighbors


@dataclass
class TrainConfig:
    loss: LossConfig = field(default_factory=LossConfig)
    lr: LRConfig = field(default_factory=LRConfig)
    batch_size: int = 1  # frames per step
    disp_freq: int = 100
    seed: int = 1
    # the precision of the training steps: 'float32' runs about 1.9x faster on this CPU (measured: 0.10 vs 0.20 s per
    # 64-frame step of the default net); the statistics before and the model after are float64 either way
    precision: str = 'float64'
    init_model: str = ''  # sha256 of the model a run starts from (--init-model): a checkpoint resumes only the same start
    # each near-equilibrium frame (near_equilibrium below) enters every shuffled epoch this many times: DeePMD-kit's
    # per-system sampling probability (auto_prob), for the frames the accuracy target is judged on
    near_eq_repeat: int = 1
    # where the steps run: 'cpu', or 'cuda' (PyTorch 2.x): the model and every tensor made during the steps (batches,
    # neighbour indices) go there; statistics before and evaluation after stay on the CPU
    device: str = 'cpu'


def frame_tensors(f: Frame):
    return (torch.as_tensor(f.coord, dtype=DTYPE), None if f.box is None else torch.as_tensor(f.box, dtype=DTYPE),
            torch.as_tensor(f.atype), torch.as_tensor(f.force, dtype=DTYPE),
            None if f.virial is None else torch.as_tensor(f.virial, dtype=DTYPE))


@dataclass
class Batch:
    """Frames side by side, evaluated in one forward pass (DPModel.forward_frames)."""
    coord: torch.Tensor  # (n, 3)
    boxes: torch.Tensor | None  # (F, 3, 3); zeros for a frame without a cell; None if no frame has one
    atype: torch.Tensor  # (n,)
    frame: torch.Tensor  # (n,) frame of each atom
    nb: NeighborData
    natoms: torch.Tensor  # (F,)
    energy: torch.Tensor  # (F,)
    force: torch.Tensor  # (n, 3)
    virial: torch.Tensor | None  # (F, 3, 3); None unless every frame has one
    energy_ref: torch.Tensor | None = None  # (F,) condensed-phase energy of each frame's composition (relative_e)


def make_batch(frames: list[Frame], dtype: torch.dtype = DTYPE) -> Batch:
    t = lambda a: torch.as_tensor(np.asarray(a), dtype=dtype)
    has_box = any(f.box is not None for f in frames)
    return Batch(
        coord=t(np.concatenate([f.coord for f in frames])),
        boxes=t(np.stack([f.box if f.box is not None else np.zeros((3, 3)) for f in frames])) if has_box else None,
        atype=torch.as_tensor(np.concatenate([f.atype for f in frames])),
        frame=torch.as_tensor(np.repeat(np.arange(len(frames)), [f.natoms for f in frames])),
        nb=merge_neighbors([f.nb for f in frames], [f.natoms for f in frames]),
        natoms=torch.as_tensor([f.natoms for f in frames]),
        energy=t([f.energy for f in frames]),
        force=t(np.concatenate([f.force for f in frames])),
        virial=t(np.stack([f.virial for f in frames])) if all(f.virial is not None for f in frames) else None,
        energy_ref=t([f.energy_ref for f in frames]) if all(f.energy_ref is not None for f in frames) else None)


def predict(model: DPModel, b: Batch) -> dict:
    return model.forward_frames(b.coord, b.boxes, b.atype, b.nb, b.frame, len(b.energy))


def batch_loss(model: DPModel, frames: list[Frame] | Batch, cfg: TrainConfig, lr: float):
    b = frames if isinstance(frames, Batch) else make_batch(frames, model.dtype)
    return loss_of_batch(cfg.loss, prefactors(cfg.loss, lr, cfg.lr.start_lr), predict(model, b), b.energy, b.force,
                         b.virial, b.natoms, b.frame, b.energy_ref)


def fingerprint(model: DPModel, frames: list[Frame], cfg: TrainConfig) -> str:
    """What a checkpoint must match to be resumed: the architecture, the training settings and the frames. Not the
    length of the run: a run resumed with another step count goes on under the learning-rate schedule of the new
    length (DeePMD-kit does the same when numb_steps changes on a restart), so a long run can be shortened or
    extended without losing what it has learnt."""
    # nor the device: a run checkpointed on a GPU resumes on the CPU and the other way round
    same_any_length = dataclasses.replace(cfg, lr=dataclasses.replace(cfg.lr, num_steps=0), device='cpu')
    h = hashlib.sha256(repr((model.cfg, same_any_length, [(f.id, f.natoms, f.energy) for f in frames])).encode())
    return h.hexdigest()


def train(model: DPModel, frames: list[Frame], cfg: TrainConfig, steps: int | None = None, log=print, stat: bool = True,
          bias_frames: list[Frame] | None = None, atom_energies=None, checkpoint: str | None = None,
          checkpoint_seconds: float = 300.0) -> list[float]:
    """Trains in place; returns the loss of every step. `stat`: compute davg/dstd and the energy bias first.
    `checkpoint`: a file to resume from when it matches this run (same model, settings and frames) and to write
    every `checkpoint_seconds` (atomically); a run that finishes leaves it in place for the caller to remove."""
    if stat:
        prepare(model, frames, bias_frames, atom_energies)
    else:
        for f in frames:
            if f.nb is None:
                f.nb = model.neighbors(f.coord, f.box, f.atype)
    if cfg.loss.relative_e is not None:  # each frame's reference: its composition at the model's per-type energy
        per_type = (model.bias_atom_e + model.out_bias).detach().cpu().numpy()
        for f in frames:
            f.energy_ref = float(per_type[f.atype].sum())
    model.to(getattr(torch, cfg.precision))
    if cfg.device != 'cpu':
        model.to(cfg.device)
        torch.set_default_device(cfg.device)  # the batches and index tensors below are made there
    try:
        return _steps(model, frames, cfg, steps, log, checkpoint, checkpoint_seconds)
    finally:
        if cfg.device != 'cpu':
            torch.set_default_device('cpu')
        model.to('cpu')
        model.to(DTYPE)
        model.eval()


def _steps(model: DPModel, frames: list[Frame], cfg: TrainConfig, steps, log, checkpoint,
           checkpoint_seconds) -> list[float]:
    rng = random.Random(cfg.seed)
    order: list[int] = []
    whole = make_batch(frames, model.dtype) if cfg.batch_size >= len(frames) else None

    pool = epoch_pool(frames, cfg.near_eq_repeat)

    def next_batch() -> list[Frame] | Batch:
        # epochs of shuffled frames; a batch as large as the data set is the whole data set every step
        if whole is not None:
            return whole
        while len(order) < cfg.batch_size:
            perm = list(pool)
            rng.shuffle(perm)
            order.extend(perm)
        idx = [order.pop(0) for _ in range(cfg.batch_size)]
        return [frames[k] for k in idx]

    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr.start_lr)
    model.train()
    losses: list[float] = []
    nsteps = steps if steps is not None else cfg.lr.num_steps
    start = 0
    fp = fingerprint(model, frames, cfg) if checkpoint else ''
    if checkpoint and os.path.exists(checkpoint):
        ck = torch.load(checkpoint, weights_only=False, map_location=cfg.device)
        if ck.get('fingerprint') == fp:
            model.load_state_dict(ck['model'])
            opt.load_state_dict(ck['opt'])
            rng.setstate(ck['rng'])
            order[:] = ck['order']
            losses = list(ck['losses'])
            start = ck['step']
            if log:
                log(f'resumed from {checkpoint} at step {start} of {nsteps}' +
                    (f" (learning rate now on the schedule of {nsteps} steps instead of {ck['steps']})"
                     if ck.get('steps', nsteps) != nsteps else ''))
        elif log:
            log(f'{checkpoint} is from another run (model, settings or data differ): starting afresh')

    def save(step: int) -> None:
        tmp = f'{checkpoint}.tmp'
        torch.save({'fingerprint': fp, 'step': step, 'steps': nsteps, 'model': model.state_dict(), 'opt': opt.state_dict(),
                    'rng': rng.getstate(), 'order': list(order), 'losses': losses}, tmp)
        os.replace(tmp, checkpoint)

    t0 = last_save = time.time()
    for step in range(start, nsteps):
        lr = cfg.lr.lr(step)
        for g in opt.param_groups:
            g['lr'] = lr * cfg.lr.warmup(step)
        batch = next_batch()
        loss, info = batch_loss(model, batch, cfg, lr)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
        if log and (step % cfg.disp_freq == 0):
            log(f"step {step:7d}  lr {lr:.3e}  loss {float(loss):.4e}  rmse_e {info['rmse_e_atom']:.4e} eV/atom  "
                f"rmse_f {info['rmse_f']:.4e} eV/A  ({time.time() - t0:.1f} s)")
        if checkpoint and (time.time() - last_save > checkpoint_seconds or step == nsteps - 1):
            save(step + 1)
            last_save = time.time()
    return losses


NEAR_EQ_FMAX = 5.0  # eV/A: a frame is "near equilibrium" when its largest DFT force is below this ...
NEAR_EQ_EXCLUDE = {'atom', 'dimer', 'hot'}  # ... and it is a condensed, not a hot or gas-phase, configuration ...
# ... whose Mo-S bonds and Mo-Mo distances are within 5 % of the relaxed monolayer's (our DFT, A).  The distance tests
# matter for the small strained cells: a uniformly strained 3-atom cell has almost no forces (symmetry) even at 30 %
# strain, and a compressed layer that thickens keeps its Mo-S bonds, so neither forces nor Mo-S alone will do.
D_MOS, A0_MOMO, NEAR_EQ_STRAIN = 2.4137, 3.1855, 0.05
NEAR_EQ_RULE = (f'categories other than {sorted(NEAR_EQ_EXCLUDE)}, max |F_DFT| <= {NEAR_EQ_FMAX} eV/A, and the Mo-S '
                f'bond and the Mo-Mo distance (mean over the three nearest S, resp. Mo; median over the Mo atoms) within '
                f'{NEAR_EQ_STRAIN:.0%} of {D_MOS} and {A0_MOMO} A')


def epoch_pool(frames: list[Frame], near_eq_repeat: int) -> list[int]:
    """The frame indices of one training epoch: each near-equilibrium frame near_eq_repeat times, the others once."""
    return [k for k, f in enumerate(frames) for _ in range(near_eq_repeat if near_equilibrium(f) else 1)]


def near_equilibrium(f: Frame, type_map: tuple[str, ...] = ('Mo', 'S')) -> bool:
    if f.category in NEAR_EQ_EXCLUDE or f.max_force > NEAR_EQ_FMAX:
        return False
    mo, s = type_map.index('Mo'), type_map.index('S')
    for (a, b), ref in (((mo, s), D_MOS), ((mo, mo), A0_MOMO)):
        d = f.shell_distance(a, b, k=3)
        if d is None or abs(d / ref - 1) > NEAR_EQ_STRAIN:
            return False
    return True


def evaluate(model: DPModel, frames: list[Frame]) -> dict:
    """Energy (per atom), force and virial (per atom) RMSE over frames: {'all', 'near_equilibrium', each category}
    -> {'n', 'rmse_e_atom', 'rmse_f', 'rmse_v_atom'} (eV, eV/A); groups without frames are left out."""
    acc: dict[str, list] = {}
    model.eval()
    for f in frames:
        coord, box, atype, force, virial = frame_tensors(f)
        pred = model(coord, box, atype, f.nb or model.neighbors(f.coord, f.box, f.atype), virial=virial is not None)
        de = (float(pred['energy']) - f.energy) / f.natoms
        df2 = float(((pred['force'].detach() - force) ** 2).sum())
        dv2 = float(((pred['virial'].detach() - virial) ** 2).mean()) / f.natoms ** 2 if virial is not None else None
        row = (de * de, df2, force.numel(), dv2)
        for g in ['all', f.category] + (['near_equilibrium'] if near_equilibrium(f, tuple(model.cfg.type_map)) else []):
            acc.setdefault(g, []).append(row)
    out = {}
    for g, rows in acc.items():
        v = [r[3] for r in rows if r[3] is not None]
        out[g] = {'n': len(rows), 'rmse_e_atom': (sum(r[0] for r in rows) / len(rows)) ** 0.5,
                  'rmse_f': (sum(r[1] for r in rows) / max(sum(r[2] for r in rows), 1)) ** 0.5,
                  'rmse_v_atom': (sum(v) / len(v)) ** 0.5 if v else None}
    return out
