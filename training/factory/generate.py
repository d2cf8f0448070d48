"""Deterministic, seeded configuration generator, by category (the paper's Table I at small scale).

    /usr/bin/python3 -m factory.generate        (from training/)  -> training/configs/*.extxyz

Every configuration gets a stable id '<category>-<NNNN>' and a `cost` estimate; the
queue order (round-robin over categories, cheap first within each) is made by
factory.label.  The extxyz files are committed, so ids are stable even if numpy's
random streams ever change.
"""
import os
import numpy as np
from ase import Atoms
from ase.io import write

from . import structures as S

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONF_DIR = os.path.join(HERE, "configs")
SEED = 20261123

CATEGORIES = ["atom", "dimer", "bulk", "monolayer", "vacancy", "substitution",
              "nanopore", "interstitial", "hot"]

VACANCIES = ["VS", "VS2_same", "VS2_opp", "VMo", "VMoS3"]
ANTISITES = ["MoS", "SMo", "MoS_top_bottom"]
# thermal displacements (per component): about 0.04 A at 300 K and 0.08 A at 1000 K in MoS2
THERMAL = (0.02, 0.08)


def _box_isolated(symbols, positions):
    # slightly different box edges break the cubic symmetry of the isolated atom/dimer
    at = Atoms(symbols, positions=positions, cell=[10.0, 10.5, 11.0], pbc=True)
    at.center()
    return at


def gen_atom(rng):
    out = []
    for s in ["Mo", "S"]:
        out.append((_box_isolated(s, [[0, 0, 0]]), dict(kind="atom", note=f"isolated {s}")))
    return out


def gen_dimer(rng):
    out = []
    grid = np.round(np.concatenate([np.arange(1.2, 3.0, 0.1), np.arange(3.0, 5.01, 0.25)]), 3)
    # table window points (below the 1.2 A training range), used for the pair table join
    win = np.round(np.arange(0.9, 1.2, 0.05), 3)
    for pair in ["MoMo", "MoS", "SS"]:
        a, b = ("Mo", "Mo") if pair == "MoMo" else (("Mo", "S") if pair == "MoS" else ("S", "S"))
        for r in list(grid) + list(win):
            at = _box_isolated([a, b], [[0, 0, 0], [r, 0, 0]])
            # tilt the axis a little so that the dimer is not along a cell axis (no spurious symmetry)
            at.positions[1] = at.positions[0] + r * np.array([0.8, 0.5, np.sqrt(1 - 0.89)])
            at.center()
            out.append((at, dict(kind="dimer", note=f"{pair} r={r:.3f}", r=float(r),
                                 table_window=bool(r < 1.2))))
    return out


def gen_bulk(rng):
    out = []
    for i in range(60):
        at = S.bulk_2h(1)
        lo, hi = (0.9, 1.12) if i % 4 else (0.75, 1.4)
        s = S.strain_cell(at, rng, lo, hi, inplane_only=False, shear=0.04)
        S.rattle(at, rng, rng.uniform(0.02, 0.2))
        out.append((at, dict(kind="condensed", note=f"bulk 2H strain={s:.3f}")))
    for i in range(15):
        at = S.bulk_2h(2)
        s = S.strain_cell(at, rng, 0.93, 1.08, inplane_only=False, shear=0.03)
        S.rattle(at, rng, rng.uniform(0.05, 0.2))
        out.append((at, dict(kind="condensed", note=f"bulk 2H 2x2 strain={s:.3f}")))
    return out


def gen_monolayer(rng):
    out = []
    specs = [("hex1", 60), ("ortho", 50), ("hex2", 50), ("hex3", 15)]
    for name, n in specs:
        for i in range(n):
            at = {"hex1": S.monolayer_hex(1), "ortho": S.monolayer_ortho(1, 1),
                  "hex2": S.monolayer_hex(2), "hex3": S.monolayer_hex(3)}[name]
            if i % 5 == 4:
                lo, hi = 0.7, 1.5     # large strain (the paper's 0.5-1.5 range, where physical)
            else:
                lo, hi = 0.92, 1.1
            s = S.strain_cell(at, rng, lo, hi, inplane_only=True, shear=0.05)
            sig = rng.uniform(0.02, 0.25) if name != "hex1" else rng.uniform(0.0, 0.12)
            S.rattle(at, rng, sig)
            out.append((at, dict(kind="condensed", note=f"monolayer {name} strain={s:.3f} rattle={sig:.3f}")))
    # strong compression (0.5-0.85), biaxial and uniaxial, with the layer as thick as or thicker than at rest: what a
    # relaxed compressed layer looks like (the cells above shrink the thickness with the strain).  Without such
    # frames fresh models grew spurious energy wells below a strain of about 0.7 (the energy-strain collapse check).
    for i in range(40):
        name = ("hex1", "ortho", "hex2")[i % 3]
        at = {"hex1": S.monolayer_hex(1), "ortho": S.monolayer_ortho(1, 1), "hex2": S.monolayer_hex(2)}[name]
        mode = "uniaxial" if i % 2 else "biaxial"
        s = S.compress_layer(at, rng, 0.5, 0.85, thickness=(1.0, 1.3), uniaxial=mode == "uniaxial")
        sig = rng.uniform(0.02, 0.1)
        S.rattle(at, rng, sig, dmin=1.0)
        out.append((at, dict(kind="condensed", note=f"monolayer {name} {mode} compression={s:.3f} rattle={sig:.3f}")))
    # near equilibrium: nearly unstrained cells with thermal-size displacements (the frames the near-equilibrium
    # accuracy is judged on; the cells above are mostly strained or rattled beyond it)
    for i in range(24):
        name = ("ortho", "hex2", "ortho", "hex2", "hex3", "hex2")[i % 6]
        at = {"ortho": S.monolayer_ortho(1, 1), "hex2": S.monolayer_hex(2), "hex3": S.monolayer_hex(3)}[name]
        s = S.strain_cell(at, rng, 0.98, 1.02, inplane_only=True, shear=0.01)
        sig = rng.uniform(*THERMAL)
        S.rattle(at, rng, sig)
        out.append((at, dict(kind="condensed", note=f"monolayer {name} thermal strain={s:.3f} rattle={sig:.3f}")))
    # strong compression with a thick layer: our DFT relaxes the 3-atom cell at uniaxial 0.6 to t = 5.1 A (1.6 t0)
    # and at biaxial 0.725 to 7.3 A (2.3 t0, reference.py's collapse probes), beyond the 1.0-1.3 t0 of the compressed
    # cells above, and models relaxed into that unsampled region drop below DFT (the collapse check at 0.6)
    for i in range(16):
        name = ("hex1", "ortho")[i % 2]
        at = {"hex1": S.monolayer_hex(1), "ortho": S.monolayer_ortho(1, 1)}[name]
        mode = "uniaxial" if (i // 2) % 2 else "biaxial"
        s = S.compress_layer(at, rng, 0.55, 0.8, thickness=(1.3, 2.4), uniaxial=mode == "uniaxial")
        sig = rng.uniform(*THERMAL)
        S.rattle(at, rng, sig, dmin=1.0)
        out.append((at, dict(kind="condensed", note=f"monolayer {name} {mode} compression={s:.3f} thick rattle={sig:.3f}")))
    return out


def _remove(at, idx):
    keep = [i for i in range(len(at)) if i not in set(idx)]
    return at[keep]


def _nearest_first(d):
    """Indices by distance, equal distances (to 1e-6 A) by index: in a perfect lattice many distances tie, and
    a plain argsort breaks ties by rounding noise, which differs between machines: the same seed gave other
    vacancy and pore sites for 8 of the 625 configurations on another machine (2026-11-23)."""
    return np.argsort(np.round(np.asarray(d), 6), kind="stable")


def _neighbours(at, i, symbol=None, n=1):
    d = at.get_distances(i, range(len(at)), mic=True)
    order = [j for j in _nearest_first(d) if j != i and (symbol is None or at[j].symbol == symbol)]
    return order[:n]


def _vacancy_cell(rep, kind):
    """A rep x rep monolayer with one vacancy of `kind` (VACANCIES)."""
    at = S.monolayer_hex(rep)
    mo = [j for j in range(len(at)) if at[j].symbol == "Mo"]
    s_ = [j for j in range(len(at)) if at[j].symbol == "S"]
    zc = at.positions[mo, 2].mean()
    top = [j for j in s_ if at.positions[j, 2] > zc]
    if kind == "VS":
        rm = [top[0]]
    elif kind == "VS2_same":
        rm = [top[0]] + [j for j in _neighbours(at, top[0], "S", 10) if at.positions[j, 2] > zc][:1]
    elif kind == "VS2_opp":
        rm = [top[0]] + [j for j in _neighbours(at, top[0], "S", 3) if at.positions[j, 2] < zc][:1]
    elif kind == "VMo":
        rm = [mo[0]]
    else:
        rm = [mo[0]] + _neighbours(at, mo[0], "S", 3)
    return _remove(at, rm)


def _defect_thermal(rng, build, kinds, label, reps=(2, 2, 3)):
    """Near-equilibrium defect cells: the defect of each kind in rep x rep cells (by default 2x2 twice and 3x3), nearly
    unstrained, with thermal-size displacements (the frames the near-equilibrium accuracy is judged on)."""
    out = []
    for rep in reps:
        for kind in kinds:
            at = build(rep, kind)
            S.strain_cell(at, rng, 0.985, 1.015, inplane_only=True, shear=0.01)
            sig = rng.uniform(*THERMAL)
            S.rattle(at, rng, sig)
            out.append((at, dict(kind="condensed", note=f"{rep}x{rep} {label}{kind} thermal rattle={sig:.3f}")))
    return out


def gen_vacancy(rng):
    out = []
    for rep, n in [(2, 8), (3, 8)]:
        for kind in VACANCIES:
            for i in range(n if rep == 2 else n // 2):
                at = _vacancy_cell(rep, kind)
                S.strain_cell(at, rng, 0.97, 1.04, inplane_only=True, shear=0.02)
                sig = rng.uniform(0.03, 0.2)
                S.rattle(at, rng, sig)
                out.append((at, dict(kind="condensed", note=f"{rep}x{rep} {kind} rattle={sig:.3f}")))
    # appended (session 10): two more 3x3 thermal cells of each kind.  The model's near-equilibrium error sits in the
    # 3x3 defect cells (-21 meV/atom on a held-out 3x3 V_S2, labels k-converged to 0.01 meV/atom, kpoint_check.py)
    # while their 2x2 counterparts fit: the 2x2 cells hold a defect at 25 % concentration, the 3x3 ones the isolated
    # defect's surroundings the app's cascades produce
    return (out + _defect_thermal(rng, _vacancy_cell, VACANCIES, "")
            + _defect_thermal(rng, _vacancy_cell, VACANCIES, "", reps=(3, 3)))


def _antisite_cell(rep, kind):
    """A rep x rep monolayer with one antisite of `kind` (ANTISITES)."""
    at = S.monolayer_hex(rep)
    mo = [j for j in range(len(at)) if at[j].symbol == "Mo"]
    s_ = [j for j in range(len(at)) if at[j].symbol == "S"]
    syms = at.get_chemical_symbols()
    if kind == "MoS":      # Mo on an S site (antisite)
        syms[s_[0]] = "Mo"
    elif kind == "SMo":    # S on a Mo site
        syms[mo[0]] = "S"
    else:                  # Mo on an S site, with the S below removed (Mo_S2 complex)
        syms[s_[0]] = "Mo"
    at.set_chemical_symbols(syms)
    if kind == "MoS_top_bottom":
        zc = at.positions[mo, 2].mean()
        j = [k for k in _neighbours(at, s_[0], "S", 3) if (at.positions[k, 2] - zc) * (at.positions[s_[0], 2] - zc) < 0]
        at = _remove(at, j[:1])
    return S.sort_mo_s(at)


def gen_substitution(rng):
    out = []
    for rep, n in [(2, 12), (3, 6)]:
        for kind in ANTISITES:
            for i in range(n):
                at = _antisite_cell(rep, kind)
                S.strain_cell(at, rng, 0.97, 1.04, inplane_only=True, shear=0.02)
                sig = rng.uniform(0.03, 0.2)
                S.rattle(at, rng, sig)
                out.append((at, dict(kind="condensed", note=f"{rep}x{rep} antisite {kind} rattle={sig:.3f}")))
    # appended (session 10): two more 3x3 thermal cells of each kind (see gen_vacancy)
    return (out + _defect_thermal(rng, _antisite_cell, ANTISITES, "antisite ")
            + _defect_thermal(rng, _antisite_cell, ANTISITES, "antisite ", reps=(3, 3)))


def gen_nanopore(rng):
    """MonSm removed from a 4x4 cell: the n Mo nearest a centre and their m nearest S."""
    out = []
    pores = [(1, 0), (1, 3), (1, 6), (2, 4), (2, 6), (3, 8), (3, 10), (4, 12), (0, 2), (0, 4)]
    for k in range(3):
        for (n, m) in pores:
            at = S.monolayer_hex(4)
            mo = [j for j in range(len(at)) if at[j].symbol == "Mo"]
            s_ = [j for j in range(len(at)) if at[j].symbol == "S"]
            c = at.cell.array
            centre = 0.5 * (c[0] + c[1]) + rng.normal(0, 0.3, 3)
            centre[2] = at.positions[:, 2].mean()
            from ase.geometry import get_distances
            _, dmo = get_distances(centre[None], at.positions[mo], cell=at.cell, pbc=at.pbc)
            rm_mo = [mo[j] for j in _nearest_first(dmo.ravel())[:n]]
            if rm_mo:
                cen2 = at.positions[rm_mo].mean(axis=0)
            else:
                cen2 = centre
            _, ds = get_distances(cen2[None], at.positions[s_], cell=at.cell, pbc=at.pbc)
            rm_s = [s_[j] for j in _nearest_first(ds.ravel())[:m]]
            at = _remove(at, rm_mo + rm_s)
            S.strain_cell(at, rng, 0.98, 1.03, inplane_only=True, shear=0.01)
            sig = rng.uniform(0.03, 0.15)
            S.rattle(at, rng, sig)
            out.append((at, dict(kind="condensed", note=f"4x4 pore Mo{n}S{m} rattle={sig:.3f}")))
    return out


def gen_interstitial(rng):
    """An added Mo or S at least 1.2 A from its neighbours (in, above or below the layer)."""
    out = []
    for rep, n in [(1, 20), (2, 30), (3, 10)]:
        for i in range(n):
            at = S.monolayer_hex(rep) if rep > 1 else S.monolayer_ortho(1, 1)
            sym = "Mo" if i % 2 else "S"
            dmin = rng.choice([1.2, 1.4, 1.6, 1.8, 2.0])
            at = S.insert_atom(at, sym, rng, dmin=dmin, dmax=dmin + 0.6, z_range=(-3.5, 3.5))
            sig = rng.uniform(0.0, 0.1)
            S.rattle(at, rng, sig, dmin=min(dmin, 1.2) - 0.05)
            out.append((at, dict(kind="condensed", note=f"interstitial {sym} dmin>={dmin:.1f} cell={rep}")))
    return out


def gen_hot(rng):
    """Hot (large rattle) and liquid-like (random positions at about MoS2 density) configurations."""
    out = []
    for i in range(40):
        at = S.monolayer_hex(2) if i % 2 else S.monolayer_ortho(1, 1)
        S.strain_cell(at, rng, 0.95, 1.08, inplane_only=True, shear=0.04)
        sig = rng.uniform(0.25, 0.45)
        S.rattle(at, rng, sig, dmin=1.3)
        out.append((at, dict(kind="condensed", note=f"hot monolayer rattle={sig:.3f}")))
    for i in range(30):
        nmo = [2, 4, 4][i % 3]
        ns = 2 * nmo
        # liquid-like: random positions in a periodic box at about 0.85x the bulk density
        vol = (nmo + ns) / 0.0635 / 0.85
        L = vol ** (1 / 3)
        at = Atoms(cell=[L, L * rng.uniform(0.9, 1.1), L * rng.uniform(0.9, 1.1)], pbc=True)
        for sym in ["Mo"] * nmo + ["S"] * ns:
            at = S.insert_atom(at, sym, rng, dmin=1.9) if len(at) else Atoms(sym, positions=[[0, 0, 0]], cell=at.cell, pbc=True)
        at = S.sort_mo_s(at)
        out.append((at, dict(kind="condensed", note=f"liquid-like Mo{nmo}S{ns} L={L:.2f}")))
    return out


GENERATORS = {c: globals()["gen_" + c] for c in CATEGORIES}


def estimate_cost(at, info):
    """Very rough relative cost (seconds-ish) used to order the queue: cheap first."""
    from .dft import kpts_for
    if info["kind"] in ("atom", "dimer"):
        return 60.0 * len(at)
    nk = int(np.prod(kpts_for(at)))
    nel = sum(14 if s == "Mo" else 6 for s in at.get_chemical_symbols())
    return 0.02 * max(1, nk / 2) * (nel / 40.0) ** 2 * at.get_volume() / 100.0


def generate():
    os.makedirs(CONF_DIR, exist_ok=True)
    total = 0
    for ic, cat in enumerate(CATEGORIES):
        rng = np.random.default_rng([SEED, ic])
        items = GENERATORS[cat](rng)
        frames = []
        for k, (at, info) in enumerate(items):
            at = S.sort_mo_s(at)
            at.wrap()
            at.info.clear()
            at.info["id"] = f"{cat}-{k:04d}"
            at.info["category"] = cat
            at.info["calc_kind"] = info["kind"]
            at.info["note"] = info["note"]
            at.info["cost"] = round(float(estimate_cost(at, info)), 2)
            if "r" in info:
                at.info["r"] = info["r"]
                at.info["table_window"] = int(info["table_window"])
            frames.append(at)
        write(os.path.join(CONF_DIR, f"{cat}.extxyz"), frames, format="extxyz")
        total += len(frames)
        print(f"{cat:14s} {len(frames):5d}")
    print("total", total)


if __name__ == "__main__":
    generate()
