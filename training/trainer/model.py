"""PyTorch se_e2_a energy model with the DP-ZBL pair-table blend (../shared/deepmd/SPEC.md §1-§6, v3 rules).

Everything is differentiable with respect to the coordinates and the cell, so forces are -dE/dx and the virial is
-dE/d(strain) by autograd.  The neighbour list is built in numpy (not differentiable: it only decides which pairs
enter) and the displacements are recomputed in torch as d_ij = x_j - x_i + shift_ij @ box.

v3 conventions (what src/model/v3/read.ts applies to a file without the app's metadata key):
  * switch width rcut - rcut_smth in float64; u clamped to [0, 1];
  * neighbour slots: the nearest sum(sel) within rcut regardless of type, then split into type blocks capped at sel[t];
  * networks: every embedding layer and every hidden fitting layer is "resnet" with the size rule
    (identity if n_out == n_in, [x, x] if n_out == 2 n_in); idt multiplies the activation where present;
  * E_i = (1 - w_i) (NN_i + bias_atom_e[t_i]) + w_i * 1/2 sum_j V(r_ij) + out_bias[t_i]
    with w_i = sw(sigma_i; sw_rmin, sw_rmax), sigma_i = softmin distance (alpha).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

DTYPE = torch.float64


# ----------------------------------------------------------------------------------------------------------------
# neighbour list (numpy)


@dataclass
class NeighborData:
    """Pairs (i, j, integer image shift) and the slot table of one configuration."""

    i: np.ndarray  # (P,) centre
    j: np.ndarray  # (P,) neighbour (owner index)
    shift: np.ndarray  # (P, 3) integer image multiples of the cell rows
    slots: np.ndarray  # (nloc, N) pair index or -1 (padding)
    overflow: int = 0


def merge_neighbors(nbs: list[NeighborData], natoms: list[int]) -> NeighborData:
    """One list for several frames side by side: atom and pair indices offset by the frames before."""
    a_off = np.concatenate([[0], np.cumsum(natoms)[:-1]]).astype(np.int64)
    p_off = np.concatenate([[0], np.cumsum([len(nb.i) for nb in nbs])[:-1]]).astype(np.int64)
    return NeighborData(
        i=np.concatenate([nb.i + a for nb, a in zip(nbs, a_off)]),
        j=np.concatenate([nb.j + a for nb, a in zip(nbs, a_off)]),
        shift=np.concatenate([nb.shift for nb in nbs]).reshape(-1, 3),
        slots=np.concatenate([np.where(nb.slots >= 0, nb.slots + p, -1) for nb, p in zip(nbs, p_off)]),
        overflow=sum(nb.overflow for nb in nbs))


def _image_range(box: np.ndarray | None, rcut: float) -> list[int]:
    if box is None:
        return [0, 0, 0]
    vol = abs(np.linalg.det(box))
    out = []
    for a in range(3):
        b, c = box[(a + 1) % 3], box[(a + 2) % 3]
        dperp = vol / np.linalg.norm(np.cross(b, c))
        out.append(int(math.ceil(rcut / dperp)))
    return out


def build_neighbors(coord: np.ndarray, box: np.ndarray | None, atype: np.ndarray, rcut: float, sel: list[int]) -> NeighborData:
    """O(N^2 x images) neighbour list; v3 slot rule (nearest sum(sel) overall, then per-type blocks capped at sel)."""
    coord = np.asarray(coord, dtype=np.float64).reshape(-1, 3)
    n = len(coord)
    box = None if box is None else np.asarray(box, dtype=np.float64).reshape(3, 3)
    na, nb, nc = _image_range(box, rcut)
    shifts = np.array([(a, b, c) for a in range(-na, na + 1) for b in range(-nb, nb + 1) for c in range(-nc, nc + 1)], dtype=np.float64)
    svec = shifts @ box if box is not None else np.zeros((1, 3))
    # d[i, j, s] = x_j + svec_s - x_i
    d = coord[None, :, None, :] + svec[None, None, :, :] - coord[:, None, None, :]
    r = np.linalg.norm(d, axis=-1)
    zero = np.all(shifts == 0, axis=1)
    for i in range(n):
        r[i, i, zero] = np.inf
    ii, jj, ss = np.nonzero(r <= rcut)
    rr = r[ii, jj, ss]
    N = int(sum(sel))
    sec = np.concatenate([[0], np.cumsum(sel)[:-1]]).astype(int)
    slots = -np.ones((n, N), dtype=np.int64)
    overflow = 0
    # order: by centre, then distance, then pair index (stable)
    order = np.lexsort((np.arange(len(ii)), rr, ii))
    ii, jj, ss, rr = ii[order], jj[order], ss[order], rr[order]
    start = np.searchsorted(ii, np.arange(n + 1))
    for i in range(n):
        cand = np.arange(start[i], start[i + 1])
        if len(cand) > N:
            overflow += len(cand) - N
            cand = cand[:N]
        fill = [0] * len(sel)
        for p in cand:
            t = atype[jj[p]]
            if fill[t] < sel[t]:
                slots[i, sec[t] + fill[t]] = p
                fill[t] += 1
            else:
                overflow += 1
    return NeighborData(i=ii, j=jj, shift=shifts[ss], slots=slots, overflow=overflow)


# ----------------------------------------------------------------------------------------------------------------
# networks


class Layer(nn.Module):
    """y = phi(x W + b) [* idt]; + x if n_out == n_in, + [x, x] if n_out == 2 n_in (when resnet)."""

    def __init__(self, nin: int, nout: int, activation: str = 'tanh', resnet: bool = True, idt: bool = False, gen: torch.Generator | None = None):
        super().__init__()
        self.nin, self.nout, self.activation, self.resnet = nin, nout, activation, resnet
        self.w = nn.Parameter(torch.randn(nin, nout, dtype=DTYPE, generator=gen) / math.sqrt(nin + nout))
        self.b = nn.Parameter(torch.randn(nout, dtype=DTYPE, generator=gen))
        self.idt = nn.Parameter(0.1 + 0.001 * torch.randn(nout, dtype=DTYPE, generator=gen)) if idt else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x @ self.w + self.b
        if self.activation == 'tanh':
            y = torch.tanh(y)
        elif self.activation != 'none':
            raise ValueError(f'activation {self.activation} not supported by the trainer')
        if self.idt is not None:
            y = y * self.idt
        if self.resnet and self.nout == self.nin:
            y = y + x
        elif self.resnet and self.nout == 2 * self.nin:
            y = y + torch.cat([x, x], dim=-1)
        return y


class MLP(nn.Module):
    def __init__(self, nin: int, neuron: list[int], out: int | None, resnet_dt: bool, gen: torch.Generator | None):
        super().__init__()
        layers, w = [], nin
        for n in neuron:
            layers.append(Layer(w, n, 'tanh', True, resnet_dt, gen))
            w = n
        if out is not None:
            layers.append(Layer(w, out, 'none', False, False, gen))
        self.layers = nn.ModuleList(layers)

    def forward(self, x):
        for l in self.layers:
            x = l(x)
        return x


# ----------------------------------------------------------------------------------------------------------------
# pair table (SPEC §6.2, v3 rule: clamped spline, table extended to rcut)


def _clamped_slopes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    n = len(x)
    a, b, c, d = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    b[0] = b[-1] = 1.0
    for i in range(1, n - 1):
        h0, h1 = x[i] - x[i - 1], x[i + 1] - x[i]
        a[i], b[i], c[i] = h1, 2 * (h0 + h1), h0
        d[i] = 3 * (h1 * (y[i] - y[i - 1]) / h0 + h0 * (y[i + 1] - y[i]) / h1)
    for i in range(1, n):
        w = a[i] / b[i - 1]
        b[i] -= w * c[i - 1]
        d[i] -= w * d[i - 1]
    m = np.zeros(n)
    m[-1] = d[-1] / b[-1]
    for i in range(n - 2, -1, -1):
        m[i] = (d[i] - c[i] * m[i + 1]) / b[i]
    return m


def extend_table(rows: np.ndarray, rcut: float) -> np.ndarray:
    """DeePMD-kit v3's extension of a table to rcut (zero rows, or a cubic decay if it has not reached 0)."""
    rows = np.array(rows, dtype=np.float64)
    rmin, h = rows[0, 0], rows[1, 0] - rows[0, 0]
    rmax = rows[-1, 0]
    if rcut <= rmax:
        return rows
    upper = len(rows) - 1
    npad = int(math.ceil(rcut / h - rmin / h)) - upper
    if npad <= 0:
        return rows
    pad = np.zeros((npad, rows.shape[1]))
    pad[:, 0] = rmax + h * np.arange(1, npad + 1)
    last, prev = rows[-1], rows[-2]
    if np.any(last[1:] != 0):
        gp = npad - 2 if pad[-1, 0] / h - rmax / h >= 2 else npad - 1
        L = pad[gp, 0] - rmax
        t = (pad[:, 0] - rmax) / L
        h00, h10 = 2 * t**3 - 3 * t**2 + 1, t**3 - 2 * t**2 + t
        for col in range(1, rows.shape[1]):
            pad[:, col] = h00 * last[col] + h10 * L * (last[col] - prev[col])
        if gp == npad - 2:
            pad = pad[:-1]
    return np.concatenate([rows, pad])


@dataclass
class PairTable:
    rmin: float
    h: float
    nspline: int
    ntypes: int
    data: np.ndarray  # (ntypes*ntypes*nspline*4,), [a3, a2, a1, a0] per interval
    rcut: float
    vdata: np.ndarray = field(default=None)  # the (extended) rows

    @staticmethod
    def from_rows(rows: np.ndarray, rcut: float) -> 'PairTable':
        rows = extend_table(rows, rcut)
        ncol = rows.shape[1] - 1
        nt = int(round((-1 + math.sqrt(1 + 8 * ncol)) / 2))
        assert nt * (nt + 1) // 2 == ncol, 'pair table: need ntypes(ntypes+1)/2 energy columns'
        rmin, h = rows[0, 0], rows[1, 0] - rows[0, 0]
        nspline = len(rows) - 1
        x = rows[:, 0]
        data = np.zeros((nt, nt, nspline, 4))
        col = 1
        for t0 in range(nt):
            for t1 in range(t0, nt):
                v = rows[:, col]
                dd = _clamped_slopes(x, v) * h
                blk = np.stack([2 * v[:-1] - 2 * v[1:] + dd[:-1] + dd[1:], -3 * v[:-1] + 3 * v[1:] - 2 * dd[:-1] - dd[1:], dd[:-1], v[:-1]], axis=1)
                data[t0, t1] = data[t1, t0] = blk
                col += 1
        return PairTable(float(rmin), float(h), nspline, nt, data.reshape(-1), float(rcut), rows)

    @staticmethod
    def from_file(path: str, rcut: float) -> 'PairTable':
        return PairTable.from_rows(np.loadtxt(path), rcut)


def table_energy(tab: PairTable, data_t: torch.Tensor, ti: torch.Tensor, tj: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
    """V_{ti,tj}(r), v3 rule: interval clipped to [0, nspline-1], zero at r >= rcut or beyond the table."""
    uu = (r - tab.rmin) * (1.0 / tab.h)
    tr = torch.trunc(uu.detach())
    s = torch.clamp(tr, 0, tab.nspline - 1).long()
    uu = uu - tr  # as DeePMD-kit/the app: the fraction is taken before the interval index is clipped
    base = (ti * tab.ntypes + tj) * tab.nspline + s
    a = data_t.view(-1, 4)[base]
    e = (a[:, 0] * uu + a[:, 1]) * uu + a[:, 2]
    v = e * uu + a[:, 3]
    out = (r >= tab.rcut) | (r >= tab.rmin + tab.nspline * tab.h)
    return torch.where(out, torch.zeros_like(v), v)


# ----------------------------------------------------------------------------------------------------------------
# the model


def smooth_switch(r: torch.Tensor, rmin: float, rmax: float) -> torch.Tensor:
    u = torch.clamp((r - rmin) / (rmax - rmin), 0.0, 1.0)
    u2 = u * u
    return u2 * u * (-6 * u2 + 15 * u - 10) + 1


@dataclass
class ModelConfig:
    type_map: list[str]
    rcut: float = 6.0
    rcut_smth: float = 0.5
    sel: list[int] = field(default_factory=lambda: [40, 80])
    neuron: list[int] = field(default_factory=lambda: [25, 50, 100])
    axis_neuron: int = 16
    fitting_neuron: list[int] = field(default_factory=lambda: [240, 240, 240])
    resnet_dt_embedding: bool = False
    resnet_dt_fitting: bool = True
    sw_rmin: float = 1.0
    sw_rmax: float = 1.2
    smin_alpha: float = 0.1
    seed: int = 1


class DPModel(nn.Module):
    """se_e2_a + ener, optionally blended with a pair table (DeePMD-kit v3 "zbl" linear model)."""

    def __init__(self, cfg: ModelConfig, table: PairTable | None = None):
        super().__init__()
        self.cfg = cfg
        nt = len(cfg.type_map)
        assert len(cfg.sel) == nt
        self.ntypes, self.nnei = nt, int(sum(cfg.sel))
        gen = torch.Generator().manual_seed(cfg.seed)
        # networks[ti + tj * nt] as in v3 (ti = centre, tj = neighbour)
        self.embeddings = nn.ModuleList(
            [MLP(1, cfg.neuron, None, cfg.resnet_dt_embedding, gen) for _ in range(nt * nt)])
        M1 = cfg.neuron[-1]
        assert cfg.axis_neuron <= M1
        self.dim_descrpt = M1 * cfg.axis_neuron
        self.fittings = nn.ModuleList([MLP(self.dim_descrpt, cfg.fitting_neuron, 1, cfg.resnet_dt_fitting, gen) for _ in range(nt)])
        self.register_buffer('davg', torch.zeros(nt, self.nnei, 4, dtype=DTYPE))
        self.register_buffer('dstd', torch.ones(nt, self.nnei, 4, dtype=DTYPE))
        self.register_buffer('bias_atom_e', torch.zeros(nt, dtype=DTYPE))  # fitting.bias_atom_e
        self.register_buffer('out_bias', torch.zeros(nt, dtype=DTYPE))  # model out_bias (zbl: unweighted)
        self.table = table
        if table is not None:
            assert table.ntypes == nt
            self.register_buffer('tab_data', torch.tensor(table.data, dtype=DTYPE))
        else:
            self.tab_data = None

    # -- statistics --------------------------------------------------------------------------------------------
    def set_stat(self, davg: np.ndarray, dstd: np.ndarray) -> None:
        self.davg.copy_(torch.as_tensor(davg, dtype=DTYPE))
        self.dstd.copy_(torch.as_tensor(dstd, dtype=DTYPE))

    def set_bias(self, bias: np.ndarray) -> None:
        """Per-type energy bias: in out_bias (added unweighted, outside the table blend) as DeePMD-kit v3 does."""
        self.out_bias.copy_(torch.as_tensor(bias, dtype=DTYPE))

    # -- evaluation --------------------------------------------------------------------------------------------
    @property
    def dtype(self) -> torch.dtype:
        """The precision the model computes in: float64 (exported, evaluated) or float32 (--precision of training)."""
        return self.davg.dtype

    def neighbors(self, coord, box, atype) -> NeighborData:
        return build_neighbors(coord, box, np.asarray(atype), self.cfg.rcut, self.cfg.sel)

    def env_matrix(self, coord: torch.Tensor, box: torch.Tensor | None, atype: torch.Tensor, nb: NeighborData):
        """Returns (R (nloc,N,4) raw env matrix, r (P,), pair displacement d (P,3)) of one frame."""
        return self._env(coord, None if box is None else torch.as_tensor(nb.shift, dtype=box.dtype) @ box, nb)

    def _env(self, coord: torch.Tensor, pair_shift: torch.Tensor | None, nb: NeighborData):
        """As env_matrix, with each pair's image shift vector (P,3) given (None: no periodic images)."""
        i = torch.as_tensor(nb.i)
        j = torch.as_tensor(nb.j)
        d = coord[j] - coord[i]
        if pair_shift is not None:
            d = d + pair_shift
        r = torch.linalg.norm(d, dim=-1)
        sw = smooth_switch(r, self.cfg.rcut_smth, self.cfg.rcut)
        Rp = torch.cat([(sw / r)[:, None], (sw / (r * r))[:, None] * d], dim=1)
        Rp = torch.cat([Rp, torch.zeros(1, 4, dtype=Rp.dtype)], dim=0)
        slots = torch.as_tensor(nb.slots)
        idx = torch.where(slots >= 0, slots, torch.full_like(slots, len(nb.i)))
        return Rp[idx], r, d

    def atomic_dp(self, R: torch.Tensor, atype: torch.Tensor, real: torch.Tensor | None = None) -> torch.Tensor:
        """E_i^DP = NN_i + bias_atom_e[t_i] (SPEC §2-§4).  R (n,N,4) raw env matrix, zero rows for padding;
        real (n,N): which slots hold a neighbour (None: evaluate every slot)."""
        cfg, nt, N = self.cfg, self.ntypes, self.nnei
        Rn = (R - self.davg[atype]) / self.dstd[atype]
        M2 = cfg.axis_neuron
        E = torch.zeros(len(atype), dtype=R.dtype)
        sec = np.concatenate([[0], np.cumsum(cfg.sel)]).astype(int)
        for ti in range(nt):
            mask = atype == ti
            if not bool(mask.any()):
                continue
            Rt = Rn[mask]  # (n_t, N, 4)
            rt = None if real is None else real[mask]
            T = sum(self._block_T(ti, tj, Rt[:, sec[tj]:sec[tj + 1]], None if rt is None else rt[:, sec[tj]:sec[tj + 1]], sec[tj])
                    for tj in range(nt)) / N  # (n_t, 4, M1)
            D = torch.einsum('bcm,bcn->bmn', T, T[:, :, :M2]).reshape(T.shape[0], -1)
            e = self.fittings[ti](D)[:, 0] + self.bias_atom_e[ti]
            E = E.index_put((mask.nonzero()[:, 0],), e)
        return E

    def _block_T(self, ti: int, tj: int, Rb: torch.Tensor, rb: torch.Tensor | None, k0: int) -> torch.Tensor:
        """sum over the slots of one neighbour-type block of R~_k^T G(R~_k0): (n_t, 4, M1).
        A padding slot's normalised row is (0 - davg)/dstd: with the same statistics for every slot of the block
        (as DeePMD-kit computes them) all padding rows are equal, so the net runs on the real rows only and the
        padding adds (number of padding slots) x its one row's term -- the same sum, at the cost of the real slots."""
        net = self.embeddings[ti + tj * self.ntypes]
        n_t, S = Rb.shape[0], Rb.shape[1]
        avg, std = self.davg[ti, k0:k0 + S], self.dstd[ti, k0:k0 + S]
        if rb is None or S == 0 or not (bool((avg == avg[0]).all()) and bool((std == std[0]).all())):
            return torch.einsum('bkc,bkm->bcm', Rb, net(Rb[:, :, 0:1]))
        rows = Rb[rb]  # (P, 4) real rows
        G = net(rows[:, 0:1])
        owner = torch.arange(n_t).repeat_interleave(rb.sum(dim=1))
        T = torch.zeros(n_t, 4, G.shape[1], dtype=G.dtype).index_add(0, owner, rows[:, :, None] * G[:, None, :])
        pad = -avg[0] / std[0]  # (4,)
        Tpad = pad[:, None] * net(pad[None, 0:1])[0][None, :]  # (4, M1)
        return T + (S - rb.sum(dim=1)).to(G.dtype)[:, None, None] * Tpad[None]

    def atomic_energy(self, coord: torch.Tensor, pair_shift: torch.Tensor | None, atype: torch.Tensor, nb: NeighborData) -> torch.Tensor:
        R, r, d = self._env(coord, pair_shift, nb)
        E = self.atomic_dp(R, atype, torch.as_tensor(nb.slots) >= 0)
        if self.table is not None:
            E = self._blend(E, r, atype, nb)
        return E + self.out_bias[atype]

    def _blend(self, Edp, r, atype, nb):
        """E_i = (1 - w_i) E_i^DP + w_i 1/2 sum_j V(r_ij) over the real slots (SPEC §6.3)."""
        cfg, tab = self.cfg, self.table
        n = len(atype)
        slots = torch.as_tensor(nb.slots)
        real = slots >= 0
        p = slots[real]  # pair indices of real slots
        ci = torch.as_tensor(nb.i)[p]
        cj = torch.as_tensor(nb.j)[p]
        rr = r[p]
        V = table_energy(tab, self.tab_data, atype[ci], atype[cj], rr)
        ex = torch.exp(-rr / cfg.smin_alpha)
        zeros = torch.zeros(n, dtype=r.dtype)
        A = zeros.index_add(0, ci, ex)
        B = zeros.index_add(0, ci, rr * ex)
        Etab = zeros.index_add(0, ci, 0.5 * V)
        ok = (A > 0)
        sigma = B / torch.where(ok, A, torch.ones_like(A))
        ok = ok & (sigma != 0)
        w = torch.where(ok, smooth_switch(sigma, cfg.sw_rmin, cfg.sw_rmax), torch.zeros_like(sigma))
        return (1 - w) * Edp + w * Etab

    def forward(self, coord, box, atype, nb: NeighborData | None = None, virial: bool = True):
        """One frame: coord (n,3) tensor, box (3,3) tensor or None, atype long tensor.
        Returns dict energy (scalar) / force (n,3) / virial (3,3) / atom_energy (n,)."""
        if nb is None:
            nb = self.neighbors(coord.detach().cpu().numpy(), None if box is None else box.detach().cpu().numpy(), atype.cpu().numpy())
        out = self.forward_frames(coord, None if box is None else box[None], atype, nb, torch.zeros(len(atype), dtype=torch.long), 1)
        return {**out, 'energy': out['energy'][0], 'virial': out['virial'][0]}

    def forward_frames(self, coord, boxes, atype, nb: NeighborData, frame: torch.Tensor, nframes: int):
        """Several frames side by side (merge_neighbors): coord (n,3), boxes (F,3,3) or None (no frame periodic;
        rows of zeros for a frame without a cell), frame (n,) the frame of each atom.  Energies (F,), forces (n,3),
        virials (F,3,3) = -dE_f/d(strain_f), by autograd; with create_graph while training, so that a force loss
        can be backpropagated."""
        coord = coord.detach().clone().requires_grad_(True)
        eps = torch.zeros(nframes, 3, 3, dtype=coord.dtype, requires_grad=True)
        strain = torch.eye(3, dtype=coord.dtype) + eps
        x = torch.einsum('ni,nij->nj', coord, strain[frame])
        pair_shift = None
        if boxes is not None:
            pf = frame[torch.as_tensor(nb.i)]  # a pair belongs to the frame of its centre
            pair_shift = torch.einsum('pk,pkl->pl', torch.as_tensor(nb.shift, dtype=coord.dtype), (boxes @ strain)[pf])
        Ei = self.atomic_energy(x, pair_shift, atype, nb)
        E = torch.zeros(nframes, dtype=Ei.dtype).index_add(0, frame, Ei)
        gx, ge = torch.autograd.grad(E.sum(), [coord, eps], create_graph=self.training)
        return {'energy': E, 'atom_energy': Ei, 'force': -gx, 'virial': -ge.transpose(1, 2)}
