"""Displacement thresholds E_d by PKA molecular dynamics with any ASE calculator (report.py uses the DP model).

Protocol (all stated in the report):
  * sheet: n x n monolayer_hex supercell (default 5 x 5 = 75 atoms, 15.9 A), periodic in-plane, non-periodic along z
    (pbc = T, T, F), atoms relaxed with the calculator at its own a0; 0 K, no initial thermal motion;
  * PKA: the Mo or top-layer S atom nearest the cell centre gets kinetic energy E along a direction given by
    theta (from the outward normal +z of its layer; Mo lies on the mirror plane) and the azimuth phi (from +x);
  * NVE velocity Verlet with an adaptive time step (LAMMPS fix dt/reset rule: no atom moves more than xmax = 0.05 A
    per step, dt in [0.01, 1] fs), plus velocity damping with tau = 50 fs on the atoms farther than 5.5 A (in-plane,
    minimum image) from the PKA site, which soaks up the energy that would otherwise heat the small periodic cell;
  * criterion: the PKA is displaced when its lattice site is left EMPTY (no atom within 1.0 A of it) in the final,
    settled state, or when it escapes.  A run stops (a) at once if the PKA escapes: out of contact (no atom within
    contact_dist = 3.5 A), moving away from its nearest atom and unbound (its kinetic energy plus its interaction
    energy E(all) - E(all without it) - E(isolated atom) > 0), or beyond free_dist (the cut-off) and moving away;
    (b) after t_min = 150 fs once every bound atom has less than 0.3 eV kinetic energy; or (c) at t_max = 500 fs.
    In (b) or (c) an occupied site means "not displaced"; an empty site is confirmed by a quench (FIRE,
    fmax 0.05 eV/A, <= 300 steps) and looked at again, so a Frenkel pair that recombines without a barrier is not
    counted.  Energy bookkeeping: every result carries the energy error E_end + E_damped - E_start;
  * E_d per direction by bisection on E between a bracket [0, hi] (hi doubled until displaced) to a tolerance;
    assumes displacement is monotonic in E over the bracket (the runs are all kept, so a violation is visible).
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import numpy as np
from ase import Atoms, units
from ase.geometry import get_distances
from ase.optimize import FIRE


VERSION = 1  # bump when the protocol changes: report.py's cached runs are keyed by it


@dataclass
class PKAConfig:
    t_max_fs: float = 500.0
    t_min_fs: float = 150.0
    xmax: float = 0.05
    dt_max_fs: float = 1.0
    dt_min_fs: float = 0.01
    damp_radius: float = 5.5
    tau_damp_fs: float = 50.0
    site_radius: float = 1.0
    ke_settle: float = 0.3
    free_dist: float = 6.0
    contact_dist: float = 3.5
    check_every: int = 5
    quench_fmax: float = 0.05
    quench_steps: int = 300

    def as_dict(self) -> dict:
        return asdict(self)


# the direction sets (theta from the outward normal, phi from +x; geometry of monolayer_hex: seen from a top S,
# phi = 90 points at a Mo neighbour, 0 at the next S of its layer, 270 at the hollow between two Mo; seen from a Mo,
# phi = 30 points at a top S, 0 at the next Mo, 90 at a hollow site)
DIRECTIONS = {
    'S': [(0, 0), (45, 270), (90, 0), (90, 90), (135, 270), (180, 0)],
    'Mo': [(0, 0), (45, 30), (90, 0), (90, 90)],
}
QUICK_DIRECTIONS = {'S': [(0, 0)], 'Mo': [(0, 0)]}


def direction_vector(theta_deg: float, phi_deg: float) -> np.ndarray:
    th, ph = math.radians(theta_deg), math.radians(phi_deg)
    v = np.array([math.sin(th) * math.cos(ph), math.sin(th) * math.sin(ph), math.cos(th)])
    v[np.abs(v) < 1e-12] = 0.0
    return v / np.linalg.norm(v)


def pick_pka(atoms: Atoms, species: str) -> int:
    """The atom of `species` nearest the cell centre (for S: in the top layer)."""
    sym = np.array(atoms.get_chemical_symbols())
    zc = atoms.positions[sym == 'Mo', 2].mean()
    cand = np.flatnonzero(sym == species)
    if species == 'S':
        cand = cand[atoms.positions[cand, 2] > zc]
    centre = 0.5 * (atoms.cell[0] + atoms.cell[1])
    d = np.linalg.norm(atoms.positions[cand, :2] - centre[:2], axis=1)
    return int(cand[np.argmin(d)])


def _inplane_dist(atoms: Atoms, p: np.ndarray) -> np.ndarray:
    q = atoms.positions.copy()
    q[:, 2] = p[2]
    _, d = get_distances(p[None], q, cell=atoms.cell, pbc=[True, True, False])
    return d.ravel()


def _site_occupied(atoms: Atoms, site: np.ndarray, radius: float) -> bool:
    _, d = get_distances(site[None], atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
    return bool(d.min() < radius)


def _vacant_sites(atoms: Atoms, sites: np.ndarray, radius: float) -> int:
    _, d = get_distances(sites, atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
    return int((d.min(axis=1) >= radius).sum())


def _isolated_energy(calc, symbol: str, cache: dict) -> float:
    if symbol not in cache:
        a = Atoms(symbol, positions=[[0.0, 0.0, 0.0]], pbc=False)
        a.calc = calc
        cache[symbol] = float(a.get_potential_energy())
    return cache[symbol]


def pka_run(atoms0: Atoms, calc, pka: int, direction: np.ndarray, energy: float, cfg: PKAConfig | None = None,
            atom_energies: dict | None = None) -> dict:
    """One PKA trajectory.  Returns displaced (bool), reason, simulated time (fs), steps, force calls, wall time,
    vacant sites, energy error (eV).  atom_energies: cache {symbol: E(isolated atom)} for the escape test."""
    cfg = cfg or PKAConfig()
    atom_energies = {} if atom_energies is None else atom_energies
    t_wall, t_cpu = time.time(), time.process_time()
    at = atoms0.copy()
    at.calc = calc
    sites = atoms0.positions.copy()
    site = sites[pka].copy()
    m = at.get_masses()[:, None]
    v = np.zeros((len(at), 3))
    v[pka] = math.sqrt(2 * energy / m[pka, 0]) * np.asarray(direction, dtype=float) / np.linalg.norm(direction)
    damped = _inplane_dist(atoms0, site) > cfg.damp_radius
    F = at.get_forces()
    e_start = float(at.get_potential_energy()) + energy
    e_damped = 0.0
    ncalls = 1
    t, step = 0.0, 0
    fs = units.fs
    last_escape_check = -10 ** 9

    def result(displaced, reason, atoms=None):
        atoms = at if atoms is None else atoms
        ke = 0.5 * float((m * v * v).sum())
        e_end = float(at.get_potential_energy()) + ke
        return dict(displaced=bool(displaced), reason=reason, t_fs=t, steps=step, force_calls=ncalls,
                    wall_s=time.time() - t_wall, cpu_s=time.process_time() - t_cpu,
                    vacant_sites=_vacant_sites(atoms, sites, cfg.site_radius),
                    energy_error=e_end + e_damped - e_start, kinetic_end=ke)

    while True:
        # adaptive step (LAMMPS fix dt/reset)
        vn = np.linalg.norm(v, axis=1)
        an = np.linalg.norm(F, axis=1) / m[:, 0]
        with np.errstate(divide='ignore'):
            dt = min(np.min(np.where(vn > 0, cfg.xmax / np.where(vn > 0, vn, 1), np.inf)),
                     np.min(np.where(an > 0, np.sqrt(2 * cfg.xmax / np.where(an > 0, an, 1)), np.inf)))
        dt = float(np.clip(dt, cfg.dt_min_fs * fs, cfg.dt_max_fs * fs))
        dr = np.linalg.norm(v * dt + 0.5 * F / m * dt * dt, axis=1).max()
        if dr > cfg.xmax:
            dt = max(dt * cfg.xmax / dr, cfg.dt_min_fs * fs)
        v += 0.5 * dt * F / m
        at.positions = at.positions + dt * v
        F = at.get_forces()
        ncalls += 1
        v += 0.5 * dt * F / m
        if damped.any():
            f = math.exp(-dt / (cfg.tau_damp_fs * fs))
            e_damped += 0.5 * float((m[damped] * v[damped] ** 2).sum()) * (1 - f * f)
            v[damped] *= f
        t += dt / fs
        step += 1
        if step % cfg.check_every:
            continue
        # escape of the PKA: out of contact, moving away from its nearest atom, and unbound (or out of range)
        _, d = get_distances(at.positions[pka][None], at.positions, cell=at.cell, pbc=at.pbc)
        d = d.ravel()
        d[pka] = np.inf
        j = int(np.argmin(d))
        dv, _ = get_distances(at.positions[j][None], at.positions[pka][None], cell=at.cell, pbc=at.pbc)
        away = float(np.dot(v[pka], dv.reshape(3))) > 0
        if away and d[j] > cfg.free_dist:
            return result(True, 'sputtered (beyond the cut-off, moving away)')
        if away and d[j] > cfg.contact_dist and step - last_escape_check >= 2 * cfg.check_every:
            last_escape_check = step
            rest = at.copy()
            del rest[pka]
            rest.calc = calc
            e_int = float(at.get_potential_energy()) - float(rest.get_potential_energy()) - \
                _isolated_energy(calc, at[pka].symbol, atom_energies)
            ncalls += 1
            if 0.5 * m[pka, 0] * float(v[pka] @ v[pka]) + e_int > 0:
                return result(True, f'escaped (unbound: kinetic + interaction energy > 0 at {d[j]:.1f} A)')
        if t < cfg.t_min_fs:
            continue
        _, dall = get_distances(at.positions, at.positions, cell=at.cell, pbc=at.pbc)
        np.fill_diagonal(dall, np.inf)
        bound = dall.min(axis=1) <= cfg.free_dist
        ke = 0.5 * (m[:, 0] * (v ** 2).sum(axis=1))
        settled = bool((ke[bound] < cfg.ke_settle).all())
        if settled or t >= cfg.t_max_fs:
            reason = 'settled' if settled else 'max time'
            break
    if _site_occupied(at, site, cfg.site_radius):
        return result(False, reason + ', site occupied')
    q = at.copy()
    q.calc = calc
    opt = FIRE(q, logfile=None)
    opt.run(fmax=cfg.quench_fmax, steps=cfg.quench_steps)
    ncalls += opt.get_number_of_steps() + 1
    occ = _site_occupied(q, site, cfg.site_radius)
    return result(not occ, reason + (', refilled in the quench' if occ else ', site empty after the quench'), atoms=q)


def bisect_threshold(displaced, hi: float, tol: float, hi_max: float, lo: float = 0.0) -> dict:
    """E_d from a predicate displaced(E) -> bool (E in eV): bracket [lo, hi] with hi doubled until displaced (up to
    hi_max), then bisection until hi - lo <= tol.  E_d = (lo + hi)/2 +- (hi - lo)/2; all tested energies are returned."""
    runs = {}

    def test(e):
        e = round(float(e), 6)
        if e not in runs:
            runs[e] = bool(displaced(e))
        return runs[e]

    while not test(hi):
        lo = hi
        if hi * 2 > hi_max:
            return dict(Ed=None, lo=lo, hi=None, runs=runs, note=f'not displaced up to {lo:g} eV')
        hi *= 2
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if test(mid):
            hi = mid
        else:
            lo = mid
    # monotonicity: any displaced run below a non-displaced one?
    es = sorted(runs)
    nonmono = any(runs[a] and not runs[b] for i, a in enumerate(es) for b in es[i + 1:])
    return dict(Ed=0.5 * (lo + hi), lo=lo, hi=hi, runs=runs, monotonic=not nonmono)
