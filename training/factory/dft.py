"""The one documented DFT setting of the factory (GPAW plane waves, PBE).

Everything that labels a configuration goes through `make_calc`, so the setting
is defined in exactly one place.  The numbers were chosen by the convergence
study in `training/convergence.py` (results in training/results/convergence.json
and README.md).
"""
import numpy as np

TYPE_MAP = ["Mo", "S"]

SETTING = {
    "code": "GPAW",
    "mode": "PW",
    "ecut_eV": 400.0,           # plane-wave cutoff
    "xc": "PBE",
    "kspacing_invA": 0.30,      # max k-point spacing, 2*pi*|b_i|/n_i <= kspacing (like VASP KSPACING)
    "smearing": "Fermi-Dirac",
    "width_eV": 0.05,
    "setups": "GPAW PAW 0.9.20000 default (Mo: 14 e, S: 6 e)",
    "spin": "spin-paired for condensed configurations, except those factory.spin finds magnetic (relabelled "
            "spin-polarised from initial moments, the lower free energy kept); spin-polarised for isolated atoms "
            "(Hund's rule, fixed moment, zero width) and dimers (initial moments, free)",
    "convergence": {"energy": 1e-5, "density": 2e-5},   # GPAW units: eV/electron, electrons/electron
    "symmetry": "time-reversal/point group as found by GPAW",
}

# Pulay stress of the setting (pulay.py, results/pulay.json): D = (2/3) E_cut dE/dE_cut per atom of each species
# (eV).  GPAW's stress leaves it out unless given `dedecut`, and at 400 eV it is ~80 meV/atom of the virial of a
# monolayer cell; factory.pack stores virial - D * identity, D summed over the atoms.
PULAY_DEDEPS_EV = {"Mo": -0.16188, "S": -0.03434}


def pulay_dedepsilon(symbols) -> float:
    """D (eV) of a cell with these chemical symbols: corrected virial = GPAW's virial - D * identity."""
    return float(sum(PULAY_DEDEPS_EV[s] for s in symbols))


# initial moments (mu_B) of a spin-polarised condensed cell: ferromagnetic, on Mo (its 4d shell carries the moment of
# under-coordinated Mo; S's is induced); the SCF is free to lower or remove them
INITIAL_MOMENT_MUB = {"Mo": 2.0, "S": 0.0}


def kpts_for(atoms, kspacing=None):
    """Monkhorst-Pack grid (Gamma-centred) with spacing <= kspacing (1/Angstrom incl. 2pi).

    Non-periodic directions and directions at least 14.5 A long (the vacuum direction of
    slabs, c = 15 A) get 1 point.
    """
    ks = SETTING["kspacing_invA"] if kspacing is None else kspacing
    rc = atoms.cell.reciprocal()
    out = []
    for i in range(3):
        L = np.linalg.norm(atoms.cell[i])
        if not atoms.pbc[i] or L >= 14.5:
            out.append(1)
        else:
            out.append(max(1, int(np.ceil(2 * np.pi * np.linalg.norm(rc[i]) / ks - 1e-9))))
    return out


def make_calc(atoms, kind="condensed", txt=None, ecut=None, kspacing=None, width=None,
              conservative=False, fixed_moment=None):
    """Return a GPAW calculator for `atoms`.

    kind: 'condensed' (spin-paired), 'condensed-spin' (spin-polarised from initial moments, free; factory.spin),
          'atom' (spin-polarised, Hund, fixed moment),
          'atom-paired' (an isolated atom, spin-paired: the non-polarised reference some papers use),
          'dimer' (spin-polarised, initial moments).
    conservative: slower, more robust density mixing (used as a retry when the SCF fails);
          it changes the path, not the converged result.
    fixed_moment: dimers only: hold the total moment at this value (mu_B) instead of letting it float
          (for dimers whose free-moment SCF oscillates between spin states; see label.label_one).
    """
    from gpaw import GPAW, PW, FermiDirac
    ecut = SETTING["ecut_eV"] if ecut is None else ecut
    width = SETTING["width_eV"] if width is None else width
    kw = dict(mode=PW(ecut), xc=SETTING["xc"], txt=txt,
              convergence=dict(SETTING["convergence"]))
    if kind == "atom":
        kw.update(kpts=(1, 1, 1), hund=True,
                  occupations=FermiDirac(0.0, fixmagmom=True))
    elif kind == "atom-paired":
        atoms.set_initial_magnetic_moments(None)
        kw.update(kpts=(1, 1, 1), occupations=FermiDirac(width), spinpol=False)
    elif kind == "dimer":
        mag = [5.0 if s == "Mo" else 2.0 for s in atoms.get_chemical_symbols()]
        atoms.set_initial_magnetic_moments(mag)
        if fixed_moment is not None:
            atoms.set_initial_magnetic_moments([fixed_moment / len(atoms)] * len(atoms))
        kw.update(kpts=(1, 1, 1), occupations=FermiDirac(width, fixmagmom=fixed_moment is not None), spinpol=True,
                  mixer={"backend": "pulay", "beta": 0.05, "nmaxold": 5, "weight": 50.0})
        kw["maxiter"] = 250     # normal dimers need < 120; a failure is retried conservatively
    elif kind == "condensed-spin":
        atoms.set_initial_magnetic_moments([INITIAL_MOMENT_MUB[s] for s in atoms.get_chemical_symbols()])
        kw.update(kpts={"size": kpts_for(atoms, kspacing), "gamma": True},
                  occupations=FermiDirac(width), spinpol=True, maxiter=400)
    else:
        atoms.set_initial_magnetic_moments(None)
        kw.update(kpts={"size": kpts_for(atoms, kspacing), "gamma": True},
                  occupations=FermiDirac(width), maxiter=400)
    if conservative:
        from gpaw import Mixer, MixerDif
        kw["mixer"] = MixerDif(0.02, 8, 100.0) if kind != "condensed" else Mixer(0.02, 8, 100.0)
        kw["maxiter"] = 1500
    return GPAW(**kw)
