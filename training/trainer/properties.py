"""Calculator-agnostic property routines for monolayer 2H-MoS2, shared by report.py (the DP model through
trainer.calculator.DPCalculator) and reference.py (DFT, factory.dft.make_calc), so that both sides use the same cells,
strains, defects, displacements and fits.  No torch and no GPAW here.

Conventions
  * monolayer cells from factory.structures (Mo first, Mo plane at z = c/2, c = 15 A), hexagonal a1 = (a, 0),
    a2 = (-a/2, a sqrt3/2);
  * strain factor s: biaxial cell = diag(s, s, 1) x cell, uniaxial-x cell = diag(s, 1, 1) x cell (atoms scaled along);
  * 2D stress = ASE stress x c (eV/A^2; 1 eV/A^2 = 16.0218 N/m); 2D elastic constants in N/m;
  * elastic constants: relaxed-ion, uniaxial strains eps_xx of the 3-atom cell (atoms relaxed at each),
    C11 = d sigma_xx / d eps_xx and C12 = d sigma_yy / d eps_xx (least-squares slopes over the points),
    cross-check C11(E) = 2 x (quadratic coefficient of E(eps)) / A0; Y = (C11^2 - C12^2) / C11, nu = C12 / C11;
  * phonons: finite displacements +-h of the primitive atoms in an n x n x 1 supercell, central differences,
    the bottom S taken from the top S by the mirror plane sigma_h, acoustic sum rule on the self term,
    dynamical matrix with the minimum-image convention (equivalent images weighted equally).
"""
from __future__ import annotations

import math
import os
import sys

import numpy as np
from ase import Atoms
from ase.io import Trajectory
from ase.optimize import BFGS

_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
from factory import structures as S  # noqa: E402

EV_A2_TO_N_M = 16.021766339999996  # 1 eV/A^2 in N/m
THZ_PER_SQRT_EV_A2_AMU = math.sqrt(1.602176634e-19 / 1e-20 / 1.66053906660e-27) / (2 * math.pi) / 1e12  # 15.633
THZ_TO_CM1 = 33.35640952

STRAIN_FACTORS = [0.80, 0.85, 0.90, 0.95, 1.00, 1.05, 1.10, 1.15, 1.20]
ELASTIC_STRAINS = [-0.01, -0.005, 0.0, 0.005, 0.01]


# ---------------------------------------------------------------------------------------------------------------
# relaxation and geometry


def attach(atoms: Atoms, calc) -> Atoms:
    """atoms.calc = calc, where calc is an ASE calculator or a factory calc(atoms) (e.g. a DFT calculator whose
    k-points depend on the cell)."""
    atoms.calc = calc if hasattr(calc, 'get_property') or not callable(calc) else calc(atoms)
    return atoms


def relax(atoms: Atoms, fmax: float, steps: int = 200, traj: str | None = None, logfile: str | None = None,
          maxstep: float = 0.1, restart: str | None = None) -> dict:
    """BFGS on the positions (cell fixed).  With `traj`, resumes from the last frame of an existing trajectory and
    appends to it; with `restart`, BFGS keeps its Hessian in that file (ASE's restart pickle) across restarts.
    Returns energy, largest force (norm), steps taken in this call, frames in the trajectory, converged."""
    if traj and os.path.exists(traj):
        try:
            last = Trajectory(traj)[-1]
            if len(last) == len(atoms):
                atoms.positions = last.positions
        except Exception:
            pass
    tr = Trajectory(traj, 'a', atoms) if traj else None
    opt = BFGS(atoms, trajectory=tr, logfile=logfile, maxstep=maxstep, restart=restart)
    converged = bool(opt.run(fmax=fmax, steps=steps))
    if tr is not None:
        tr.close()
    f = atoms.get_forces()
    nframes = None
    if traj:
        try:
            nframes = len(Trajectory(traj))
        except Exception:
            pass
    return dict(energy=float(atoms.get_potential_energy()), fmax=float(np.linalg.norm(f, axis=1).max()),
                steps=int(opt.get_number_of_steps()), traj_frames=nframes, converged=converged)


def hex_cell(a: float, t: float, c: float = S.VAC_C) -> Atoms:
    return S.monolayer_hex(1, a=a, t=t, c=c)


def strained(atoms: Atoms, fx: float, fy: float) -> Atoms:
    """Copy with the cell (and atoms) scaled by diag(fx, fy, 1) (Cartesian x, y)."""
    at = atoms.copy()
    at.set_cell(at.cell.array @ np.diag([fx, fy, 1.0]), scale_atoms=True)
    return at


def strain_cell(a0: float, t0: float, s: float, mode: str) -> Atoms:
    """3-atom cell at strain factor s of a0: 'biaxial' (both in-plane directions) or 'uniaxial' (x only)."""
    if mode not in ('biaxial', 'uniaxial'):
        raise ValueError(mode)
    return strained(hex_cell(a0, t0), s, s if mode == 'biaxial' else 1.0)


def monolayer_geometry(atoms: Atoms) -> dict:
    """Vertical S-S distance (thickness) and the shortest Mo-S distance of a 3-atom cell."""
    sym = np.array(atoms.get_chemical_symbols())
    zs = atoms.positions[sym == 'S', 2]
    mo = int(np.flatnonzero(sym == 'Mo')[0])
    d = atoms.get_distances(mo, np.flatnonzero(sym == 'S'), mic=True)
    return dict(t=float(zs.max() - zs.min()), d_MoS=float(d.min()))


def area(atoms: Atoms) -> float:
    c = atoms.cell.array
    return float(abs(np.cross(c[0], c[1])[2]))


def lattice_constant(calc, a_guess: float = S.A0, t_guess: float = S.T0, fmax: float = 1e-4, xatol: float = 1e-5,
                     rel_range: float = 0.15, steps: int = 300) -> dict:
    """a0 of the 3-atom cell by a bounded 1D minimisation of E(a) with the S heights relaxed at each a (the in-plane
    forces vanish by symmetry); t0 and d(Mo-S) at a0.  `at_bound` flags a minimum at the edge of the search range."""
    from scipy.optimize import minimize_scalar
    state = {'t': t_guess}

    def e_of_a(a):
        at = hex_cell(a, state['t'])
        at.calc = calc
        r = relax(at, fmax=fmax, steps=steps)
        g = monolayer_geometry(at)
        if 0.5 < g['t'] < 6.0:
            state['t'] = g['t']
        return r['energy']

    lo, hi = a_guess * (1 - rel_range), a_guess * (1 + rel_range)
    res = minimize_scalar(e_of_a, bounds=(lo, hi), method='bounded', options={'xatol': xatol})
    a0 = float(res.x)
    at = hex_cell(a0, state['t'])
    at.calc = calc
    r = relax(at, fmax=fmax, steps=steps)
    g = monolayer_geometry(at)
    return dict(a0=a0, t0=g['t'], d_MoS=g['d_MoS'], energy=r['energy'], energy_per_atom=r['energy'] / len(at),
                at_bound=bool(min(a0 - lo, hi - a0) < 1e-3 * a_guess), evaluations=int(res.nfev))


# ---------------------------------------------------------------------------------------------------------------
# energy-strain curves and the collapse check


def strain_point(calc, a0: float, t0: float, s: float, mode: str, fmax: float, steps: int = 200, start: Atoms | None = None,
                 traj: str | None = None, logfile: str | None = None, restart: str | None = None) -> tuple[dict, Atoms]:
    """One relaxed point (all atoms relaxed at fixed cell; biaxially only the S heights move, by symmetry)."""
    at = strain_cell(a0, t0, s, mode)
    if start is not None and len(start) == len(at):
        # warm start: the relaxed fractional coordinates of a neighbouring strain
        at.set_scaled_positions(start.get_scaled_positions(wrap=False))
    attach(at, calc)
    r = relax(at, fmax=fmax, steps=steps, traj=traj, logfile=logfile, restart=restart)
    g = monolayer_geometry(at)
    r.update(s=float(s), mode=mode, a0=float(a0), natoms=len(at), energy_per_atom=r['energy'] / len(at), **g)
    return r, at


def strain_scan(calc, a0: float, t0: float, factors, mode: str, fmax: float = 1e-3, relax_atoms: bool = True,
                steps: int = 300) -> list[dict]:
    """Relaxed (or rigid: thickness kept at t0) E(s), walked outward from the point nearest s = 1 with warm starts."""
    factors = sorted(float(x) for x in factors)
    i1 = int(np.argmin([abs(x - 1) for x in factors]))
    out = {}
    for seq in (factors[i1:], factors[:i1 + 1][::-1]):
        prev = None
        for s in seq:
            if s in out and prev is not None:
                continue
            if relax_atoms:
                r, prev = strain_point(calc, a0, t0, s, mode, fmax, steps=steps, start=prev)
            else:
                at = strain_cell(a0, t0, s, mode)
                at.calc = calc
                e = float(at.get_potential_energy())
                r = dict(s=s, mode=mode, energy=e, energy_per_atom=e / len(at), **monolayer_geometry(at))
            out[s] = r
    return [out[s] for s in factors]


def monotonic_check(x, y, tol: float = 1e-6, xmin_window: tuple[float, float] | None = None) -> dict:
    """Energy must rise monotonically away from its global minimum on both sides (within tol); lists the
    violations (x where it drops again) and, with xmin_window, also requires the minimum inside that window."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    k = int(np.argmin(y))
    bad = []
    for i in range(k):  # left side: y must decrease towards the minimum
        if y[i] < y[i + 1] - tol:
            bad.append(float(x[i]))
    for i in range(k, len(y) - 1):  # right side: y must increase away from it
        if y[i + 1] < y[i] - tol:
            bad.append(float(x[i + 1]))
    ok = not bad
    in_window = True
    if xmin_window is not None:
        in_window = bool(xmin_window[0] <= x[k] <= xmin_window[1])
        ok = ok and in_window
    return dict(ok=bool(ok), x_min=float(x[k]), y_min=float(y[k]), violations=bad, min_in_window=in_window)


COLLAPSE_CRITERION = ('E/atom rises monotonically (tolerance 1e-5 eV/atom) away from its global minimum on both '
                      'sides, and the minimum lies at a strain factor in 0.9-1.1')


def collapse_check(calc, a0: float, t0: float, step: float = 0.025, steps: int = 300) -> dict:
    """Issue 7's "no unphysical collapse": the 3-atom cell strained 0.5-1.5, biaxial and uniaxial, atoms relaxed and
    rigid; every curve must rise monotonically away from a minimum near s = 1.  {'ok', 'factors', '<mode>_<kind>':
    {'e_per_atom', 't', 'check'}}."""
    fac = list(np.round(np.arange(0.5, 1.5 + 1e-9, step), 4))
    out = {'a0': a0, 'factors': fac, 'criterion': COLLAPSE_CRITERION}
    ok = True
    for mode in ('biaxial', 'uniaxial'):
        for relaxed in (True, False):
            pts = strain_scan(calc, a0, t0, fac, mode, fmax=1e-3, relax_atoms=relaxed, steps=steps)
            e = [p['energy_per_atom'] for p in pts]
            chk = monotonic_check(fac, e, tol=1e-5, xmin_window=(0.9, 1.1))
            out[f"{mode}_{'relaxed' if relaxed else 'rigid'}"] = {'e_per_atom': e, 't': [p['t'] for p in pts], 'check': chk}
            ok = ok and chk['ok']
    out['ok'] = ok
    return out


# ---------------------------------------------------------------------------------------------------------------
# elastic constants


def elastic_point(calc, atoms0: Atoms, eps: float, fmax: float, steps: int = 300, traj: str | None = None,
                  logfile: str | None = None, relax_ions: bool = True, restart: str | None = None) -> dict:
    at = strained(atoms0, 1.0 + eps, 1.0)
    attach(at, calc)
    r = relax(at, fmax=fmax, steps=steps, traj=traj, logfile=logfile, restart=restart) if relax_ions else dict(
        energy=float(at.get_potential_energy()), fmax=float(np.linalg.norm(at.get_forces(), axis=1).max()), steps=0,
        converged=True)
    r.update(eps_xx=float(eps), stress=[float(v) for v in at.get_stress()], c=float(at.cell[2, 2]), area=area(at),
             area0=area(atoms0), natoms=len(at))
    return r


def elastic_fit(points: list[dict]) -> dict:
    """C11, C12 (stress slopes), C11 from the energy curvature, Y, nu; 2D values in N/m."""
    pts = sorted(points, key=lambda p: p['eps_xx'])
    eps = np.array([p['eps_xx'] for p in pts])
    sxx = np.array([p['stress'][0] * p['c'] for p in pts])
    syy = np.array([p['stress'][1] * p['c'] for p in pts])
    E = np.array([p['energy'] for p in pts])
    A0 = pts[0]['area0']
    c11 = np.polyfit(eps, sxx, 1)[0] * EV_A2_TO_N_M
    c12 = np.polyfit(eps, syy, 1)[0] * EV_A2_TO_N_M
    c11_e = 2 * np.polyfit(eps, E, 2)[0] / A0 * EV_A2_TO_N_M
    return dict(C11=float(c11), C12=float(c12), C11_energy=float(c11_e), Y=float((c11 ** 2 - c12 ** 2) / c11),
                nu=float(c12 / c11), strains=[float(e) for e in eps],
                sigma0_N_m=[float(sxx[np.argmin(abs(eps))] * EV_A2_TO_N_M), float(syy[np.argmin(abs(eps))] * EV_A2_TO_N_M)])


def elastic_constants(calc, atoms0: Atoms, strains=ELASTIC_STRAINS, fmax: float = 1e-4, relax_ions: bool = True,
                      steps: int = 300) -> dict:
    pts = [elastic_point(calc, atoms0, e, fmax, steps=steps, relax_ions=relax_ions) for e in strains]
    out = elastic_fit(pts)
    out['points'] = pts
    return out


def relaxed_elastic(calc, a0: float, t0: float, fmax: float = 1e-5, steps: int = 300, clamped_ion: bool = False) -> dict:
    """Relaxed-ion 2D elastic constants of the 3-atom cell at (a0, t0), its atoms relaxed first (clamped_ion: the
    clamped-ion C11, C12, Y, nu as well, under 'clamped_ion')."""
    at = hex_cell(a0, t0)
    at.calc = calc
    relax(at, fmax=fmax, steps=steps)
    res = elastic_constants(calc, at, fmax=fmax, steps=steps)
    if clamped_ion:
        rigid = elastic_constants(calc, at, fmax=fmax, relax_ions=False)
        res['clamped_ion'] = {k: rigid[k] for k in ('C11', 'C12', 'Y', 'nu')}
    return res


# ---------------------------------------------------------------------------------------------------------------
# point defects (neutral) in an n x n supercell


DEFECTS = {
    # name: (atoms taken out of the reservoir: +n removed, -n added; description)
    'V_S': ({'S': 1}, 'one top-layer S removed'),
    'V_S2': ({'S': 2}, 'a top S and the bottom S directly below it removed (one S2 column)'),
    'V_Mo': ({'Mo': 1}, 'one Mo removed'),
    'V_MoS3': ({'Mo': 1, 'S': 3}, 'one Mo and its three nearest top-layer S removed'),
    'Mo_S': ({'S': 1, 'Mo': -1}, 'a top-layer S replaced by Mo'),
    'S_Mo': ({'Mo': 1, 'S': -1}, 'a Mo replaced by S'),
}
FORMATION_FORMULA = ('E_f = E(defect cell) - E(pristine cell) + sum_X n_X mu_X, n_X = number of X atoms removed '
                     '(negative if added), mu_X = energy of the isolated spin-polarised atom; antisites: '
                     'E_f(Mo_S) = E(Mo_S) - E(pristine) + mu_S - mu_Mo, E_f(S_Mo) = E(S_Mo) - E(pristine) + mu_Mo - mu_S')


def defect_cell(kind: str, a0: float, t0: float, n: int = 3) -> Atoms:
    """The defect in an n x n supercell of monolayer_hex (validate.py's V_S: the first top-layer S removed)."""
    at = S.monolayer_hex(n, a=a0, t=t0)
    sym = at.get_chemical_symbols()
    mo = [j for j in range(len(at)) if sym[j] == 'Mo']
    s_ = [j for j in range(len(at)) if sym[j] == 'S']
    zc = at.positions[mo, 2].mean()
    top = [j for j in s_ if at.positions[j, 2] > zc]
    bottom = [j for j in s_ if at.positions[j, 2] < zc]

    def nearest(i, cand, k):
        d = at.get_distances(i, cand, mic=True)
        return [cand[m] for m in np.argsort(d, kind='stable')[:k]]

    if kind == 'V_S':
        rm = [top[0]]
    elif kind == 'V_S2':
        rm = [top[0]] + nearest(top[0], bottom, 1)
    elif kind == 'V_Mo':
        rm = [mo[0]]
    elif kind == 'V_MoS3':
        rm = [mo[0]] + nearest(mo[0], top, 3)
    elif kind == 'Mo_S':
        sym[top[0]] = 'Mo'
        at.set_chemical_symbols(sym)
        return S.sort_mo_s(at)
    elif kind == 'S_Mo':
        sym[mo[0]] = 'S'
        at.set_chemical_symbols(sym)
        return S.sort_mo_s(at)
    else:
        raise ValueError(kind)
    keep = [j for j in range(len(at)) if j not in rm]
    return at[keep]


def formation_energy(kind: str, e_defect: float, e_pristine: float, mu: dict) -> float:
    delta = DEFECTS[kind][0]
    return float(e_defect - e_pristine + sum(n * mu[x] for x, n in delta.items()))


def formation_energies(calc, a0: float, t0: float, kinds=None, fmax: float = 0.01, steps: int = 1000,
                       log=lambda s: None) -> dict:
    """E_f of the DEFECTS (or `kinds`) in the 3x3 cell at the model's own lattice, each relaxed, with the chemical
    potentials of the isolated atoms in the labeller's 10 x 10.5 x 11 A box (the model's zero)."""
    pr = S.monolayer_hex(3, a=a0, t=t0)
    pr.calc = calc
    e_pr = float(pr.get_potential_energy())
    mu = {}
    for el in ('Mo', 'S'):
        at = Atoms(el, positions=[[0, 0, 0]], cell=[10.0, 10.5, 11.0], pbc=True)
        at.center()
        at.calc = calc
        mu[el] = float(at.get_potential_energy())
    out = {'a0': a0, 't0': t0, 'E_pristine': e_pr, 'mu': mu, 'cell': '3x3 (27-atom pristine)', 'defects': {}}
    for kind in kinds or DEFECTS:
        at = defect_cell(kind, a0, t0, 3)
        at.calc = calc
        r = relax(at, fmax=fmax, steps=steps)
        r['E_f'] = formation_energy(kind, r['energy'], e_pr, mu)
        r['natoms'] = len(at)
        out['defects'][kind] = r
        log(f'  {kind}: E_f = {r["E_f"]:.3f} eV ({r["steps"]} steps)')
    return out


# ---------------------------------------------------------------------------------------------------------------
# phonons by finite displacements


def phonon_supercell(prim: Atoms, n: int) -> Atoms:
    """n x n x 1 repeat, not re-sorted: atom a of the primitive cell is atom a of the supercell (home cell)."""
    return prim.repeat((n, n, 1))


def _mirror_partner(prim: Atoms) -> dict:
    """Primitive atoms below the Mo plane whose sigma_h image is another primitive atom above it: {below: above}."""
    z0 = prim.positions[[i for i, s in enumerate(prim.get_chemical_symbols()) if s == 'Mo'], 2].mean()
    out = {}
    for i in range(len(prim)):
        if prim.positions[i, 2] < z0 - 0.1:
            p = prim.positions[i].copy()
            p[2] = 2 * z0 - p[2]
            for j in range(len(prim)):
                if prim[j].symbol == prim[i].symbol and np.linalg.norm(prim.positions[j] - p) < 1e-3:
                    out[i] = j
    return out


def displacements(prim: Atoms, use_mirror: bool = True) -> list[tuple[int, int, int]]:
    """(primitive atom a, Cartesian direction d, sign) to compute; the mirror images are derived, not computed."""
    skip = set(_mirror_partner(prim)) if use_mirror else set()
    return [(a, d, s) for a in range(len(prim)) if a not in skip for d in range(3) for s in (1, -1)]


def displaced(sc: Atoms, a: int, d: int, sign: int, h: float) -> Atoms:
    at = sc.copy()
    at.positions[a, d] += sign * h
    return at


def _sc_mirror_map(sc: Atoms, z0: float) -> np.ndarray:
    from ase.geometry import find_mic
    sym = np.array(sc.get_chemical_symbols())
    p = sc.positions.copy()
    p[:, 2] = 2 * z0 - p[:, 2]
    perm = -np.ones(len(sc), dtype=int)
    for j in range(len(sc)):
        dv, _ = find_mic(sc.positions - p[j], sc.cell, pbc=[True, True, False])
        cand = np.flatnonzero((np.linalg.norm(dv, axis=1) < 1e-3) & (sym == sym[j]))
        if len(cand) != 1:
            raise ValueError('supercell is not mirror symmetric')
        perm[j] = cand[0]
    return perm


def force_constants(prim: Atoms, sc: Atoms, forces: dict, h: float) -> np.ndarray:
    """Phi[a, d, j, e] = d^2E / du_(a,d) du_(j,e) from forces[(a, d, sign)] = (N, 3) supercell forces.
    Missing bottom-S displacements are taken from the mirror images of the top-S ones."""
    nprim, N = len(prim), len(sc)
    mo = [i for i, s in enumerate(prim.get_chemical_symbols()) if s == 'Mo']
    z0 = float(prim.positions[mo, 2].mean())
    partners = _mirror_partner(prim)
    perm = None
    M = np.diag([1.0, 1.0, -1.0])
    F = {}
    for a in range(nprim):
        for d in range(3):
            for s in (1, -1):
                if (a, d, s) in forces:
                    F[(a, d, s)] = np.asarray(forces[(a, d, s)], dtype=float)
                elif a in partners:
                    if perm is None:
                        perm = _sc_mirror_map(sc, z0)
                    b = partners[a]
                    sb = s * (-1 if d == 2 else 1)
                    Fb = np.asarray(forces[(b, d, sb)], dtype=float)
                    # sigma(config with b displaced by sb e_d) = config with a displaced by s e_d: F'(perm j) = M F(j)
                    Fa = np.zeros_like(Fb)
                    Fa[perm] = Fb @ M
                    F[(a, d, s)] = Fa
                else:
                    raise KeyError(f'missing displacement {(a, d, s)}')
    Phi = np.zeros((nprim, 3, N, 3))
    for a in range(nprim):
        for d in range(3):
            Phi[a, d] = -(F[(a, d, 1)] - F[(a, d, -1)]) / (2 * h)
        # acoustic sum rule on the self term
        Phi[a, :, a, :] = 0.0
        Phi[a, :, a, :] = -Phi[a].sum(axis=1)
    return Phi


def _images(prim: Atoms, sc: Atoms, n: int, tol: float = 1e-3):
    """For each (a, j): the minimum-image vectors r_j + T - r_a (all equivalent images), T in-plane supercell vectors."""
    L = sc.cell.array
    Ts = np.array([k1 * L[0] + k2 * L[1] for k1 in range(-2, 3) for k2 in range(-2, 3)])
    out = []
    for a in range(len(prim)):
        row = []
        for j in range(len(sc)):
            v = sc.positions[j] - sc.positions[a] + Ts
            r = np.linalg.norm(v, axis=1)
            row.append(v[r <= r.min() + tol])
        out.append(row)
    return out


def band_path(prim: Atoms, npoints: int = 120):
    """Gamma-M-K-Gamma of the hexagonal cell: Cartesian q (1/A, incl. 2 pi), path coordinate x, label positions."""
    B = 2 * np.pi * prim.cell.reciprocal()
    corners = {'G': np.zeros(3), 'M': 0.5 * B[0], 'K': (B[0] + B[1]) / 3}
    names = ['G', 'M', 'K', 'G']
    seg = [np.linalg.norm(corners[names[i + 1]] - corners[names[i]]) for i in range(3)]
    total = sum(seg)
    qs, xs, ticks = [], [], [0.0]
    x0 = 0.0
    for i in range(3):
        m = max(2, int(round(npoints * seg[i] / total)))
        for k in range(m + (1 if i == 2 else 0)):
            f = k / m
            qs.append(corners[names[i]] + f * (corners[names[i + 1]] - corners[names[i]]))
            xs.append(x0 + f * seg[i])
        x0 += seg[i]
        ticks.append(x0)
    return np.array(qs), np.array(xs), ticks, ['Γ', 'M', 'K', 'Γ']


def phonon_bands(prim: Atoms, sc: Atoms, n: int, Phi: np.ndarray, qs: np.ndarray) -> np.ndarray:
    """Frequencies (THz; imaginary modes as negative numbers), shape (nq, 3 nprim)."""
    nprim = len(prim)
    m = prim.get_masses()
    imgs = _images(prim, sc, n)
    out = []
    for q in qs:
        D = np.zeros((3 * nprim, 3 * nprim), dtype=complex)
        for a in range(nprim):
            for j in range(len(sc)):
                b = j % nprim
                ph = np.exp(1j * imgs[a][j] @ q).mean()
                D[3 * a:3 * a + 3, 3 * b:3 * b + 3] += Phi[a, :, j, :] * ph / np.sqrt(m[a] * m[b])
        D = 0.5 * (D + D.conj().T)
        w2 = np.linalg.eigvalsh(D)
        out.append(np.sign(w2) * np.sqrt(np.abs(w2)) * THZ_PER_SQRT_EV_A2_AMU)
    return np.array(out)
