"""Smallest distance where the table's all-electron curve (UGBS) is reliable, from a second large basis (AQZP).

    cd training && /usr/bin/python3 pairtable/reliability.py  -> pairtable/ae_reliability.json

Gaussian basis sets lose accuracy when two nuclei come close (the functions of each atom are optimised for
the free atom, not for the united atom), so the all-electron curve is trusted only where it is
basis-converged: where two independent large all-electron bases, the uncontracted universal UGBS and Jorge's
augmented quadruple-zeta AQZP, agree.  Criterion: for every checked r' >= r the singlet binding energies
V(r') = E_dimer - E_atoms of the two bases agree within max(0.5 eV, 2 % of V).  rmin is the smallest such
checked r (never below 0.3 A, where NWChem's geometry check stops).  Without check data the default 0.5 A
is written and marked 'unchecked'.  (DZVP, the contracted basis of the first interim curve, is listed beside
them for the record; it is 20-25 % too repulsive for Mo-Mo at 1.0-1.2 A, so it is no judge.)
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from build_table import ae_curve  # noqa: E402
from nwchem_dimers import CHECK_GRID  # noqa: E402

MAIN, CHECK = "ugbs", "aqzp"
REL_TOL, ABS_TOL = 0.02, 0.5   # agreement: |dV| <= max(ABS_TOL eV, REL_TOL |V|)


def curve(pair, basis):
    try:
        return ae_curve(pair, basis, mults=(1,))
    except KeyError:
        return np.array([]), np.array([])


def at(r, v, x):
    i = np.isclose(r, x)
    return float(v[i][0]) if i.any() else None


def judge(main, check, dzvp=(np.array([]), np.array([])), grid=CHECK_GRID):
    """main, check, dzvp: (r, V) curves of the three bases -> rmin, status and the compared rows."""
    (rm, vm), (rc, vc), (rd, vd) = main, check, dzvp
    common = [x for x in grid if at(rm, vm, x) is not None and at(rc, vc, x) is not None]
    rows, ok_from = [], None
    for x in sorted(common, reverse=True):
        a, b = at(rm, vm, x), at(rc, vc, x)
        good = abs(a - b) <= max(ABS_TOL, REL_TOL * abs(a))
        rows.append(dict(r=x, V_ugbs=a, V_aqzp=b, V_dzvp=at(rd, vd, x), diff=b - a, ok=good))
        if not good:
            break
        ok_from = x
    complete = len(common) == len(grid)
    if ok_from is None:
        status = "unchecked (default 0.5 A)" if not common else "UGBS and AQZP disagree at the largest checked r"
    else:
        status = "checked" if complete else f"partial check ({len(common)} of {len(grid)} points)"
    return dict(rmin=float(ok_from) if ok_from is not None else 0.5, status=status,
                criterion=f"|V_aqzp - V_ugbs| <= max({ABS_TOL} eV, {REL_TOL:.0%}) for all checked r' >= rmin",
                rows=rows)


def main():
    out = {pair: judge(curve(pair, MAIN), curve(pair, CHECK), curve(pair, "dzvp")) for pair in ("MoMo", "MoS", "SS")}
    json.dump(out, open(os.path.join(HERE, "ae_reliability.json"), "w"), indent=1)
    for p, d in out.items():
        print(p, d["rmin"], d["status"])
        for r in d["rows"]:
            print(f"   r={r['r']:.2f}  V_ugbs={r['V_ugbs']:10.3f}  V_aqzp={r['V_aqzp']:10.3f}  diff={r['diff']:8.3f}  "
                  f"{'ok' if r['ok'] else 'NO'}")


if __name__ == "__main__":
    main()
