"""The model report (report.py) and its pieces: the ASE calculator around DPModel (forces and stress against finite
differences, slab handling), elastic constants of a potential with a known answer, phonons (mirror-derived force
constants, agreement with ase.phonons at commensurate q), the PKA threshold MD and bisection (Lennard-Jones sheet),
and report.py --quick end to end on a tiny exported model.  Tiny models, no DFT; seconds each."""
import json
import math
import os
import sys

import numpy as np
import pytest
from ase import Atoms
from ase.calculators.calculator import Calculator, all_changes

from conftest import TRAIN, tiny_model

torch = pytest.importorskip('torch')

from trainer.model import DPModel, ModelConfig, PairTable  # noqa: E402
from trainer import export, properties as P, threshold as T  # noqa: E402
from trainer.calculator import DPCalculator  # noqa: E402

ROOT = os.path.dirname(TRAIN)
TABLE = os.path.join(ROOT, 'models', 'mos2-pairtable.txt')


def tiny(seed=3, table=True):
    return tiny_model(seed, table)


def mos2_plus_close_s():
    """3-atom MoS2 cell, slightly sheared, plus an S 1.1 A from the Mo (inside the table blend window)."""
    at = P.hex_cell(3.19, 3.12, c=9.0)
    at.set_cell(at.cell.array @ np.array([[1.0, 0.02, 0.0], [0.01, 0.98, 0.0], [0.0, 0.03, 1.0]]), scale_atoms=True)
    v = np.array([0.3, -0.5, 0.81])
    at += Atoms('S', positions=[at.positions[0] + 1.1 * v / np.linalg.norm(v)])
    return at


def test_calculator_forces_and_stress_are_finite_differences():
    at = mos2_plus_close_s()
    at.calc = DPCalculator(tiny())
    F = at.get_forces()
    e0 = at.get_potential_energy()
    assert np.isclose(e0, at.get_potential_energies().sum())
    h = 1e-5
    fd = np.zeros_like(F)
    for a in range(len(at)):
        for c in range(3):
            e = []
            for s in (1, -1):
                b = at.copy()
                b.calc = at.calc
                b.positions[a, c] += s * h
                e.append(b.get_potential_energy())
            fd[a, c] = -(e[0] - e[1]) / (2 * h)
    assert np.abs(F).max() > 1.0  # the table term is active
    assert np.abs(F - fd).max() < 1e-6 * max(1.0, np.abs(F).max())
    # stress = (1/V) dE/d(eps), symmetric strain; Voigt xx yy zz yz xz xy
    S = at.get_stress()
    V = at.get_volume()
    pairs = [(0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)]
    fds = np.zeros(6)
    for k, (i, j) in enumerate(pairs):
        e = []
        for s in (1, -1):
            eps = np.zeros((3, 3))
            eps[i, j] += s * h / (1 if i == j else 2)
            eps[j, i] += 0 if i == j else s * h / 2
            b = at.copy()
            b.calc = at.calc
            b.set_cell(at.cell.array @ (np.eye(3) + eps), scale_atoms=True)
            e.append(b.get_potential_energy())
        fds[k] = (e[0] - e[1]) / (2 * h) / V
    print('stress', S, 'fd', fds)
    assert np.abs(S - fds).max() < 1e-6 * max(1.0, np.abs(S).max() * V) / V + 1e-9


def test_calculator_slab_and_cluster():
    m = tiny()
    at = P.hex_cell(3.19, 3.12, c=30.0)  # fully periodic, 30 A: no pair across the vacuum
    at.calc = DPCalculator(m)
    e_ref, f_ref, s_ref = at.get_potential_energy(), at.get_forces(), at.get_stress()
    slab = at.copy()
    slab.set_cell(np.vstack([at.cell[:2], [0, 0, 2.0]]), scale_atoms=False)  # a 2 A cell height, but not periodic
    slab.pbc = [True, True, False]
    slab.calc = DPCalculator(m)
    assert abs(slab.get_potential_energy() - e_ref) < 1e-10
    assert np.abs(slab.get_forces() - f_ref).max() < 1e-10
    # in-plane 2D stress (stress x c) is the same
    assert np.allclose(slab.get_stress()[[0, 1, 5]] * 2.0, s_ref[[0, 1, 5]] * 30.0, atol=1e-10)
    cl = Atoms('MoS', positions=[[0, 0, 0], [2.3, 0.2, 0.1]], pbc=False)
    cl.calc = DPCalculator(m)
    assert np.isfinite(cl.get_potential_energy())
    assert abs(cl.get_forces().sum(axis=0)).max() < 1e-10


class Springs(Calculator):
    """Harmonic nearest-neighbour springs E = sum_bonds k/2 (r - r0)^2 (a potential with known elastic constants)."""
    implemented_properties = ['energy', 'forces', 'stress']

    def __init__(self, k, r0, cutoff):
        super().__init__()
        self.k, self.r0, self.cutoff = k, r0, cutoff

    def calculate(self, atoms=None, properties=('energy',), system_changes=all_changes):
        from ase.neighborlist import neighbor_list
        super().calculate(atoms, properties, system_changes)
        i, j, D = neighbor_list('ijD', self.atoms, self.cutoff)
        r = np.linalg.norm(D, axis=1)
        e = 0.25 * self.k * ((r - self.r0) ** 2).sum()  # every bond twice
        g = (self.k * (r - self.r0) / r)[:, None] * D  # dE/dD for each directed pair (x 1/2 counted twice)
        F = np.zeros((len(self.atoms), 3))
        np.add.at(F, i, 0.5 * g)
        np.add.at(F, j, -0.5 * g)
        W = 0.5 * np.einsum('pi,pj->ij', g, D)
        sig = W / self.atoms.get_volume()
        self.results = {'energy': e, 'forces': F, 'stress': np.array([sig[0, 0], sig[1, 1], sig[2, 2], sig[1, 2], sig[0, 2], sig[0, 1]])}


def test_elastic_constants_of_a_spring_lattice():
    """Triangular lattice, nearest-neighbour springs k: C11 = 3 sqrt3/4 k, C12 = sqrt3/4 k (2D), nu = 1/3."""
    k, a = 2.0, 2.5
    at = Atoms('Mo', positions=[[0, 0, 5.0]], cell=[[a, 0, 0], [-a / 2, a * math.sqrt(3) / 2, 0], [0, 0, 10.0]], pbc=True)
    calc = Springs(k, a, 1.2 * a)
    at.calc = calc
    # forces of the spring calculator are -dE/dx (finite-difference check of the helper itself)
    b = at.repeat((2, 2, 1))
    b.rattle(0.05, seed=1)
    b.calc = calc
    F = b.get_forces()
    x = b.copy()
    x.calc = calc
    x.positions[1, 0] += 1e-6
    e1 = x.get_potential_energy()
    x.positions[1, 0] -= 2e-6
    e2 = x.get_potential_energy()
    assert abs(F[1, 0] + (e1 - e2) / 2e-6) < 1e-6
    res = P.elastic_constants(calc, at, fmax=1e-8)
    c11 = 3 * math.sqrt(3) / 4 * k * P.EV_A2_TO_N_M
    c12 = math.sqrt(3) / 4 * k * P.EV_A2_TO_N_M
    print(res['C11'], c11, res['C12'], c12, res['C11_energy'])
    assert abs(res['C11'] / c11 - 1) < 2e-4
    assert abs(res['C12'] / c12 - 1) < 2e-4
    assert abs(res['C11_energy'] / c11 - 1) < 2e-4
    assert abs(res['nu'] - 1 / 3) < 2e-4
    assert abs(res['Y'] / (2 * k / math.sqrt(3) * P.EV_A2_TO_N_M) - 1) < 2e-4


def test_elastic_stress_and_energy_curvature_agree_for_the_dp_model():
    at = P.hex_cell(3.19, 3.12)
    res = P.elastic_constants(DPCalculator(tiny()), at, relax_ions=False)
    print(res['C11'], res['C11_energy'])
    assert abs(res['C11'] - res['C11_energy']) < 1e-3 * max(1.0, abs(res['C11']))


def test_phonons_mirror_and_ase_agree():
    m = tiny(seed=4)
    calc = DPCalculator(m)
    prim = P.hex_cell(3.19, 3.12, c=12.0)
    n, h = 3, 0.02
    sc = P.phonon_supercell(prim, n)
    allf = {}
    for a in range(3):
        for d in range(3):
            for s in (1, -1):
                x = P.displaced(sc, a, d, s, h)
                x.calc = calc
                allf[(a, d, s)] = x.get_forces().copy()
    need = P.displacements(prim)
    assert len(need) == 12 and all(k[0] != 2 for k in need)  # the bottom S is derived
    Phi_m = P.force_constants(prim, sc, {k: allf[k] for k in need}, h)
    Phi_a = P.force_constants(prim, sc, allf, h)
    assert np.abs(Phi_m - Phi_a).max() < 1e-8 * max(1.0, np.abs(Phi_a).max())
    # ase.phonons on the same supercell (plain central differences, no symmetrisation, its acoustic-sum correction
    # applied by hand): the same squared frequencies at the q commensurate with the 3x3 supercell (Gamma, K), where
    # the image convention does not matter
    import tempfile
    from ase.phonons import Phonons
    B = prim.cell.reciprocal()
    qs = {(0, 0, 0): np.zeros(3), (1 / 3, 1 / 3, 0): 2 * np.pi * (B[0] + B[1]) / 3}
    w = P.phonon_bands(prim, sc, n, Phi_m, np.array(list(qs.values())))
    w2 = np.sign(w) * (w / P.THZ_PER_SQRT_EV_A2_AMU) ** 2
    with tempfile.TemporaryDirectory() as d:
        ph = Phonons(prim, calc, supercell=(n, n, 1), delta=h, name=os.path.join(d, 'ph'))
        ph.run()
        ph.read(method='standard', symmetrize=0)
    C = ph.C_N.copy()
    ph.acoustic(C)
    minv = np.repeat(prim.get_masses() ** -0.5, 3)
    D_N = C * np.outer(minv, minv)[None]
    for k, qsc in enumerate(qs):
        Dq = ph.compute_dynamical_matrix(np.array(qsc), D_N)
        ase_w2 = np.linalg.eigvalsh(0.5 * (Dq + Dq.conj().T))
        print(qsc, np.sort(w2[k]), ase_w2)
        assert np.abs(np.sort(w2[k]) - np.sort(ase_w2)).max() < 1e-8 * max(1.0, np.abs(ase_w2).max())
    # acoustic sum rule: the three acoustic frequencies at Gamma are (nearly) zero
    assert np.sort(np.abs(w[0]))[2] < 0.05 * np.abs(w[0]).max()


def test_bisection():
    b = T.bisect_threshold(lambda E: E >= 6.9, hi=16.0, tol=0.25, hi_max=400)
    assert abs(b['Ed'] - 6.9) <= 0.125 and b['hi'] - b['lo'] <= 0.25 and b['monotonic']
    b = T.bisect_threshold(lambda E: E >= 20.0, hi=4.0, tol=0.5, hi_max=400)  # hi doubled until displaced
    assert abs(b['Ed'] - 20.0) <= 0.25
    b = T.bisect_threshold(lambda E: False, hi=4.0, tol=0.5, hi_max=40)
    assert b['Ed'] is None and b['lo'] == 32.0


def lj_sheet():
    from ase.calculators.lj import LennardJones
    sig, eps = 2.5, 0.5
    a = 2 ** (1 / 6) * sig
    at = Atoms('Ar', positions=[[0, 0, 5]], cell=[[a, 0, 0], [-a / 2, a * math.sqrt(3) / 2, 0], [0, 0, 10]],
               pbc=[True, True, False]).repeat((4, 4, 1))
    calc = LennardJones(sigma=sig, epsilon=eps, rc=2.5 * sig, smooth=True)
    at.calc = calc
    P.relax(at, fmax=1e-4)
    return at, calc, a, sig


def test_pka_threshold_of_a_lennard_jones_sheet():
    """Out-of-plane E_d of an atom of a flat LJ sheet lies just above the static energy to take it away."""
    at, calc, a, sig = lj_sheet()
    pka = 5
    rest = at.copy()
    del rest[pka]
    rest.calc = calc
    e_static = rest.get_potential_energy() - at.get_potential_energy()
    cfg = T.PKAConfig(free_dist=2.5 * sig, damp_radius=4.0, contact_dist=1.3 * a)
    runs = []

    def displaced(E):
        r = T.pka_run(at, calc, pka, T.direction_vector(0, 0), E, cfg)
        runs.append(r)
        return r['displaced']
    b = T.bisect_threshold(displaced, hi=4.0, tol=0.2, hi_max=40)
    print(e_static, b)
    assert e_static < b['Ed'] < 1.3 * e_static and b['monotonic']
    assert all(abs(r['energy_error']) < 0.01 for r in runs)
    # no damping: the integrator conserves energy
    cfg0 = T.PKAConfig(free_dist=2.5 * sig, damp_radius=1e9, contact_dist=1.3 * a, t_max_fs=150)
    r = T.pka_run(at, calc, pka, T.direction_vector(60, 10), 2.0, cfg0)
    assert abs(r['energy_error']) < 5e-3


def test_damage_counts_defects_not_just_the_pka_site():
    """The displacement criterion judges the defects of the final state: a replacement that refills the PKA's site
    still leaves a vacancy, a chain that runs once round the periodic sheet is a defect, a local exchange is not."""
    at, _, a, _ = lj_sheet()
    sites = at.positions.copy()
    pka = 5
    assert T.damage(at, sites, pka, 1.0) == dict(vacant=0, interstitial=0, replaced=0, pka_site_empty=False,
                                                 pka_moved=False, wrap_shift=0.0)
    nb = [i for i in range(len(at)) if i != pka and abs(np.linalg.norm(sites[i] - sites[pka]) - a) < 1e-3]
    n, m = nb[0], nb[1]
    q = at.copy()
    q.positions[pka] = sites[n]                      # PKA onto its neighbour's site ...
    q.positions[n] = sites[n] + [0, 0, 2.0]          # ... which becomes an interstitial (adatom) ...
    q.positions[m] = sites[pka]                      # ... and a third atom refills the PKA's site
    d = T.damage(q, sites, pka, 1.0)
    assert d['vacant'] == 1 and d['interstitial'] == 1 and d['replaced'] == 2 and not d['pka_site_empty']
    assert T.pka_displaced(d, 1.0)
    q = at.copy()                                    # the PKA stays while it knocks its neighbour out: not displaced
    q.positions[n] = sites[n] + [0, 0, 2.0]
    d = T.damage(q, sites, pka, 1.0)
    assert d['vacant'] == 1 and not d['pka_moved'] and not T.pka_displaced(d, 1.0)
    q = at.copy()                                    # the whole row of the PKA shifted by one site along a1: wraps
    row = [i for i in range(len(at)) if abs(sites[i, 1] - sites[pka, 1]) < 1e-6]
    q.positions[row] += at.cell[0] / 4
    d = T.damage(q, sites, pka, 1.0)
    assert len(row) == 4 and d['vacant'] == 0 and d['replaced'] == 4
    assert d['wrap_shift'] == pytest.approx(np.linalg.norm(at.cell[0]), abs=1e-6) and T.pka_displaced(d, 1.0)
    q = at.copy()                                    # two atoms exchanged: no defect
    q.positions[[pka, n]] = sites[[n, pka]]
    d = T.damage(q, sites, pka, 1.0)
    assert d['vacant'] == 0 and d['replaced'] == 2 and d['wrap_shift'] == pytest.approx(0, abs=1e-9)
    assert d['pka_moved'] and not T.pka_displaced(d, 1.0)


def test_monotonic_check():
    x = np.linspace(0.5, 1.5, 11)
    y = (x - 1) ** 2
    assert P.monotonic_check(x, y, xmin_window=(0.9, 1.1))['ok']
    y2 = y.copy()
    y2[1] = -0.1  # a spurious minimum at strong compression: the global minimum moves there
    c = P.monotonic_check(x, y2, xmin_window=(0.9, 1.1))
    assert not c['ok'] and not c['min_in_window']
    y3 = y.copy()
    y3[2] = y3[3] - 0.01  # a local dip on the left side
    assert P.monotonic_check(x, y3)['violations'] == [pytest.approx(x[2])]


def test_defect_cells():
    a0, t0 = 3.18, 3.12
    n = {k: len(P.defect_cell(k, a0, t0, 3)) for k in P.DEFECTS}
    assert n == {'V_S': 26, 'V_S2': 25, 'V_Mo': 26, 'V_MoS3': 23, 'Mo_S': 27, 'S_Mo': 27}
    v = P.defect_cell('V_S2', a0, t0, 3)
    pr = P.S.monolayer_hex(3, a=a0, t=t0)
    # the two missing S form one vertical column
    gone = [p for p in pr.positions if np.min(np.linalg.norm(v.positions - p, axis=1)) > 1e-6]
    assert len(gone) == 2 and np.allclose(gone[0][:2], gone[1][:2]) and abs(abs(gone[0][2] - gone[1][2]) - t0) < 1e-9
    mu = {'Mo': -2.0, 'S': -1.0}
    assert P.formation_energy('Mo_S', -10.0, -12.0, mu) == pytest.approx(2.0 - 1.0 + 2.0)
    assert P.formation_energy('V_MoS3', -10.0, -12.0, mu) == pytest.approx(2.0 - 2.0 - 3.0)


def test_report_quick_end_to_end(tmp_path):
    pytest.importorskip('matplotlib')
    m = tiny(seed=5)
    model = str(tmp_path / 'tiny.json')
    export.save(m, model)
    sys.path.insert(0, TRAIN)
    import report
    out = str(tmp_path / 'rep')
    # --max-steps keeps the relaxations of this random tiny model short (unconverged results are flagged)
    res = report.main(['--model', model, '--out', out, '--quick', '--skip', 'ed', '--max-steps', '5'])
    text = open(os.path.join(out, 'REPORT.md')).read()
    for s in ('## Acceptance checks', 'lattice constant a0', '## 5. Phonon', '## 7. Dimer', 'E_f(V_Mo)', 'sha256',
              '## 9. Displacement thresholds'):
        assert s in text
    for png in ('strain.png', 'collapse.png', 'phonons.png', 'dimers.png'):
        assert os.path.getsize(os.path.join(out, png)) > 1000
    for piece in ('lattice', 'strain', 'collapse', 'elastic', 'phonons', 'defects', 'dimers', 'rmse'):
        assert 'error' not in res[piece], (piece, res[piece].get('error'))
    # a rerun takes finished pieces from the cache (keyed by the model's sha256)
    cache = json.load(open(os.path.join(out, 'cache.json')))
    assert len(cache) == 1 and len(next(iter(cache.values()))) >= 8
    report.main(['--model', model, '--out', out, '--quick', '--only', 'lattice,rmse', '--max-steps', '5'])
    text2 = open(os.path.join(out, 'REPORT.md')).read()
    assert text2.count('| yes |') == 2  # timings table: both pieces from the cache


def test_collapse_drops_judged_by_dft_probes():
    """A drop on a relaxed strain curve passes only where DFT (reference.py's probes, the lower of the two starts)
    drops as well between the flagged factor and its neighbour towards the minimum; rigid-curve drops never pass."""
    import report
    fac = [0.575, 0.6, 0.625, 0.65]
    chk = lambda v, ok=True: {'check': {'violations': v, 'x_min': 1.0, 'min_in_window': ok}}
    co = {'factors': fac, 'uniaxial_relaxed': chk([0.6]), 'uniaxial_rigid': chk([]),
          'biaxial_relaxed': chk([]), 'biaxial_rigid': chk([])}
    probe = lambda e: {'energy_per_atom': e}
    drops = {('uniaxial', 0.6): [probe(-4.5), probe(-4.9)], ('uniaxial', 0.625): [probe(-4.6), probe(-4.4)]}
    v = report.probe_verdicts(co, drops)['uniaxial_relaxed'][0.6]
    assert v['neighbour'] == 0.625 and v['dft_e'] == -4.9 and v['dft_e_neighbour'] == -4.6 and v['physical'] is True
    assert report.collapse_ok(co, report.probe_verdicts(co, drops))
    rises = {('uniaxial', 0.6): [probe(-4.5)], ('uniaxial', 0.625): [probe(-4.6)]}
    assert report.probe_verdicts(co, rises)['uniaxial_relaxed'][0.6]['physical'] is False
    assert not report.collapse_ok(co, report.probe_verdicts(co, rises))
    assert report.probe_verdicts(co, {})['uniaxial_relaxed'][0.6]['physical'] is None
    assert not report.collapse_ok(co, report.probe_verdicts(co, {}))
    # a drop on a rigid curve, or a minimum outside 0.9-1.1, fails whatever DFT says
    co_rigid = dict(co, uniaxial_rigid=chk([0.6]))
    assert not report.collapse_ok(co_rigid, report.probe_verdicts(co_rigid, drops))
    co_far = dict(co, biaxial_rigid=chk([], ok=False))
    assert not report.collapse_ok(co_far, report.probe_verdicts(co_far, drops))
    # no drops at all: passes without DFT
    flat = dict(co, uniaxial_relaxed=chk([]))
    assert report.collapse_ok(flat, report.probe_verdicts(flat, {}))
