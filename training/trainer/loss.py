"""DeePMD-style energy/force/virial loss with learning-rate-scaled prefactors, the exponential learning-rate decay,
and the relative force error of the paper's eq. 4 (level 1) for high-force configurations.
"""
from __future__ import annotations

import math
import warnings
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
    # the same frames' energy and virial residuals divided by (1 + e_exc / relative_e), e_exc = |E_dft - E_ref| / N the
    # frame's energy per atom away from the condensed-phase energy of its composition (the fitted per-type bias,
    # eV/atom): a strongly compressed cell 20 eV/atom up counts for its relative, not its absolute, energy error, as
    # its forces do under relative_f (needs relative_f; None: off)
    relative_e: float | None = None
    # how frames of different sizes weigh in the energy term: 'atoms' = DeePMD-kit's pref_e/N * dE^2 (a frame counts
    # N times its squared per-atom error, so a 3-atom primitive cell barely counts next to a 36-atom supercell);
    # 'frames' = pref_e * N_mean * (dE/N)^2 (every frame's per-atom error counts the same, at the same overall scale
    # for a batch of equal sizes)
    energy_weight: str = 'atoms'


@dataclass
class LRConfig:
    start_lr: float = 1e-3
    stop_lr: float = 3.51e-8
    decay_steps: int = 5000
    num_steps: int = 1_000_000
    # DeePMD-kit v3's warmup_steps: the optimiser's rate rises linearly from 0 over these first steps. A fine-tune
    # (--init-model) needs it: Adam's first steps, with empty moment estimates, move every weight by about the full
    # rate at once, which throws a converged model far off (measured: 32 -> 220 meV/atom held-out after 2 steps at
    # 3e-4) and costs the run its first thousand steps to recover.  The prefactors follow the undamped lr().
    warmup_steps: int = 0

    def warmup(self, step: int) -> float:
        return min(1.0, (step + 1) / self.warmup_steps) if self.warmup_steps > 0 else 1.0

    def lr(self, step: int) -> float:
        """DeePMD-kit's exponential decay (staircase): start_lr * rate^floor(step / decay_steps), with the rate chosen
        so that the last step reaches stop_lr."""
        rate = math.exp(math.log(self.stop_lr / self.start_lr) / (self.num_steps / self.decay_steps))
        return self.start_lr * rate ** (step // self.decay_steps)


def prefactors(cfg: LossConfig, lr: float, start_lr: float) -> tuple[float, float, float]:
    s = lr / start_lr
    p = lambda a, b: b + (a - b) * s
    return p(cfg.start_pref_e, cfg.limit_pref_e), p(cfg.start_pref_f, cfg.limit_pref_f), p(cfg.start_pref_v, cfg.limit_pref_v)


def batch_loss(cfg: LossConfig, pref: tuple[float, float, float], pred: dict, energy: torch.Tensor, force: torch.Tensor,
               virial: torch.Tensor | None, natoms: torch.Tensor, frame: torch.Tensor,
               energy_ref: torch.Tensor | None = None) -> tuple[torch.Tensor, dict]:
    """DeePMD-kit's EnerStdLoss averaged over the frames of a batch (frame (n,): the frame of each atom):
    per frame pref_e/N * (dE)^2 + pref_f * mean((dF)^2) + pref_v/N * mean((dW)^2)   (N atoms); with energy_weight
    'frames' the energy term is pref_e * mean(N) * (dE/N)^2.
    With relative_f, the force residual of each atom of a frame whose largest DFT force exceeds relative_f_min_force
    is divided by (|F_dft| + relative_f) (the paper's eq. 4); with relative_e (and energy_ref (F,), the condensed-phase
    energy of each frame's composition) the energy and virial residuals of those frames by (1 + |E - E_ref|/N / relative_e)."""
    pe, pf, pv = pref
    nf = len(energy)
    nat = natoms.to(force.dtype)
    de = pred['energy'] - energy
    df = pred['force'] - force
    df2 = (df * df).sum(dim=1)
    w2 = df2
    escale = torch.ones_like(de)  # divides each frame's energy and virial residual in the loss (relative_e)
    if cfg.relative_f is not None:
        fn = force.norm(dim=1)
        with warnings.catch_warnings():  # scatter_reduce is "beta" in torch 1.13 (and stable since)
            warnings.simplefilter('ignore')
            fmax = torch.zeros(nf, dtype=force.dtype).scatter_reduce(0, frame, fn, reduce='amax', include_self=False)
        rel_frame = fmax > cfg.relative_f_min_force
        rel = rel_frame[frame]
        w2 = torch.where(rel, df2 / (fn + cfg.relative_f) ** 2, df2)
        if cfg.relative_e is not None and energy_ref is not None:
            escale = torch.where(rel_frame, 1 + (energy - energy_ref).abs() / nat / cfg.relative_e, escale)
    mse_f = torch.zeros(nf, dtype=force.dtype).index_add(0, frame, w2) / (3 * nat)
    dew = de / escale
    if cfg.energy_weight == 'frames':
        loss = pe * nat.mean() * (dew / nat) ** 2 + pf * mse_f
    else:
        loss = pe / nat * dew * dew + pf * mse_f
    info = {'rmse_e_atom': float(((de.detach() / nat) ** 2).mean().sqrt()),
            'rmse_f': float((df2.detach().sum() / (3 * len(frame))).sqrt())}
    if pv > 0 and virial is not None:
        dv = pred['virial'] - virial
        mse_v = (dv * dv).mean(dim=(1, 2))
        loss = loss + pv / nat * mse_v / escale ** 2
        info['rmse_v_atom'] = float((mse_v.detach() / nat ** 2).mean().sqrt())
    return loss.mean(), info


def frame_loss(cfg: LossConfig, pref: tuple[float, float, float], pred: dict, energy: float, force: torch.Tensor,
               virial: torch.Tensor | None, natoms: int) -> tuple[torch.Tensor, dict]:
    """batch_loss of one frame (pred as DPModel.forward returns it)."""
    one = {**pred, 'energy': pred['energy'].reshape(1), 'virial': pred['virial'].reshape(1, 3, 3)}
    return batch_loss(cfg, pref, one, torch.tensor([energy], dtype=force.dtype), force,
                      None if virial is None else virial.reshape(1, 3, 3), torch.tensor([natoms]),
                      torch.zeros(len(force), dtype=torch.long))
