"""All-electron PBE dimer energies (NWChem) for Mo-Mo, Mo-S, S-S at short range.

    cd training && OMP_NUM_THREADS=1 nice -n 19 /usr/bin/python3 pairtable/nwchem_dimers.py [--check]

Main curve: basis "DZVP (DFT Orbital)" (all-electron, Cartesian), non-relativistic PBE
(xc xpbe96 cpbe96), 0.01 Ha smearing, multiplicities 1 and 3 (the lower energy is kept),
r = 0.3 ... 0.8 A in 0.1 A steps and 0.9 ... 1.6 A in 0.05 A steps (NWChem refuses
atoms closer than about 0.25 A); multiplicity 3 only for Mo-S and S-S at r >= 0.9 A; plus the spin-polarised free atoms (Mo 7S, S 3P).
--check: the same with the uncontracted universal basis UGBS at 0.3-1.2 A in 0.1 A steps (about 1 h of CPU),
multiplicity 3 as well for Mo-S and S-S at r >= 0.9 A: the table's all-electron curve once complete.
--check2: the same grid with a second large all-electron basis, Jorge's augmented quadruple-zeta AQZP
(contracted, non-relativistic); where UGBS and AQZP agree the all-electron curve is basis-converged, and
the shortest such distance is the smallest reliable one (reliability.py).
Each point is cached in pairtable/ae_dimers.json (resumable); scratch goes to pairtable/runs/.
"""
import json
import os
import re
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "ae_dimers.json")
RUNS = os.path.join(HERE, "runs")
HARTREE = 27.211386245988

BASES = {"dzvp": ('"DZVP (DFT Orbital)"', "cartesian"), "ugbs": ("UGBS", "spherical"), "aqzp": ("AQZP", "spherical")}
PAIRS = {"MoMo": ("Mo", "Mo"), "MoS": ("Mo", "S"), "SS": ("S", "S")}
MAIN_GRID = [round(x, 3) for x in list(np.arange(0.30, 0.85, 0.1)) + list(np.arange(0.90, 1.6001, 0.05))]
CHECK_GRID = [round(x, 3) for x in np.arange(0.3, 1.2001, 0.1)]


def load():
    return json.load(open(OUT)) if os.path.exists(OUT) else {}


def save(d):
    tmp = OUT + ".tmp"
    json.dump(d, open(tmp, "w"), indent=0, sort_keys=True)
    os.replace(tmp, OUT)


def nwchem(tag, atoms, basis, mult, smear=True):
    os.makedirs(RUNS, exist_ok=True)
    lib, kind = BASES[basis]
    d = os.path.join(RUNS, tag)
    os.makedirs(d, exist_ok=True)
    geo = "\n".join(f"  {s} 0.0 0.0 {z:.6f}" for s, z in atoms)
    task = "odft" if mult > 1 else "dft"
    inp = f"""start {tag}
permanent_dir {d}
scratch_dir {d}
memory total 1500 mb
geometry units angstrom nocenter noautosym noautoz
{geo}
end
basis {kind}
  * library {lib}
end
dft
  xc xpbe96 cpbe96
  {'odft' if mult > 1 else ''}
  mult {mult}
  {'smear 0.01' if smear else ''}
  iterations 300
  grid fine
  convergence energy 1e-7
  noprint "final vectors analysis" multipole
end
task dft energy
"""
    fn = os.path.join(d, "in.nw")
    open(fn, "w").write(inp)
    t0 = time.time()
    p = subprocess.run(["nwchem", fn], capture_output=True, text=True, cwd=d,
                       env=dict(os.environ, OMP_NUM_THREADS="1"))
    m = re.findall(r"Total DFT energy =\s+(-?\d+\.\d+)", p.stdout)
    conv = "Calculation failed to converge" not in p.stdout
    for f in os.listdir(d):           # keep only the input; scratch is large
        if f != "in.nw":
            try:
                os.remove(os.path.join(d, f))
            except IsADirectoryError:
                pass
    if not m:
        return None
    return dict(E_eV=float(m[-1]) * HARTREE, converged=conv, time_s=time.time() - t0)


def main():
    res = load()
    bases = ["aqzp"] if "--check2" in sys.argv else ["ugbs"] if "--check" in sys.argv else ["dzvp"]
    grid = MAIN_GRID if bases == ["dzvp"] else CHECK_GRID
    for basis in bases:
        for el, mult in (("Mo", 7), ("S", 3)):
            key = f"{basis}/atom/{el}"
            if key not in res:
                r = nwchem(f"{basis}_atom_{el}", [(el, 0.0)], basis, mult, smear=False)
                res[key] = r
                save(res)
                print(key, r, flush=True)
        # window and near-window points first, then shorter distances; pairs interleaved
        todo = sorted(((r_, pair, mult) for r_ in grid for pair in PAIRS for mult in (1, 3)
                       if mult == 1 or (basis != "aqzp" and pair != "MoMo" and r_ >= 0.9)),
                      key=lambda x: (0 if x[0] >= 0.9 else 1, -x[0] if x[0] < 0.9 else x[0], x[2]))
        for r_, pair, mult in todo:
                    a, b = PAIRS[pair]
                    key = f"{basis}/{pair}/{r_:.3f}/m{mult}"
                    if key in res:
                        continue
                    out = nwchem(f"{basis}_{pair}_{r_:.3f}_m{mult}", [(a, 0.0), (b, r_)], basis, mult)
                    res[key] = out
                    save(res)
                    print(key, out, flush=True)


if __name__ == "__main__":
    main()
