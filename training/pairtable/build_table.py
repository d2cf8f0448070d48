"""Build the DP-Tab short-range pair table models/mos2-pairtable.txt and its plots.

    cd training && /usr/bin/python3 pairtable/build_table.py

V_ab(r), type_map [Mo, S], columns (Mo-Mo, Mo-S, S-S), DeePMD srtab/pairtab text format
(SPEC.md 6.2): uniform r from R0 = 0.01 A to R1 = 6.0 A in steps of H = 0.002 A.

Pieces (all energies are dimer binding energies, E_dimer(r) - E_atom_a - E_atom_b):
  ZBL      universal screened Coulomb (PHYSICS.md 3)                      r <= rZ1
  AE       all-electron PBE (NWChem; basis UGBS+P once its grid is complete, else UGBS, else DZVP;
           --basis dzvp|ugbs|ugbsp forces one), cubic spline of r*V(r)
  PP       GPAW (the dataset's PAW/PW setting) dimer curve, spline of r*V(r)
  joined with the quintic switch s(x) = 10x^3 - 15x^4 + 6x^5 (x = (r - ra)/(rb - ra)):
  V = (1 - s) V_lower + s V_upper on each window (the paper's eqs. 1-2 form):
      ZBL -> AE on [rZ1, rZ2] = [AE_RMIN, AE_RMIN + 0.15] A,
      AE  -> PP on [1.0, 1.2] A.
  Beyond the last labelled GPAW dimer distance the PP curve is tapered to 0 with the same
  switch over [rT1, rT2] (rT2 = last point) and the table is 0 up to 6 A.
Value and first and second derivatives are continuous across every join (s, s', s'' vanish
at the window edges).  AE_RMIN is the smallest distance where the all-electron curve is
judged reliable (pairtable/ae_reliability.json: UGBS+P against AQZP).
"""
import glob
import json
import os
import sys

import numpy as np
from scipy.interpolate import CubicSpline

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN = os.path.dirname(HERE)
ROOT = os.path.dirname(TRAIN)
OUT_TABLE = os.path.join(ROOT, "models", "mos2-pairtable.txt")
OUT_PLOT = os.path.join(ROOT, "models", "mos2-pairtable.png")
OUT_META = os.path.join(HERE, "table_meta.json")

R0, R1, H = 0.01, 6.0, 0.002
Z = {"Mo": 42, "S": 16}
PAIRS = [("MoMo", "Mo", "Mo"), ("MoS", "Mo", "S"), ("SS", "S", "S")]
PP_WIN = (1.0, 1.2)
QQ = 14.399645  # e^2/(4 pi eps0), eV*A (LAMMPS metal)


def zbl(r, z1, z2):
    a = 0.46850 / (z1 ** 0.23 + z2 ** 0.23)
    x = r / a
    phi = (0.18175 * np.exp(-3.19980 * x) + 0.50986 * np.exp(-0.94229 * x)
           + 0.28022 * np.exp(-0.40290 * x) + 0.02817 * np.exp(-0.20162 * x))
    return QQ * z1 * z2 / r * phi


def smooth(r, ra, rb):
    x = np.clip((r - ra) / (rb - ra), 0.0, 1.0)
    return x ** 3 * (10 - 15 * x + 6 * x ** 2)


def ae_curve(pair, basis="dzvp", mults=(1, 3)):
    """All-electron binding curve V(r) of one basis; the lowest of the multiplicities `mults` at each r."""
    d = json.load(open(os.path.join(HERE, "ae_dimers.json")))
    a, b = {"MoMo": ("Mo", "Mo"), "MoS": ("Mo", "S"), "SS": ("S", "S")}[pair]
    ea = d[f"{basis}/atom/{a}"]["E_eV"] + d[f"{basis}/atom/{b}"]["E_eV"]
    pts = {}
    for k, v in d.items():
        p = k.split("/")
        if v is None or p[0] != basis or p[1] != pair or int(p[3][1:]) not in mults:
            continue
        r = float(p[2])
        pts[r] = min(pts.get(r, np.inf), v["E_eV"] - ea)
    r = np.array(sorted(pts))
    return r, np.array([pts[x] for x in r])


def pp_curve(pair):
    """GPAW dimer binding curve from the labelled dimers (work/results or packed data), in the energy the DP
    part is trained on (factory.pack.label_energy: the force-consistent free energy)."""
    sys.path.insert(0, TRAIN)
    from factory.pack import label_energy, read_packed, read_results
    res = read_packed()
    res.update(read_results())
    atoms = {}
    for r in res.values():
        if r["category"] == "atom":
            atoms[r["symbols"][0]] = label_energy(r)
    a, b = {"MoMo": ("Mo", "Mo"), "MoS": ("Mo", "S"), "SS": ("S", "S")}[pair]
    if a not in atoms or b not in atoms:
        return np.array([]), np.array([])
    pts = {}
    for r in res.values():
        if r["category"] != "dimer" or not r["note"].startswith(pair + " "):
            continue
        pos = np.array(r["positions"])
        d = float(np.linalg.norm(pos[1] - pos[0]))
        pts[round(d, 4)] = label_energy(r) - atoms[a] - atoms[b]  # the energy the DP is trained on
    rr = np.array(sorted(pts))
    return rr, np.array([pts[x] for x in rr])


def spline_rv(r, v):
    """Cubic spline of r*V(r) (smooth where V ~ 1/r); returns V(r) and V'(r) callables."""
    cs = CubicSpline(r, r * v)
    return (lambda x: cs(x) / x), (lambda x: cs(x, 1) / x - cs(x) / x ** 2)


def default_basis():
    """The most complete all-electron basis whose grid is complete for all pairs: UGBS+P, else UGBS, else DZVP."""
    from nwchem_dimers import GRIDS
    for basis in ("ugbsp", "ugbs"):
        try:
            if all(all(np.any(np.isclose(ae_curve(pair, basis)[0], x)) for x in GRIDS[basis]) for pair, _, _ in PAIRS):
                return basis
        except KeyError:
            continue
    return "dzvp"


def build(ae_rmin=None, basis=None):
    basis = basis or default_basis()
    rel = json.load(open(os.path.join(HERE, "ae_reliability.json"))) if os.path.exists(
        os.path.join(HERE, "ae_reliability.json")) else {}
    grid = np.round(np.arange(R0, R1 + H / 2, H), 6)
    cols, meta = [], {"grid": [R0, R1, H], "pairs": {}}
    for pair, a, b in PAIRS:
        rmin = ae_rmin or rel.get(pair, {}).get("rmin", 0.5)
        rz = (rmin, rmin + 0.15)
        ra, va = ae_curve(pair, basis)
        rp, vp = pp_curve(pair)
        v_ae, _ = spline_rv(ra, va)
        vz = zbl(grid, Z[a], Z[b])
        V = vz.copy()
        m = grid >= rz[0]
        s1 = smooth(grid, *rz)
        V[m] = (1 - s1[m]) * vz[m] + s1[m] * v_ae(grid[m])
        info = {"ae_basis": basis, "zbl_ae_window": rz, "ae_pp_window": PP_WIN, "ae_points": len(ra), "pp_points": len(rp)}
        if len(rp) >= 4 and rp.min() <= PP_WIN[0] + 1e-6 and rp.max() >= PP_WIN[1] + 0.2:
            v_pp, _ = spline_rv(rp, vp)
            rlast = rp.max()
            # taper: the last 1.0 A of the labelled PP range (0.3 A if the range is short)
            rt = (max(PP_WIN[1] + 0.05, rlast - 1.0), rlast) if rlast > 2.0 else (rlast - 0.3, rlast)
            m2 = grid >= PP_WIN[0]
            s2 = smooth(grid, *PP_WIN)
            vpp = np.where(grid <= rlast, v_pp(np.minimum(grid, rlast)), 0.0) * (1 - smooth(grid, *rt))
            V[m2] = (1 - s2[m2]) * V[m2] + s2[m2] * vpp[m2]
            info.update(pp_range=[float(rp.min()), float(rlast)], taper=rt,
                        status="AE+PP" if rlast >= 4.5 else f"provisional: AE+PP, GPAW dimers only up to {rlast:.2f} A")
        else:
            # no GPAW window points yet: taper the AE curve to zero over [1.2, 1.6] (provisional)
            m2 = grid >= PP_WIN[0]
            V[m2] = V[m2] * (1 - smooth(grid[m2], 1.2, 1.6))
            info.update(status="provisional: GPAW dimer window not labelled yet; AE tapered to 0 over 1.2-1.6 A")
        V[grid > R1] = 0.0
        cols.append(V)
        meta["pairs"][pair] = info
    data = np.column_stack([grid] + cols)
    os.makedirs(os.path.dirname(OUT_TABLE), exist_ok=True)
    np.savetxt(OUT_TABLE, data, fmt="%.6f %.10e %.10e %.10e")
    json.dump(meta, open(OUT_META, "w"), indent=1)
    return grid, cols, meta


def plot(grid, cols):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axs = plt.subplots(1, 3, figsize=(15, 4.5))
    for ax, (pair, a, b), V in zip(axs, PAIRS, cols):
        rp, vp = pp_curve(pair)
        m = (grid > 0.2) & (grid < 3.0)
        ax.semilogy(grid[m], zbl(grid[m], Z[a], Z[b]), "k--", label="ZBL")
        for basis, mk in (("ugbs", "^"), ("aqzp", "v"), ("ugbsp", "o")):
            try:
                ra, va = ae_curve(pair, basis)
            except KeyError:
                continue
            if len(ra):
                ax.semilogy(ra, np.where(va > 0, va, np.nan), mk, ms=4, mfc="none",
                            label=f"all-electron PBE, NWChem {basis.upper().replace('UGBSP', 'UGBS+P')}")
        if len(rp):
            ax.semilogy(rp, np.where(vp > 0, vp, np.nan), "s", ms=4, label="PAW PBE (GPAW)")
        ax.semilogy(grid[m], np.where(V[m] > 0, V[m], np.nan), "r-", lw=1.2, label="table")
        ax.axvspan(*PP_WIN, color="0.9")
        ax.set_xlim(0.2, 3.0)
        ax.set_ylim(0.1, 5e3)
        ax.set_title(f"{a}-{b}")
        ax.set_xlabel("r (Å)")
        ax.set_ylabel("E(r) − E(∞) (eV)")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT_PLOT, dpi=110)


if __name__ == "__main__":
    b = sys.argv[sys.argv.index("--basis") + 1] if "--basis" in sys.argv else None
    g, c, meta = build(basis=b)
    plot(g, c)
    print(json.dumps(meta, indent=1))
