"""The training loop: Adam, DeePMD-kit's exponential learning-rate decay and prefactor schedules, one or more frames
per step, periodic logging of the running RMSEs."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import torch

from .data import Frame, prepare
from .loss import LossConfig, LRConfig, frame_loss, prefactors
from .model import DTYPE, DPModel


@dataclass
class TrainConfig:
    loss: LossConfig = field(default_factory=LossConfig)
    lr: LRConfig = field(default_factory=LRConfig)
    batch_size: int = 1  # frames per step
    disp_freq: int = 100
    seed: int = 1


def frame_tensors(f: Frame):
    return (torch.as_tensor(f.coord, dtype=DTYPE), None if f.box is None else torch.as_tensor(f.box, dtype=DTYPE),
            torch.as_tensor(f.atype), torch.as_tensor(f.force, dtype=DTYPE),
            None if f.virial is None else torch.as_tensor(f.virial, dtype=DTYPE))


def batch_loss(model: DPModel, frames: list[Frame], cfg: TrainConfig, lr: float):
    pref = prefactors(cfg.loss, lr, cfg.lr.start_lr)
    total, infos = 0.0, []
    for f in frames:
        coord, box, atype, force, virial = frame_tensors(f)
        pred = model(coord, box, atype, f.nb)
        loss, info = frame_loss(cfg.loss, pref, pred, f.energy, force, virial, f.natoms)
        total = total + loss
        infos.append(info)
    return total / len(frames), infos


def train(model: DPModel, frames: list[Frame], cfg: TrainConfig, steps: int | None = None, log=print, stat: bool = True,
          bias_frames: list[Frame] | None = None, atom_energies=None) -> list[float]:
    """Trains in place; returns the loss of every step. `stat`: compute davg/dstd and the energy bias first."""
    if stat:
        prepare(model, frames, bias_frames, atom_energies)
    else:
        for f in frames:
            if f.nb is None:
                f.nb = model.neighbors(f.coord, f.box, f.atype)
    rng = random.Random(cfg.seed)
    order: list[int] = []

    def next_batch() -> list[Frame]:
        # epochs of shuffled frames; a batch as large as the data set is the whole data set every step
        if cfg.batch_size >= len(frames):
            return frames
        while len(order) < cfg.batch_size:
            perm = list(range(len(frames)))
            rng.shuffle(perm)
            order.extend(perm)
        idx = [order.pop(0) for _ in range(cfg.batch_size)]
        return [frames[k] for k in idx]

    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr.start_lr)
    model.train()
    losses = []
    t0 = time.time()
    for step in range(steps if steps is not None else cfg.lr.num_steps):
        lr = cfg.lr.lr(step)
        for g in opt.param_groups:
            g['lr'] = lr
        batch = next_batch()
        loss, infos = batch_loss(model, batch, cfg, lr)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
        if log and (step % cfg.disp_freq == 0):
            e = sum(i['rmse_e_atom'] for i in infos) / len(infos)
            fr = sum(i['rmse_f'] for i in infos) / len(infos)
            log(f'step {step:7d}  lr {lr:.3e}  loss {float(loss):.4e}  |dE|/atom {e:.4e} eV  rmse_f {fr:.4e} eV/A  ({time.time() - t0:.1f} s)')
    model.eval()
    return losses


def evaluate(model: DPModel, frames: list[Frame]) -> dict:
    """Energy (per atom) and force RMSE over frames."""
    se, sf, nf = 0.0, 0.0, 0
    model.eval()
    for f in frames:
        coord, box, atype, force, _ = frame_tensors(f)
        pred = model(coord, box, atype, f.nb)
        se += ((float(pred['energy']) - f.energy) / f.natoms) ** 2
        sf += float(((pred['force'].detach() - force) ** 2).sum())
        nf += force.numel()
    return {'rmse_e_atom': (se / len(frames)) ** 0.5, 'rmse_f': (sf / nf) ** 0.5}
