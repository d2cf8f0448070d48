"""Smallest distance where the table's all-electron curve (UGBS+P) is reliable, from a second large basis (AQZP).

    cd training && /usr/bin/python3 pairtable/reliability.py  -> pairtable/ae_reliability.json

Gaussian basis sets lose accuracy when two nuclei come close (the functions of each atom are optimised for
the free atom, not for the united atom), so the all-electron curve is trusted only where it is
basis-converged: where two independent large all-electron bases, UGBS+P (the uncontracted universal UGBS plus
AQZP's polarisation shells) and Jorge's augmented quadruple-zeta AQZP, agree.  Criterion: for every checked
r' >= r the singlet binding energies V(r') = E_dimer - E_atoms of the two bases agree within max(0.5 eV, 2 % of
V).  rmin is the smallest such checked r (never below 0.3 A, where NWChem's geometry check stops).  Without check
data the default 0.5 A is written and marked 'unchecked'.  Listed beside them for the record: plain UGBS (no
polarisation shells: 8-12 eV too repulsive at 0.9-1.2 A), DZVP (20-25 % too repulsive for Mo-Mo at 1.0-1.2 A),
and UGBS+P's basis-set superposition error (counterpoise runs, nwchem_dimers.py --counterpoise), which bounds
how much of the agreement could come from borrowed partner functions.
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from build_table import ae_curve  # noqa: E402
from nwchem_dimers import CHECK_GRID, PAIRS  # noqa: E402

MAIN, CHECK = "ugbsp", "aqzp"
REL_TOL, ABS_TOL = 0.02, 0.5   # agreement: |dV| <= max(ABS_TOL eV, REL_TOL |V|)


def curve(pair, basis):
    try:
        return ae_curve(pair, basis, mults=(1,))
    except KeyError:
        return np.array([]), np.array([])


def bsse(pair, basis, data):
    """{r: superposition error of the dimer (eV, <= 0)}: both atoms in the dimer basis minus the free atoms."""
    a, b = PAIRS[pair]
    out = {}
    for k in data:
        p = k.split("/")
        if p[0] != basis or p[1] != "cp" or p[2] != f"{a}+{b}":
            continue
        ka, kb = f"{basis}/cp/{a}+{b}/{p[3]}", f"{basis}/cp/{b}+{a}/{p[3]}"
        if data.get(ka) and data.get(kb):
            out[float(p[3])] = (data[ka]["E_eV"] - data[f"{basis}/atom/{a}"]["E_eV"]
                                + data[kb]["E_eV"] - data[f"{basis}/atom/{b}"]["E_eV"])
    return out


def at(r, v, x):
    i = np.isclose(r, x)
    return float(v[i][0]) if i.any() else None


def judge(main, check, others=None, grid=CHECK_GRID):
    """main, check: (r, V) curves of the two large bases; others: {column name: (r, V)} listed for the record
    -> rmin, status and the compared rows."""
    (rm, vm), (rc, vc) = main, check
    common = [x for x in grid if at(rm, vm, x) is not None and at(rc, vc, x) is not None]
    rows, ok_from = [], None
    for x in sorted(common, reverse=True):
        a, b = at(rm, vm, x), at(rc, vc, x)
        good = abs(a - b) <= max(ABS_TOL, REL_TOL * abs(a))
        row = dict(r=x, V_main=a, V_check=b, diff=b - a, ok=good)
        row.update({k: at(*c, x) for k, c in (others or {}).items()})
        rows.append(row)
        if not good:
            break
        ok_from = x
    complete = len(common) == len(grid)
    if ok_from is None:
        status = "unchecked (default 0.5 A)" if not common else "the two bases disagree at the largest checked r"
    else:
        status = "checked" if complete else f"partial check ({len(common)} of {len(grid)} points)"
    return dict(rmin=float(ok_from) if ok_from is not None else 0.5, status=status,
                main=MAIN, check=CHECK,
                criterion=f"|V_check - V_main| <= max({ABS_TOL} eV, {REL_TOL:.0%}) for all checked r' >= rmin",
                rows=rows)


def main():
    data = json.load(open(os.path.join(HERE, "ae_dimers.json")))
    out = {}
    for pair in PAIRS:
        cp = bsse(pair, MAIN, data)
        others = {"V_ugbs": curve(pair, "ugbs"), "V_dzvp": curve(pair, "dzvp"),
                  "bsse_main": (np.array(sorted(cp)), np.array([cp[x] for x in sorted(cp)]))}
        out[pair] = judge(curve(pair, MAIN), curve(pair, CHECK), others)
    json.dump(out, open(os.path.join(HERE, "ae_reliability.json"), "w"), indent=1)
    for p, d in out.items():
        print(p, d["rmin"], d["status"])
        for r in d["rows"]:
            cp = "" if r["bsse_main"] is None else f"  BSSE={r['bsse_main']:7.3f}"
            print(f"   r={r['r']:.2f}  V_{MAIN}={r['V_main']:10.3f}  V_{CHECK}={r['V_check']:10.3f}  "
                  f"diff={r['diff']:8.3f}  {'ok' if r['ok'] else 'NO'}{cp}")


if __name__ == "__main__":
    main()
