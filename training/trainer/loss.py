"""DeePMD-style energy/force/virial loss with learning-rate-scaled prefactors, the exponential learning-rate decay,
and the relative force error of the paper's eq. 4 (level 1) for high-force configurations.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass
class LossConfig:
    start_pref_e: float = 0.02
    limit_pref_e: float = 1.0
    start_pref_f: float = 1000.0
    limit_pref_f: float = 1.0
    start_pref_v: float = 0.0
    limit_pref_v: float = 0.0
    # relative force error: the force residual of an atom is divided by (|F_dft| + relative_f) (eV/A), applied to
    # configurations whose largest DFT force exceeds relative_f_min_force (0: every configuration); None: off.
    relative_f: float | None = None
    relative_f_min_force: float = 0.0


@dataclass
class LRConfig:
    start_lr: float = 1e-3
    stop_lr: float = 3.51e-8
    decay_steps: int = 5000
    num_steps: int = 1_000_000

    def lr(self, step: int) -> float:
        """DeePMD-kit's exponential decay (staircase): start_lr * rate^floor(step / decay_steps), with the rate chosen
        so that the last step reaches stop_lr."""
        rate = math.exp(math.log(self.stop_lr / self.start_lr) / (self.num_steps / self.decay_steps))
        return self.start_lr * rate ** (step // self.decay_steps)


def prefactors(cfg: LossConfig, lr: float, start_lr: float) -> tuple[float, float, float]:
    s = lr / start_lr
    p = lambda a, b: b + (a - b) * s
    return p(cfg.start_pref_e, cfg.limit_pref_e), p(cfg.start_pref_f, cfg.limit_pref_f), p(cfg.start_pref_v, cfg.limit_pref_v)


def frame_loss(cfg: LossConfig, pref: tuple[float, float, float], pred: dict, energy: float, force: torch.Tensor,
               virial: torch.Tensor | None, natoms: int) -> tuple[torch.Tensor, dict]:
    """DeePMD-kit's EnerStdLoss for one frame:
    pref_e/N * (dE)^2 + pref_f * mean((dF)^2) + pref_v/N * mean((dW)^2)   (N atoms; energy/virial per-atom normalised)."""
    pe, pf, pv = pref
    de = pred['energy'] - energy
    df = pred['force'] - force
    if cfg.relative_f is not None and float(force.norm(dim=1).max()) > cfg.relative_f_min_force:
        df = df / (force.norm(dim=1, keepdim=True) + cfg.relative_f)
    loss = pe / natoms * de * de + pf * (df * df).mean()
    info = {'rmse_e_atom': abs(float(de)) / natoms, 'rmse_f': float(((pred['force'] - force) ** 2).mean().sqrt())}
    if pv > 0 and virial is not None:
        dv = pred['virial'] - virial
        loss = loss + pv / natoms * (dv * dv).mean()
        info['rmse_v_atom'] = float((dv * dv).mean().sqrt()) / natoms
    return loss, info
