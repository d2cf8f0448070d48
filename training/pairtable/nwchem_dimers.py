"""All-electron PBE dimer energies (NWChem) for Mo-Mo, Mo-S, S-S at short range.

    cd training && OMP_NUM_THREADS=1 nice -n 19 /usr/bin/python3 pairtable/nwchem_dimers.py [--basis B] [--counterpoise]
                                                                                       [--pairs MoMo,MoS,SS]
--pairs: only these dimers and their counterpoise runs (the free atoms always), so that two workers can share a basis on two cores
(e.g. --pairs MoMo beside --pairs MoS,SS); the cache is re-read before and after every run.

Non-relativistic PBE (xc xpbe96 cpbe96), 0.01 Ha smearing, singlet everywhere and the triplet as well for Mo-S and
S-S at r >= 0.9 A (UGBS+P: Mo-S from 1.1 A; the table keeps the lower state), binding energies relative to the spin-polarised free atoms
(Mo 7S, S 3P) in the same basis.  NWChem refuses atoms closer than about 0.25 A, so the grids start at 0.3 A.
Bases (--basis):
  ugbsp  the table's all-electron basis: the uncontracted universal UGBS (s, p for S; s, p, d for Mo: tight
         enough for the cores of two nuclei 0.3 A apart) plus the polarisation shells of Jorge's AQZP (S: d, f, g;
         Mo: f, g), which UGBS lacks and a compressed dimer needs.  r = 0.3 ... 1.5 A in 0.1 A steps.
  aqzp   Jorge's augmented quadruple-zeta AQZP (contracted): the independent check, 0.3 ... 1.2 A.
  ugbs   UGBS alone (the earlier main curve, kept for the record), 0.3 ... 1.2 A.
  dzvp   "DZVP (DFT Orbital)" (contracted, Cartesian; the first interim curve), 0.3 ... 1.6 A.
--counterpoise: for the basis B, each free atom in the full dimer basis (the partner a ghost, Boys-Bernardi) at
0.3, 0.6, 0.9 and 1.2 A: the basis-set superposition error E_atom(ghost partner at r) - E_atom.
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
LIBRARY = "/usr/share/nwchem/libraries"
HARTREE = 27.211386245988

# basis -> (NWChem library name, angular form, AQZP polarisation shells added per element)
BASES = {"dzvp": ('"DZVP (DFT Orbital)"', "cartesian", {}), "ugbs": ("UGBS", "spherical", {}),
         "aqzp": ("AQZP", "spherical", {}), "ugbsp": ("UGBS", "spherical", {"S": "DFG", "Mo": "FG"})}
PAIRS = {"MoMo": ("Mo", "Mo"), "MoS": ("Mo", "S"), "SS": ("S", "S")}
MAIN_GRID = [round(x, 3) for x in list(np.arange(0.30, 0.85, 0.1)) + list(np.arange(0.90, 1.6001, 0.05))]
CHECK_GRID = [round(x, 3) for x in np.arange(0.3, 1.2001, 0.1)]
CP_GRID = [0.3, 0.6, 0.9, 1.2]   # counterpoise distances (the superposition error is smooth in r)
GRIDS = {"dzvp": MAIN_GRID, "ugbs": CHECK_GRID, "aqzp": CHECK_GRID,
         "ugbsp": [round(x, 3) for x in np.arange(0.3, 1.5001, 0.1)]}


def load():
    return json.load(open(OUT)) if os.path.exists(OUT) else {}


def save(d):
    tmp = OUT + ".tmp"
    json.dump(d, open(tmp, "w"), indent=0, sort_keys=True)
    os.replace(tmp, OUT)


def aqzp_shells(el, kinds, text=None):
    """The AQZP shells of element `el` with angular momenta in `kinds` (e.g. "FG"), as NWChem basis lines
    (text: the library file's contents, read from Debian's NWChem library when not given)."""
    text = text or open(os.path.join(LIBRARY, "aqzp")).read()
    block = text.split(f'basis "{el}_AQZP"')[1].split("\nend")[0].splitlines()[1:]
    out, keep = [], False
    for line in block:
        t = line.split()
        if not t or t[0].startswith("#"):
            continue
        if t[0] == el:
            keep = t[1] in kinds
        if keep:
            out.append(line)
    if not out:
        raise ValueError(f"no {kinds} shells for {el} in AQZP")
    return out


def basis_lines(basis, tags, library_text=None):
    """NWChem basis-block lines for the atom tags (element or 'bq'+element for a ghost) of one calculation."""
    lib, _, pol = BASES[basis]
    lines = []
    for tag in tags:
        el = tag[2:] if tag.startswith("bq") else tag
        lines.append(f"  {tag} library {el} {lib}")
        for line in (aqzp_shells(el, pol[el], library_text) if el in pol else []):
            lines.append(re.sub(rf"^{el}\b", tag, line))   # the shell header names the tag (ghosts: bqX)
    return lines


def nwchem(tag, atoms, basis, mult, smear=True):
    """atoms: [(tag, z)] on the z axis (a 'bq' prefix makes a ghost: its basis functions without nucleus or
    electrons) -> {E_eV, converged, time_s} or None."""
    os.makedirs(RUNS, exist_ok=True)
    d = os.path.join(RUNS, tag)
    os.makedirs(d, exist_ok=True)
    geo = "\n".join(f"  {s} 0.0 0.0 {z:.6f}" for s, z in atoms)
    blines = "\n".join(basis_lines(basis, sorted({s for s, _ in atoms})))
    inp = f"""start {tag}
permanent_dir {d}
scratch_dir {d}
memory total 1500 mb
geometry units angstrom nocenter noautosym noautoz
{geo}
end
basis {BASES[basis][1]}
{blines}
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


ATOM_MULT = {"Mo": 7, "S": 3}


def triplet_from(basis, pair):
    """Shortest r (A) with a triplet run.  UGBS+P skips the Mo-S triplet below 1.1 A: in UGBS it lies 0.5-0.9 eV
    above the singlet at 0.9-1.0 A (0.26 eV at 1.1 A, and 0.23 eV below it at 1.2 A), the slowest runs of the set."""
    return 1.1 if (basis, pair) == ("ugbsp", "MoS") else 0.9


def todo(basis, counterpoise=False):
    """(key, tag, atoms, mult, smear) of every calculation of a basis, in run order: atoms, then the dimers of
    the AE-PP window and near it, then shorter distances, pairs interleaved; --counterpoise: the ghost runs."""
    jobs = [(f"{basis}/atom/{el}", f"{basis}_atom_{el}", [(el, 0.0)], m, False) for el, m in ATOM_MULT.items()]
    grid = GRIDS[basis]
    order = sorted(((r, pair, mult) for r in grid for pair in PAIRS for mult in (1, 3)
                    if mult == 1 or (basis != "aqzp" and pair != "MoMo" and r >= triplet_from(basis, pair))),
                   key=lambda x: (0 if x[0] >= 0.9 else 1, -x[0] if x[0] < 0.9 else x[0], x[2]))
    if not counterpoise:
        for r, pair, mult in order:
            a, b = PAIRS[pair]
            jobs.append((f"{basis}/{pair}/{r:.3f}/m{mult}", f"{basis}_{pair}_{r:.3f}_m{mult}",
                         [(a, 0.0), (b, r)], mult, True))
        return jobs
    for r in sorted(CP_GRID, reverse=True):
        for el, ghost in (("Mo", "Mo"), ("Mo", "S"), ("S", "Mo"), ("S", "S")):
            jobs.append((f"{basis}/cp/{el}+{ghost}/{r:.3f}", f"{basis}_cp_{el}_{ghost}_{r:.3f}",
                         [(el, 0.0), ("bq" + ghost, r)], ATOM_MULT[el], False))
    return jobs


def pair_of(key):
    """The dimer a cache key belongs to ('ugbsp/MoS/0.900/m1', 'ugbsp/cp/S+Mo/0.600' -> 'MoS'); None for atoms."""
    p = key.split("/")
    if p[1] == "cp":
        els = sorted(p[2].split("+"), key=lambda e: e != "Mo")
        return "".join(els)
    return p[1] if p[1] in PAIRS else None


def main():
    arg = lambda name, default: sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default
    basis, pairs = arg("--basis", "dzvp"), arg("--pairs", ",".join(PAIRS)).split(",")
    for key, tag, atoms, mult, smear in todo(basis, "--counterpoise" in sys.argv):
        if pair_of(key) not in pairs + [None]:
            continue
        if key in load():                 # re-read: a second worker (other --pairs) may have written meanwhile
            continue
        out = nwchem(tag, atoms, basis, mult, smear)
        res = load()
        res[key] = out
        save(res)
        print(key, out, flush=True)


if __name__ == "__main__":
    main()
