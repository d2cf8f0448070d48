"""Pulay stress of the DFT setting: the correction the factory applies to the stored virials.

    /usr/bin/python3 pulay.py        (from training/; ~6 min of one core; writes results/pulay.json)

GPAW's plane-wave stress is the strain derivative at a fixed number of plane waves, while the energies are computed
at a fixed cutoff; the difference is the Pulay stress, isotropic, sigma_P V = (2/3) E_cut dE/dE_cut (GPAW adds it
only when given `dedecut`, which the labels did not use).  At 400 eV it is far from negligible here: in the 3-atom
monolayer the analytic sigma_xx V is -0.007 eV while the finite-difference strain derivative of the energy is
-0.25 eV, i.e. the stored virials were off by ~80 meV/atom on the diagonal, while the energies and forces are
converged (convergence.py).  dE/dE_cut comes from the atoms' cores, so D = (2/3) E_cut dE/dE_cut is close to a sum
of per-species constants; this script

1. measures D = (2/3) E_cut [E(E_cut + 10) - E(E_cut - 10)] / 20 on bcc Mo, the 3-atom monolayer and three stored
   configurations of other compositions (Mo3S9, Mo5S7 and a strained bulk cell),
2. fits D = n_Mo D_Mo + n_S D_S (least squares) and reports the residuals,
3. checks the correction on the monolayer strained along x by +-1 % (fractional coordinates fixed): the analytic
   sigma_xx V + D against the central difference of the free energy.

factory.dft.PULAY_DEDEPS_EV holds the fitted constants (a test compares them with results/pulay.json);
factory.pack subtracts D from the diagonal of every stored virial (virial = -sigma V).
"""
import json
import os
import sys

import numpy as np
from ase.build import bulk

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from factory.dft import SETTING, make_calc  # noqa: E402
from factory.label import load_configs  # noqa: E402
from factory.structures import monolayer_hex  # noqa: E402

OUT = os.path.join(HERE, "results", "pulay.json")
DE = 10.0       # eV: half-width of the cutoff difference
STRAIN = 0.01   # uniaxial strain of the finite-difference check
CONFIGS = ["substitution-0018", "substitution-0000", "bulk-0000"]


def free_energy(at, ecut=None):
    a = at.copy()
    a.calc = make_calc(a, ecut=ecut, txt=None)
    return a.get_potential_energy(force_consistent=True), a


def dedepsilon(at) -> float:
    ec = SETTING["ecut_eV"]
    e_lo, _ = free_energy(at, ec - DE)
    e_hi, _ = free_energy(at, ec + DE)
    return 2 / 3 * ec * (e_hi - e_lo) / (2 * DE)


def strained(e):
    at = monolayer_hex()
    c = at.get_cell().copy()
    c[:, 0] *= 1 + e
    at.set_cell(c, scale_atoms=True)
    return at


def main():
    conf = load_configs()
    cells = [("bcc Mo, a = 3.16 A", bulk("Mo", "bcc", a=3.16)), ("monolayer 1x1 (factory a, t)", monolayer_hex())]
    cells += [(f"{cid} ({conf[cid].info['note']})", conf[cid]) for cid in CONFIGS]
    rows = []
    for name, at in cells:
        d = dedepsilon(at)
        syms = at.get_chemical_symbols()
        rows.append(dict(cell=name, n_Mo=syms.count("Mo"), n_S=syms.count("S"), natoms=len(syms), D_eV=d))
        print(f"{name}: D = {d:.5f} eV", flush=True)
    A = np.array([[r["n_Mo"], r["n_S"]] for r in rows], float)
    y = np.array([r["D_eV"] for r in rows])
    p, *_ = np.linalg.lstsq(A, y, rcond=None)
    for r, fit in zip(rows, A @ p):
        r["fit_eV"], r["residual_meV_per_atom"] = float(fit), float(1000 * (fit - r["D_eV"]) / r["natoms"])

    e_minus, _ = free_energy(strained(-STRAIN))
    e_plus, _ = free_energy(strained(STRAIN))
    _, at0 = free_energy(strained(0.0))
    sv = float(at0.get_stress(voigt=False)[0, 0] * at0.get_volume())
    fd = (e_plus - e_minus) / (2 * STRAIN)
    syms, n = at0.get_chemical_symbols(), len(at0)
    d0 = float(p[0] * syms.count("Mo") + p[1] * syms.count("S"))
    check = dict(analytic_sigma_xx_V_eV=sv, corrected_eV=sv + d0, finite_difference_eV=fd,
                 error_uncorrected_meV_per_atom=1000 * (sv - fd) / n, error_corrected_meV_per_atom=1000 * (sv + d0 - fd) / n)
    out = dict(setting=dict(ecut_eV=SETTING["ecut_eV"], kspacing_invA=SETTING["kspacing_invA"]), cutoff_step_eV=DE,
               definition="D = (2/3) E_cut dE/dE_cut (eV); corrected stress = GPAW stress + D/V on the diagonal, "
                          "i.e. corrected virial = virial - D * identity",
               per_species_eV={"Mo": float(p[0]), "S": float(p[1])}, cells=rows,
               finite_difference_check=dict(cell="monolayer 1x1, strain along x +-%g, fractional coordinates fixed" % STRAIN,
                                            **check))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT + ".tmp", "w") as f:
        json.dump(out, f, indent=1)
    os.replace(OUT + ".tmp", OUT)
    print(json.dumps(out["per_species_eV"]), json.dumps(check), sep="\n")


if __name__ == "__main__":
    main()
