"""Structure builders for monolayer and bulk 2H-MoS2 (atoms always sorted Mo first, then S)."""
import numpy as np
from ase import Atoms

A0 = 3.18      # PBE lattice constant (A)
T0 = 3.12      # S-S thickness (A)
VAC_C = 15.0   # cell height for monolayer cells (A): ~12 A of vacuum
C_BULK = 12.30 # bulk 2H c (A), PBE without vdW overestimates this; fine for distorted cells


def sort_mo_s(atoms):
    order = sorted(range(len(atoms)), key=lambda i: (atoms[i].symbol != "Mo", i))
    return atoms[order]


def monolayer_hex(n=1, m=None, a=A0, t=T0, c=VAC_C):
    """n x m supercell of the 3-atom hexagonal cell, Mo plane at z = c/2."""
    m = n if m is None else m
    cell = np.array([[a, 0, 0], [-a / 2, a * np.sqrt(3) / 2, 0], [0, 0, c]])
    at = Atoms("MoS2", cell=cell, pbc=True)
    at.set_scaled_positions([(0, 0, 0.5), (2 / 3, 1 / 3, 0.5 + t / 2 / c), (2 / 3, 1 / 3, 0.5 - t / 2 / c)])
    return sort_mo_s(at.repeat((n, m, 1)))


def monolayer_ortho(n=1, m=1, a=A0, t=T0, c=VAC_C):
    """n x m supercell of the 6-atom orthogonal a x sqrt(3)a cell (PHYSICS.md sec. 6)."""
    b = a * np.sqrt(3)
    at = Atoms("Mo2S4", cell=[a, b, c], pbc=True)
    fr = [(0, 0, 0), (0.5, 0.5, 0), (0.5, 1 / 6, t / 2), (0.5, 1 / 6, -t / 2), (0, 2 / 3, t / 2), (0, 2 / 3, -t / 2)]
    at.set_scaled_positions([(x, y, 0.5 + z / c) for x, y, z in fr])
    return sort_mo_s(at.repeat((n, m, 1)))


def bulk_2h(n=1, a=A0, t=T0, c=C_BULK):
    """Bulk 2H-MoS2 (P6_3/mmc), 6 atoms per cell: Mo at 2c, S at 4f."""
    cell = np.array([[a, 0, 0], [-a / 2, a * np.sqrt(3) / 2, 0], [0, 0, c]])
    z = 0.5 * t / c
    at = Atoms("Mo2S4", cell=cell, pbc=True)
    at.set_scaled_positions([(1 / 3, 2 / 3, 0.25), (2 / 3, 1 / 3, 0.75),
                             (2 / 3, 1 / 3, 0.25 + z), (2 / 3, 1 / 3, 0.25 - z),
                             (1 / 3, 2 / 3, 0.75 + z), (1 / 3, 2 / 3, 0.75 - z)])
    return sort_mo_s(at.repeat((n, n, 1)))


def min_dist(atoms, i=None):
    from ase.geometry import get_distances
    if i is None:
        _, d = get_distances(atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
        d[np.diag_indices_from(d)] = np.inf
        return float(d.min())
    others = [j for j in range(len(atoms)) if j != i]
    _, d = get_distances(atoms.positions[[i]], atoms.positions[others], cell=atoms.cell, pbc=atoms.pbc)
    return float(d.min())


def strain_cell(atoms, rng, smin, smax, inplane_only=True, shear=0.0):
    """Scale the cell by a random factor in [smin, smax] (in-plane for slabs), plus random shear."""
    s = rng.uniform(smin, smax)
    eps = np.eye(3)
    if inplane_only:
        eps[:2, :2] *= s
        eps[:2, :2] += rng.uniform(-shear, shear, (2, 2))
    else:
        eps *= s
        eps += rng.uniform(-shear, shear, (3, 3))
    cell = atoms.cell.array.copy()
    if inplane_only:
        # scale the layer thickness with the same factor about the Mo plane
        zc = atoms.positions[:, 2].mean()
        atoms.positions[:, 2] = zc + (atoms.positions[:, 2] - zc) * s
        frac = atoms.get_scaled_positions(wrap=False)
        new = cell.copy()
        new[:2, :2] = cell[:2, :2] @ eps[:2, :2]
        atoms.set_cell(new, scale_atoms=False)
        atoms.set_scaled_positions(np.column_stack([frac[:, :2], atoms.get_scaled_positions(wrap=False)[:, 2]]))
    else:
        atoms.set_cell(cell @ eps, scale_atoms=True)
    return s


def compress_layer(atoms, rng, smin, smax, thickness=(1.0, 1.0), uniaxial=False):
    """Compress a monolayer in-plane by a random factor in [smin, smax] (along x only if uniaxial) and scale its
    thickness about the Mo plane by a random factor in `thickness`; returns the in-plane factor."""
    s = rng.uniform(smin, smax)
    t = rng.uniform(*thickness)
    zc = atoms.positions[:, 2].mean()
    atoms.positions[:, 2] = zc + (atoms.positions[:, 2] - zc) * t
    eps = np.diag([s, 1.0 if uniaxial else s, 1.0])
    atoms.set_cell(atoms.cell.array @ eps, scale_atoms=True)
    return s


def rattle(atoms, rng, sigma, dmin=1.2, tries=200):
    """Gaussian displacements, redrawn until the smallest distance is >= dmin."""
    p0 = atoms.positions.copy()
    for _ in range(tries):
        atoms.positions = p0 + rng.normal(0, sigma, p0.shape)
        if min_dist(atoms) >= dmin:
            return True
    atoms.positions = p0
    return False


def insert_atom(atoms, symbol, rng, dmin=1.2, dmax=None, z_range=None, tries=5000):
    """Add one atom at a random position at least dmin from every atom (and within dmax of some atom)."""
    from ase.geometry import get_distances
    zc = atoms.positions[:, 2].mean()
    for _ in range(tries):
        f = rng.random(3)
        p = f @ atoms.cell.array
        if z_range is not None:
            p[2] = zc + rng.uniform(*z_range)
        _, d = get_distances(p[None], atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
        d = d.ravel()
        if d.min() >= dmin and (dmax is None or d.min() <= dmax):
            new = atoms.copy()
            new += Atoms(symbol, positions=[p])
            return sort_mo_s(new)
    raise RuntimeError("could not insert atom")
