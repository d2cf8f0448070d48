"""Displacement thresholds E_d by PKA molecular dynamics with any ASE calculator (report.py uses the DP model).

Protocol (all stated in the report):
  * sheet: n x n monolayer_hex supercell (default 5 x 5 = 75 atoms, 15.9 A), periodic in-plane, non-periodic along z
    (pbc = T, T, F), atoms relaxed with the calculator at its own a0; 0 K, no initial thermal motion;
  * PKA: the Mo or top-layer S atom nearest the cell centre gets kinetic energy E along a direction given by
    theta (from the outward normal +z of its layer; Mo lies on the mirror plane) and the azimuth phi (from +x);
  * NVE velocity Verlet with an adaptive time step (LAMMPS fix dt/reset rule: no atom moves more than xmax = 0.05 A
    per step, dt in [0.01, 1] fs), plus velocity damping with tau = 50 fs on the atoms farther than 5.5 A (in-plane,
    minimum image) from the PKA site, which soaks up the energy that would otherwise heat the small periodic cell;
  * criterion: the PKA is displaced when it escapes, or when in the settled state, quenched, it is off its own site
    (on another site, or no site within 1.0 A) and the lattice holds a defect: a site left EMPTY (no atom within
    1.0 A), or a replacement chain that closes through the periodic boundary.  The PKA's own site may be refilled by a
    replacement sequence while the chain leaves a vacancy further on; in an extended sheet that is a displacement as
    much as an empty PKA site.  A PKA that stays on its site while it knocks a neighbour out is not displaced (the
    neighbour is; the result still lists the defect).  A chain of in-plane replacements that runs
    once round the periodic sheet refills every site it left (no vacancy), but in an extended sheet it would have
    left a Frenkel pair at least one cell length apart: it is found by following the PKA's permutation cycle and
    summing the atoms' unwrapped displacements, a lattice vector for a wrapped chain and ~0 for a local exchange.
    A run stops (a) at once if the PKA escapes: out of contact (no atom within contact_dist = 3.5 A), moving away
    from its nearest atom and unbound (its kinetic energy plus its interaction energy E(all) - E(all without it) -
    E(isolated atom) > 0), or beyond free_dist (the cut-off) and moving away; (b) after t_min = 150 fs once every
    bound atom has less than 0.3 eV kinetic energy; or (c) at t_max = 500 fs.  After (b) or (c) the state is
    quenched (FIRE, fmax 0.05 eV/A, <= 300 steps) before it is judged, so a Frenkel pair that recombines without a
    barrier is not counted.  Energy bookkeeping: every result carries the energy error E_end + E_damped - E_start;
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


VERSION = 2  # 2: judged by the defects of the quenched state, not by the PKA's site alone; bump when the protocol changes: report.py's cached runs are keyed by it


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


def _nearest_sites(atoms: Atoms, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every atom: the index of its nearest lattice site and the distance to it (minimum image)."""
    _, d = get_distances(atoms.positions, sites, cell=atoms.cell, pbc=atoms.pbc)
    k = d.argmin(axis=1)
    return k, d[np.arange(len(k)), k]


def damage(atoms: Atoms, sites: np.ndarray, pka: int, radius: float) -> dict:
    """Defects of a (quenched) state against the lattice sites (row i = atom i's starting site; atoms.positions
    unwrapped, as the MD leaves them): vacant sites, interstitials (atoms farther than radius from every site), atoms
    on another atom's site, whether the PKA's site is empty, and the net shift of the PKA's replacement cycle when
    every atom sits on a site of its own (a nonzero lattice vector = a chain closed through the periodic boundary)."""
    # atom i starts on site i
    k, dk = _nearest_sites(atoms, sites)
    on_site = dk < radius
    filled = np.zeros(len(sites), bool)
    filled[k[on_site]] = True
    out = dict(vacant=int((~filled).sum()), interstitial=int((~on_site).sum()),
               replaced=int((on_site & (k != np.arange(len(k)))).sum()), pka_site_empty=not bool(filled[pka]),
               pka_moved=not bool(on_site[pka] and k[pka] == pka), wrap_shift=0.0)
    if out['vacant'] == 0 and out['interstitial'] == 0 and k[pka] != pka:
        owner = np.empty(len(sites), int)
        owner[k] = np.arange(len(k))  # a permutation: every site holds exactly one atom
        shift, i = np.zeros(3), pka
        while True:
            shift += atoms.positions[i] - sites[i]
            i = owner[i]  # the atom that took site i
            if i == pka:
                break
        out['wrap_shift'] = float(np.linalg.norm(shift))
    return out


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

    def result(displaced, reason, atoms=None, dmg=None):
        atoms = at if atoms is None else atoms
        dmg = damage(atoms, sites, pka, cfg.site_radius) if dmg is None else dmg
        ke = 0.5 * float((m * v * v).sum())
        e_end = float(at.get_potential_energy()) + ke
        return dict(displaced=bool(displaced), reason=reason, t_fs=t, steps=step, force_calls=ncalls,
                    wall_s=time.time() - t_wall, cpu_s=time.process_time() - t_cpu,
                    vacant_sites=dmg['vacant'],
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
    q = at.copy()
    q.calc = calc
    opt = FIRE(q, logfile=None)
    opt.run(fmax=cfg.quench_fmax, steps=cfg.quench_steps)
    ncalls += opt.get_number_of_steps() + 1
    dmg = damage(q, sites, pka, cfg.site_radius)
    wrapped = dmg['wrap_shift'] > cfg.site_radius
    what = (f"{dmg['vacant']} vacant site(s), {dmg['interstitial']} interstitial(s), {dmg['replaced']} replacement(s), "
            f"PKA {'off' if dmg['pka_moved'] else 'on'} its site, which is {'empty' if dmg['pka_site_empty'] else 'filled'}"
            + (f", replacement chain closed through the periodic boundary ({dmg['wrap_shift']:.1f} A)" if wrapped else ''))
    return result(pka_displaced(dmg, cfg.site_radius), f'{reason}; quenched: {what}', atoms=q, dmg=dmg) | {'damage': dmg}


def pka_displaced(dmg: dict, radius: float) -> bool:
    """The verdict on a quenched state (see the module docstring): the PKA off its site and a defect in the lattice."""
    return dmg['pka_moved'] and (dmg['vacant'] > 0 or dmg['wrap_shift'] > radius)


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
