"""Smallest distance where the main all-electron curve (DZVP) is reliable, from the UGBS check.

    cd training && /usr/bin/python3 pairtable/reliability.py  -> pairtable/ae_reliability.json

Criterion: for every checked r' >= r the two basis sets agree on the binding energy
V(r') = E_dimer - E_atoms within max(0.5 eV, 2 % of V).  rmin is the smallest such checked r
(never below 0.3 A, where NWChem's geometry check stops).  Without check data the default
0.5 A is written and marked 'unchecked'.
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from build_table import ae_curve  # noqa: E402
from nwchem_dimers import CHECK_GRID  # noqa: E402


def main():
    out = {}
    for pair in ("MoMo", "MoS", "SS"):
        r1, v1 = ae_curve(pair, "dzvp")
        try:
            r2, v2 = ae_curve(pair, "ugbs")
        except KeyError:
            r2, v2 = np.array([]), np.array([])
        rows, ok_from = [], None
        common = [r for r in CHECK_GRID if np.any(np.isclose(r1, r)) and np.any(np.isclose(r2, r))]
        for r in sorted(common, reverse=True):
            a = float(v1[np.isclose(r1, r)][0])
            b = float(v2[np.isclose(r2, r)][0])
            good = abs(a - b) <= max(0.5, 0.02 * abs(b))
            rows.append(dict(r=r, V_dzvp=a, V_ugbs=b, diff=a - b, ok=good))
            if not good:
                break
            ok_from = r
        complete = len(common) == len(CHECK_GRID)
        out[pair] = dict(rmin=float(ok_from) if ok_from is not None else 0.5,
                         status=("checked" if complete else f"partial check ({len(common)} of {len(CHECK_GRID)} points)")
                         if ok_from is not None else "unchecked (default 0.5 A)",
                         rows=rows)
    json.dump(out, open(os.path.join(HERE, "ae_reliability.json"), "w"), indent=1)
    for p, d in out.items():
        print(p, d["rmin"], d["status"])
        for r in d["rows"]:
            print(f"   r={r['r']:.2f}  V_dzvp={r['V_dzvp']:10.3f}  V_ugbs={r['V_ugbs']:10.3f}  diff={r['diff']:8.3f}  {'ok' if r['ok'] else 'NO'}")


if __name__ == "__main__":
    main()
