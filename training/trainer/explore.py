"""Active learning, the exploration step (DP-GEN's "model_devi" stage, the paper's Fig. 1 loop): molecular dynamics
with the default model from a labelled configuration, the ensemble's force deviation on sampled frames, and the
frames where the models disagree but have not left the physical range picked for DFT labelling.

    max_devi_f = max over atoms i of sqrt( mean over models m of |F_mi - <F_i>|^2 )

A frame is a candidate when lo <= max_devi_f < hi: below lo the ensemble agrees (the region is learnt), at or above
hi the models have left the trained region so far that the frame is likely unphysical (DP-GEN's trust levels).
Nothing here is specific to MoS2; the command line (training/explore.py) chooses the sources and writes them for the
factory.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ase import Atoms, units
from ase.md.langevin import Langevin
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary

from factory.structures import min_dist


@dataclass
class ExploreConfig:
    steps: int = 2000            # MD steps per run
    dt_fs: float = 1.0
    friction: float = 0.02       # Langevin friction (1/fs)
    every: int = 10              # evaluate the ensemble every this many steps
    skip: int = 200              # ... after this many steps of thermalisation
    lo: float = 0.30             # trust levels on max_devi_f (eV/A)
    hi: float = 1.00
    per_run: int = 2             # at most this many frames picked per run
    min_gap: int = 100           # picked frames at least this many MD steps apart
    dmin: float = 1.0            # stop a run whose closest pair comes below this (A): past the DP's range


def force_deviation(forces: np.ndarray) -> np.ndarray:
    """Per-atom force deviation of an ensemble: forces (models, atoms, 3) -> (atoms,) in the forces' unit."""
    f = np.asarray(forces, dtype=float)
    return np.sqrt(((f - f.mean(0)) ** 2).sum(-1).mean(0))


def max_force_deviation(forces: np.ndarray) -> float:
    """DP-GEN's max_devi_f: the largest per-atom force deviation of the ensemble."""
    return float(force_deviation(forces).max())


def ensemble_forces(calcs: list, atoms: Atoms) -> np.ndarray:
    """Forces of every calculator on the same configuration, (models, atoms, 3)."""
    out = []
    for c in calcs:
        a = atoms.copy()
        a.calc = c
        out.append(a.get_forces())
    return np.stack(out)


def run_md(atoms: Atoms, calcs: list, temperature_K: float, cfg: ExploreConfig, seed: int) -> list[dict]:
    """Langevin MD at temperature_K driven by calcs[0]; every cfg.every steps after cfg.skip, the ensemble's
    max_devi_f of the frame. Returns the samples: {'step', 'devi', 'positions', 'cell'}; the run stops early if two
    atoms come closer than cfg.dmin."""
    at = atoms.copy()
    at.calc = calcs[0]
    rng = np.random.default_rng(seed)
    MaxwellBoltzmannDistribution(at, temperature_K=temperature_K, rng=rng)
    Stationary(at)
    dyn = Langevin(at, cfg.dt_fs * units.fs, temperature_K=temperature_K, friction=cfg.friction / units.fs,
                   rng=rng, fixcm=True)
    samples = []
    for step in range(cfg.every, cfg.steps + 1, cfg.every):
        dyn.run(cfg.every)
        if min_dist(at) < cfg.dmin:
            break
        if step < cfg.skip:
            continue
        samples.append({'step': step, 'devi': max_force_deviation(ensemble_forces(calcs, at)),
                        'positions': at.positions.copy(), 'cell': at.cell.array.copy()})
    return samples


def select(samples: list[dict], cfg: ExploreConfig, seed: int) -> list[dict]:
    """At most cfg.per_run candidates (lo <= devi < hi), drawn at random (as DP-GEN does), cfg.min_gap steps apart."""
    cand = [s for s in samples if cfg.lo <= s['devi'] < cfg.hi]
    rng = np.random.default_rng(seed)
    picked = []
    for k in rng.permutation(len(cand)):
        s = cand[k]
        if len(picked) < cfg.per_run and all(abs(s['step'] - p['step']) >= cfg.min_gap for p in picked):
            picked.append(s)
    return sorted(picked, key=lambda s: s['step'])


def summary(samples: list[dict], cfg: ExploreConfig) -> dict:
    """DP-GEN's accurate / candidate / failed fractions of a run's sampled frames."""
    d = np.array([s['devi'] for s in samples])
    n = max(len(d), 1)
    return {'n': int(len(d)), 'accurate': float((d < cfg.lo).sum() / n),
            'candidate': float(((d >= cfg.lo) & (d < cfg.hi)).sum() / n), 'failed': float((d >= cfg.hi).sum() / n),
            'devi_median': float(np.median(d)) if len(d) else None, 'devi_max': float(d.max()) if len(d) else None}
