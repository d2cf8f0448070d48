"""DeePMD-kit npy systems (training/data/<category>/<formula>/{type.raw, type_map.raw, set.*/coord.npy ...}) and the
data statistics DeePMD-kit computes before training: davg/dstd of the environment matrix and the per-type energy bias.
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
from dataclasses import dataclass

import numpy as np
import torch

from .model import DTYPE, DPModel, NeighborData


@dataclass
class Frame:
    system: str  # path of the system directory
    category: str
    coord: np.ndarray  # (n, 3)
    box: np.ndarray | None  # (3, 3)
    atype: np.ndarray  # (n,) indices into the model's type_map
    energy: float
    force: np.ndarray  # (n, 3)
    virial: np.ndarray | None  # (3, 3)
    nb: NeighborData | None = None
    id: str = ''  # the labeller's configuration id (meta.json), or system path + index
    energy_ref: float | None = None  # condensed-phase energy of its composition (set by train() for relative_e)

    @property
    def max_force(self) -> float:
        return float(np.linalg.norm(self.force, axis=1).max())

    @property
    def natoms(self) -> int:
        return len(self.atype)

    def shell_distance(self, a: int, b: int, k: int = 6) -> float | None:
        """Median over the atoms of type a of the mean distance to their k nearest atoms of type b (periodic images
        included): a bond length that rattling does not bias.  None without both types."""
        pa, pb = self.coord[self.atype == a], self.coord[self.atype == b]
        if not len(pa) or not len(pb):
            return None
        shifts = np.zeros((1, 3))
        if self.box is not None:
            n = np.array([[i, j, l] for i in range(-2, 3) for j in range(-2, 3) for l in range(-1, 2)])
            shifts = n @ self.box
        d = np.linalg.norm(pa[:, None, None, :] - pb[None, :, None, :] - shifts[None, None, :, :], axis=-1)
        d = d.reshape(len(pa), -1)
        d = np.sort(np.where(d < 1e-8, np.inf, d), axis=1)[:, :k]   # an atom is not its own neighbour
        d = d[np.isfinite(d).all(axis=1)]                            # atoms with k neighbours of type b
        return float(np.median(d.mean(axis=1))) if len(d) else None


def read_system(path: str, type_map: list[str]) -> list[Frame]:
    atype = np.loadtxt(os.path.join(path, 'type.raw'), dtype=int, ndmin=1)
    tm_file = os.path.join(path, 'type_map.raw')
    if os.path.exists(tm_file):  # remap the system's own type indices onto the model's type_map
        names = open(tm_file).read().split()
        atype = np.array([type_map.index(names[t]) for t in atype])
    nopbc = os.path.exists(os.path.join(path, 'nopbc'))
    category = os.path.basename(os.path.dirname(os.path.abspath(path)))
    meta_fn = os.path.join(path, 'meta.json')
    ids = [fr['id'] for fr in json.load(open(meta_fn))['frames']] if os.path.exists(meta_fn) else []
    frames = []
    for s in sorted(glob.glob(os.path.join(path, 'set.*'))):
        ld = lambda name: np.load(os.path.join(s, name)) if os.path.exists(os.path.join(s, name)) else None
        coord, energy, force, box, virial = ld('coord.npy'), ld('energy.npy'), ld('force.npy'), ld('box.npy'), ld('virial.npy')
        for k in range(len(energy)):
            frames.append(Frame(path, category, coord[k].reshape(-1, 3), None if (box is None or nopbc) else box[k].reshape(3, 3),
                                atype, float(energy[k]), force[k].reshape(-1, 3),
                                None if virial is None else virial[k].reshape(3, 3),
                                id=ids[len(frames)] if len(frames) < len(ids) else f'{path}#{len(frames)}'))
    return frames


def read_dataset(root: str, type_map: list[str]) -> list[Frame]:
    """All systems under root (any depth), identified by their type.raw."""
    frames = []
    for t in sorted(glob.glob(os.path.join(root, '**', 'type.raw'), recursive=True)):
        frames += read_system(os.path.dirname(t), type_map)
    return frames


def is_held_out(frame_id: str, fraction: float) -> bool:
    """Deterministic held-out membership from a hash of the frame's id: a frame keeps its side of the split as the
    data set grows, so metrics of successive models stay comparable."""
    h = int.from_bytes(hashlib.sha256(frame_id.encode()).digest()[:8], 'big') / 2.0 ** 64
    return h < fraction


def split(frames: list[Frame], fraction: float, never: set[str] = frozenset()) -> tuple[list[Frame], list[Frame]]:
    """(training, held-out); categories in `never` (isolated atoms: one frame per element) always train."""
    held = [f for f in frames if f.category not in never and is_held_out(f.id, fraction)]
    ids = {id(f) for f in held}
    return [f for f in frames if id(f) not in ids], held


def attach_neighbors(model: DPModel, frames: list[Frame]) -> None:
    for f in frames:
        f.nb = model.neighbors(f.coord, f.box, f.atype)


def env_stat(model: DPModel, frames: list[Frame], protection: float = 1e-2) -> tuple[np.ndarray, np.ndarray]:
    """DeePMD-kit's se_e2_a statistics: per centre type, over all slots (padding included, as zero rows):
    davg = (mean of the radial column, 0, 0, 0); dstd = (std of the radial column, sqrt(mean of the squared angular
    columns) x3), each floored at `protection`; the same for every slot."""
    nt, N = model.ntypes, model.nnei
    sr, sr2, sa2, n = np.zeros(nt), np.zeros(nt), np.zeros(nt), np.zeros(nt)
    with torch.no_grad():
        for f in frames:
            nb = f.nb or model.neighbors(f.coord, f.box, f.atype)
            R, _, _ = model.env_matrix(torch.as_tensor(f.coord, dtype=DTYPE), None if f.box is None else torch.as_tensor(f.box, dtype=DTYPE),
                                       torch.as_tensor(f.atype), nb)
            R = R.numpy()
            for t in range(nt):
                Rt = R[f.atype == t]
                sr[t] += Rt[..., 0].sum()
                sr2[t] += (Rt[..., 0] ** 2).sum()
                sa2[t] += (Rt[..., 1:] ** 2).sum() / 3
                n[t] += Rt.shape[0] * N
    davg = np.zeros((nt, N, 4))
    dstd = np.ones((nt, N, 4))
    for t in range(nt):
        if n[t] == 0:
            continue
        avg = sr[t] / n[t]
        std_r = np.sqrt(max(sr2[t] / n[t] - avg * avg, 0.0))
        std_a = np.sqrt(sa2[t] / n[t])
        davg[t, :, 0] = avg
        dstd[t, :, 0] = max(std_r, protection)
        dstd[t, :, 1:] = max(std_a, protection)
    return davg, dstd


def energy_bias(frames: list[Frame], ntypes: int, rcond: float | None = None) -> np.ndarray:
    """Least-squares per-type energy: E_frame ~ sum_t n_t b_t (DeePMD-kit's compute_output_stats)."""
    A = np.array([np.bincount(f.atype, minlength=ntypes) for f in frames], dtype=np.float64)
    y = np.array([f.energy for f in frames])
    b, *_ = np.linalg.lstsq(A, y, rcond=rcond)
    return b


def isolated_atom_energies(frames: list[Frame], ntypes: int) -> np.ndarray | None:
    """Energies of the single-atom frames (category 'atom'), one per type, or None if some type has none."""
    e = np.full(ntypes, np.nan)
    for f in frames:
        if f.natoms == 1:
            e[f.atype[0]] = f.energy
    return None if np.isnan(e).any() else e


def prepare(model: DPModel, frames: list[Frame], bias_frames: list[Frame] | None = None,
            atom_energies: np.ndarray | None = None) -> None:
    """Neighbour lists, davg/dstd and the energy bias from the data.

    `bias_frames`: the frames for the least-squares bias b (default: all).  Short dimers (tens of eV/atom) skew a
    plain fit; the condensed configurations are the sensible choice, since the table carries the short range.
    Placement (v3: E_i = (1 - w)(NN + bias_atom_e) + w E_tab + out_bias):
      * atom_energies None: out_bias = b, bias_atom_e = 0 (the table energy sits on top of b; DeePMD-kit's default);
      * atom_energies e (isolated atoms, the zero of the pair table): out_bias = e, bias_atom_e = b - e, so that
        far from any close contact E_i = NN + b and at a full table weight E_i = 1/2 sum V + e (DFT-consistent
        dimers)."""
    attach_neighbors(model, frames)
    davg, dstd = env_stat(model, frames)
    model.set_stat(davg, dstd)
    b = energy_bias(bias_frames if bias_frames else frames, model.ntypes)
    if atom_energies is None:
        model.set_bias(b)
        model.bias_atom_e.zero_()
    else:
        model.set_bias(atom_energies)
        model.bias_atom_e.copy_(torch.as_tensor(b - atom_energies, dtype=DTYPE))
