#!/usr/bin/python3
"""DFT reference values for the model report (report.py), with THE setting of factory/dft.py (make_calc).

    cd training && OMP_NUM_THREADS=1 nice -n 19 /usr/bin/python3 reference.py [--only strain,probes,elastic,atoms,defects,phonons]
                                                                               [--limit N] [--status]
    training/label.sh reference        (the same in the background; label.sh stop-reference stops it)

Resumable exactly like validate.py: every finished calculation is written at once to results/reference/<name>.json
(temp file + os.replace), a restart skips every name present; relaxations keep an ASE trajectory (and the BFGS
Hessian) in results/reference/partial/ (committed, so a new checkout resumes them) and resume from the last frame.  --limit N stops after N new calculations.

Geometry: a0 and t0 from validate.py (results/validation/lattice.json); the cells and routines are those of
trainer/properties.py, so report.py evaluates the model on exactly the same structures.  Pieces, cheapest first:
  strain    3-atom cell at s x a0, s = 0.80 ... 1.20 (step 0.05), biaxial diag(s, s, 1) and uniaxial diag(s, 1, 1);
            atoms relaxed (BFGS, fmax 0.01 eV/A): 17 relaxations (s = 1 is shared)
  probes    the 3-atom cell strongly compressed (uniaxial 0.6, 0.625; biaxial 0.725, 0.75), relaxed from a thin
            (t0) and a thick (1.7 t0) start: the DFT side of the collapse check, where models switch branch
  elastic   3-atom cell at a0, eps_xx = -1, -0.5, 0, 0.5, 1 %, atoms relaxed (fmax 0.005 eV/A), energy and stress
            (relaxed-ion C11 = d sigma_xx / d eps_xx, C12 = d sigma_yy / d eps_xx, 2D = stress x c)
  atoms     the isolated Mo atom, spin-polarised (Hund, as factory's atoms) and spin-paired (validate.py's
            'atom-paired' convention of the paper's 6.7 eV); S is taken from validate.py
  defects   E_f of V_Mo, V_S2, Mo_S, S_Mo, V_MoS3 in validate.py's 3x3 cell at a0 (its pristine energy reused), relaxed
            at fixed cell to fmax 0.03 eV/A (as validate.py's V_S), isolated-atom chemical potentials in both
            conventions: E_f (spin-polarised atoms) and E_f_paired (spin-paired atoms); Mo_S and V_MoS3, whose
            cells keep a moment (factory.spin's screen), are relaxed spin-polarised
  phonons   finite displacements +-0.02 A of Mo and the top S (the bottom S follows by the mirror plane) in the 3x3
            supercell: 12 single points of 27 atoms
results/reference/summary.json collects what is done (elastic fit, E_f, counts).
"""
import argparse
import json
import os
import sys
import time


HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from factory.dft import SETTING, kpts_for, make_calc  # noqa: E402
from factory.spin import MAGNETIC_DEFECTS  # noqa: E402
from trainer import properties as P  # noqa: E402

OUT = os.path.join(HERE, 'results', 'reference')
VAL = os.path.join(HERE, 'results', 'validation')
WORK = os.path.join(HERE, 'work', 'reference')
# relaxations in progress (trajectory + BFGS Hessian) sit in the repository, committed with the results by
# `label.sh commit`: a fresh checkout (every session starts from one) resumes them instead of starting over
PARTIAL = os.path.join(OUT, 'partial')
H_PHONON = 0.02
N_PHONON = 3
DEFECT_ORDER = ['V_Mo', 'V_S2', 'Mo_S', 'S_Mo', 'V_MoS3']
PIECES = ['strain', 'probes', 'elastic', 'atoms', 'defects', 'phonons']
# rough CPU estimates per calculation (s, one shared core), from the timings at hand: the 3-atom lattice points of
# validate.py took 17-24 s and the s = 1 strain point 11 s; the Mo atom in data/atom 29 s; the 27-atom pristine cell
# 430 s with symmetry (a displaced cell keeps only time reversal: 5 instead of ~2 irreducible k-points, ~2x);
# V_S 3571 s for 13 BFGS steps (~275 s per step; the other defects keep similar symmetry, 15-30 steps expected)
EST = {'strain': 40, 'probes': 400, 'elastic': 60, 'atoms': 30, 'defects': 6000, 'phonons': 850}


class Limit(Exception):
    pass


class Runner:
    def __init__(self, limit=None):
        self.limit, self.done_now = limit, 0
        os.makedirs(OUT, exist_ok=True)
        os.makedirs(WORK, exist_ok=True)

    @staticmethod
    def ck(name):
        fn = os.path.join(OUT, name + '.json')
        if not os.path.exists(fn):
            return None
        with open(fn) as f:
            return json.load(f)

    def save(self, name, obj):
        fn = os.path.join(OUT, name + '.json')
        tmp = fn + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(obj, f, indent=1)
        os.replace(tmp, fn)
        self.finish(name)
        self.done_now += 1
        print(f'{time.strftime("%H:%M:%S")} saved {name}', flush=True)

    def check_limit(self):
        if self.limit is not None and self.done_now >= self.limit:
            raise Limit()

    def calc_for(self, name, kind='condensed'):
        txt = os.path.join(WORK, name + '.txt')
        return lambda at: make_calc(at, kind=kind, txt=txt)

    def paths(self, name):
        os.makedirs(PARTIAL, exist_ok=True)
        return dict(traj=os.path.join(PARTIAL, name + '.traj'), logfile=os.path.join(WORK, name + '.log'),
                    restart=os.path.join(PARTIAL, name + '.bfgs.pckl'))

    def finish(self, name):
        """Drop a finished relaxation's checkpoint (its result is in OUT/<name>.json)."""
        for f in self.paths(name).values():
            if f.startswith(PARTIAL) and os.path.exists(f):
                os.remove(f)


def lattice():
    fn = os.path.join(VAL, 'lattice.json')
    if not os.path.exists(fn):
        sys.exit('results/validation/lattice.json missing: run validate.py first (it gives a0 and t0)')
    with open(fn) as f:
        lat = json.load(f)
    return lat['a0'], lat['t0']


def val(name):
    fn = os.path.join(VAL, name + '.json')
    if not os.path.exists(fn):
        return None
    with open(fn) as f:
        return json.load(f)


def strain_names():
    """(mode, s, name), s = 1 first, then outward (biaxial before uniaxial at each |s - 1|)."""
    out = []
    for s in sorted(P.STRAIN_FACTORS, key=lambda x: (round(abs(x - 1), 6), x)):
        for mode in ('biaxial', 'uniaxial'):
            out.append((mode, s, f'strain_{mode}_s{s:.3f}'))
    return out


def run_strain(R, a0, t0):
    for mode, s, name in strain_names():
        if R.ck(name):
            continue
        if mode == 'uniaxial' and abs(s - 1) < 1e-9 and R.ck(f'strain_biaxial_s{s:.3f}'):
            d = dict(R.ck(f'strain_biaxial_s{s:.3f}'), mode='uniaxial', note='identical cell to biaxial s = 1 (copied)')
            R.save(name, d)
            continue
        R.check_limit()
        t = time.process_time()
        r, at = P.strain_point(R.calc_for(name), a0, t0, s, mode, fmax=0.01, steps=100, **R.paths(name))
        if not r['converged']:
            print(f'{name}: not converged (fmax {r["fmax"]:.3f}); rerun resumes it', flush=True)
            continue
        r.update(t0=t0, kpts=kpts_for(at), cpu_s=time.process_time() - t, positions=at.positions.tolist(),
                 cell=at.cell.array.tolist(), symbols=at.get_chemical_symbols())
        R.save(name, r)


# the strongly compressed 3-atom cell, where models' relaxed strain curves switch branch (a thicker layer): relaxed
# from a thin start (the rest thickness t0) and a thick one (1.7 t0) at each factor, so that the DFT energy
# envelope tells whether a drop of a model's relaxed curve there is physical (report.py, collapse check)
PROBES = [('uniaxial', 0.6), ('uniaxial', 0.625), ('biaxial', 0.725), ('biaxial', 0.75)]
PROBE_STARTS = {'thin': 1.0, 'thick': 1.7}


def probe_names():
    return [(mode, s, start, f'probe_{mode}_s{s:.3f}_{start}') for mode, s in PROBES for start in PROBE_STARTS]


def run_probes(R, a0, t0):
    for mode, s, start, name in probe_names():
        if R.ck(name):
            continue
        R.check_limit()
        t = time.process_time()
        r, at = P.strain_point(R.calc_for(name), a0, PROBE_STARTS[start] * t0, s, mode, fmax=0.01, steps=150,
                               **R.paths(name))
        if not r['converged']:
            print(f'{name}: not converged (fmax {r["fmax"]:.3f}); rerun resumes it', flush=True)
            continue
        r.update(start=start, t_start=PROBE_STARTS[start] * t0, kpts=kpts_for(at), cpu_s=time.process_time() - t,
                 positions=at.positions.tolist(), cell=at.cell.array.tolist(), symbols=at.get_chemical_symbols())
        R.save(name, r)


def run_elastic(R, a0, t0):
    at0 = P.hex_cell(a0, t0)
    for eps in P.ELASTIC_STRAINS:
        name = f'elastic_exx{eps:+.4f}'
        if R.ck(name):
            continue
        R.check_limit()
        t = time.process_time()
        r = P.elastic_point(R.calc_for(name), at0, eps, fmax=0.005, steps=100, **R.paths(name))
        if not r['converged']:
            print(f'{name}: not converged (fmax {r["fmax"]:.3f}); rerun resumes it', flush=True)
            continue
        r.update(a0=a0, t0=t0, kpts=kpts_for(P.strained(at0, 1 + eps, 1)), cpu_s=time.process_time() - t)
        R.save(name, r)


def run_atoms(R):
    """Isolated atoms in the labeller's 10 x 10.5 x 11 A box: spin-polarised (Hund, fixed moment: the factory's
    atoms, the model's zero) and spin-paired ('atom-paired', the convention of the paper's 6.7 eV for V_S).
    S is reused from validate.py."""
    from ase import Atoms
    for name, src in (('atom_S', 'S_atom'), ('atom_S_paired', 'S_atom_paired')):
        v = val(src)
        if v and not R.ck(name):
            R.save(name, dict(element='S', energy=v['energy'], magmom=v.get('magmom', 0.0),
                              spin='polarised' if name == 'atom_S' else 'paired', source=f'results/validation/{src}.json'))
    for el, kind, name in (('Mo', 'atom', 'atom_Mo'), ('Mo', 'atom-paired', 'atom_Mo_paired'),
                           ('S', 'atom', 'atom_S'), ('S', 'atom-paired', 'atom_S_paired')):
        if R.ck(name):
            continue
        R.check_limit()
        at = Atoms(el, positions=[[0, 0, 0]], cell=[10.0, 10.5, 11.0], pbc=True)
        at.center()
        at.calc = make_calc(at, kind=kind, txt=os.path.join(WORK, name + '.txt'))
        t = time.process_time()
        e = float(at.get_potential_energy())
        mag = float(at.calc.get_magnetic_moment()) if kind == 'atom' else 0.0
        R.save(name, dict(element=el, energy=e, magmom=mag, spin='polarised' if kind == 'atom' else 'paired',
                          cpu_s=time.process_time() - t, source=f'reference.py (make_calc kind={kind!r})'))


def mu_sets():
    """Chemical potentials: {'polarised': {Mo, S}, 'paired': {Mo, S}} (None where not computed yet)."""
    out = {}
    for conv, suffix in (('polarised', ''), ('paired', '_paired')):
        out[conv] = {el: (Runner.ck(f'atom_{el}{suffix}') or {}).get('energy') for el in ('Mo', 'S')}
    return out


def run_defects(R, a0, t0):
    pr = val('pristine_3x3')
    if pr is None:
        print('defects: results/validation/pristine_3x3.json missing (validate.py); skipped', flush=True)
        return
    mus = mu_sets()
    mu = mus['polarised']
    if None in mu.values():
        print('defects: isolated-atom energies missing (run the atoms piece); skipped', flush=True)
        return
    for kind in DEFECT_ORDER:
        name = f'defect_{kind}'
        if R.ck(name):
            continue
        R.check_limit()
        at = P.defect_cell(kind, a0, t0, 3)
        spin = kind in MAGNETIC_DEFECTS     # a moment survives in this defect type (factory.spin's screen)
        P.attach(at, R.calc_for(name, kind='condensed-spin' if spin else 'condensed'))
        t = time.process_time()
        r = P.relax(at, fmax=0.03, steps=150, **R.paths(name))
        if not r['converged']:
            print(f'{name}: not converged after {r["traj_frames"]} frames (fmax {r["fmax"]:.3f}); rerun resumes it', flush=True)
            continue
        mp = mus['paired']
        R.save(name, dict(kind=kind, description=P.DEFECTS[kind][1], E_defect=r['energy'], E_pristine=pr['energy'],
                          mu=mu, E_f=P.formation_energy(kind, r['energy'], pr['energy'], mu), formula=P.FORMATION_FORMULA,
                          mu_paired=mp, E_f_paired=None if None in mp.values() else
                          P.formation_energy(kind, r['energy'], pr['energy'], mp),
                          natoms=len(at), fmax=r['fmax'], traj_frames=r['traj_frames'], a0=a0, t0=t0,
                          spin_polarised=spin, magmom=float(at.calc.get_magnetic_moment()) if spin else 0.0,
                          kpts=kpts_for(at), cpu_s_last_session=time.process_time() - t,
                          positions=at.positions.tolist(), cell=at.cell.array.tolist(), symbols=at.get_chemical_symbols()))


def phonon_names(a0, t0):
    prim = P.hex_cell(a0, t0)
    return [((a, d, s), f'phonon{N_PHONON}x{N_PHONON}_a{a}_{"xyz"[d]}{"p" if s > 0 else "m"}') for (a, d, s) in P.displacements(prim)]


def run_phonons(R, a0, t0):
    prim = P.hex_cell(a0, t0)
    sc = P.phonon_supercell(prim, N_PHONON)
    for (a, d, s), name in phonon_names(a0, t0):
        if R.ck(name):
            continue
        R.check_limit()
        at = P.displaced(sc, a, d, s, H_PHONON)
        P.attach(at, R.calc_for(name))
        t = time.process_time()
        F = at.get_forces()
        R.save(name, dict(atom=a, direction=d, sign=s, h=H_PHONON, n=N_PHONON, a0=a0, t0=t0, energy=float(at.get_potential_energy()),
                          forces=F.tolist(), kpts=kpts_for(at), cpu_s=time.process_time() - t))


def summary(a0, t0):
    out = {'setting': SETTING, 'a0': a0, 't0': t0, 'strain': {}, 'elastic': None, 'defects': {}, 'phonons': None}
    for mode, s, name in strain_names():
        r = Runner.ck(name)
        if r:
            out['strain'].setdefault(mode, []).append({'s': s, 'energy_per_atom': r['energy'] / r['natoms'], 't': r['t']})
    pts = [Runner.ck(f'elastic_exx{e:+.4f}') for e in P.ELASTIC_STRAINS]
    pts = [p for p in pts if p]
    if len(pts) >= 3:
        fit = P.elastic_fit(pts)
        fit['n_points'] = len(pts)
        out['elastic'] = fit
    mus = mu_sets()
    out['mu'] = mus
    vs = val('vacancy_3x3_relaxed') or val('vacancy_3x3')
    if vs:
        ep = None if mus['paired']['S'] is None else vs['E_vac'] + mus['paired']['S'] - vs['E_pristine']
        out['defects']['V_S'] = {'E_f': vs['E_f'], 'E_f_paired': ep, 'source': 'results/validation (validate.py)'}
    for kind in DEFECT_ORDER:
        r = Runner.ck(f'defect_{kind}')
        if r:
            mp = mus['paired']
            ep = None if None in mp.values() else P.formation_energy(kind, r['E_defect'], r['E_pristine'], mp)
            out['defects'][kind] = {'E_f': r['E_f'], 'E_f_paired': ep}
    names = phonon_names(a0, t0)
    out['phonons'] = {'done': sum(1 for _, n in names if Runner.ck(n)), 'needed': len(names)}
    fn = os.path.join(OUT, 'summary.json')
    with open(fn + '.tmp', 'w') as f:
        json.dump(out, f, indent=1)
    os.replace(fn + '.tmp', fn)
    return out


def status(a0, t0):
    rows = []
    n_s = [Runner.ck(n) is not None for _, _, n in strain_names()]
    rows.append(('strain', sum(n_s), len(n_s), EST['strain']))
    n_p = [Runner.ck(n) is not None for *_, n in probe_names()]
    rows.append(('probes', sum(n_p), len(n_p), EST['probes']))
    n_e = [Runner.ck(f'elastic_exx{e:+.4f}') is not None for e in P.ELASTIC_STRAINS]
    rows.append(('elastic', sum(n_e), len(n_e), EST['elastic']))
    n_a = [Runner.ck(n) is not None for n in ('atom_Mo', 'atom_Mo_paired', 'atom_S', 'atom_S_paired')]
    rows.append(('atoms', sum(n_a), len(n_a), EST['atoms']))
    n_d = [Runner.ck(f'defect_{k}') is not None for k in DEFECT_ORDER]
    rows.append(('defects', sum(n_d), len(n_d), EST['defects']))
    n_p = [Runner.ck(n) is not None for _, n in phonon_names(a0, t0)]
    rows.append(('phonons', sum(n_p), len(n_p), EST['phonons']))
    total = 0
    print(f'a0 = {a0:.4f} A, t0 = {t0:.4f} A (validate.py)')
    for name, done, need, est in rows:
        left = (need - done) * est
        total += left
        print(f'{name:8s} {done:3d}/{need:<3d} done   remaining ~{left / 3600:5.2f} h CPU (estimate {est} s each)')
    print(f'total remaining ~{total / 3600:.1f} h CPU')


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--only', default='', help=f'comma list of {",".join(PIECES)}')
    p.add_argument('--limit', type=int, default=None, help='stop after this many new calculations')
    p.add_argument('--status', action='store_true')
    a = p.parse_args()
    a0, t0 = lattice()
    if a.status:
        status(a0, t0)
        return
    only = [x for x in a.only.split(',') if x] or PIECES
    R = Runner(a.limit)
    print(f'{time.strftime("%Y-%m-%d %H:%M:%S")} reference.py: a0 = {a0:.4f} A, t0 = {t0:.4f} A; pieces {only}', flush=True)
    try:
        for piece in PIECES:
            if piece not in only:
                continue
            t = time.time()
            {'strain': lambda: run_strain(R, a0, t0), 'probes': lambda: run_probes(R, a0, t0), 'elastic': lambda: run_elastic(R, a0, t0), 'atoms': lambda: run_atoms(R),
             'defects': lambda: run_defects(R, a0, t0), 'phonons': lambda: run_phonons(R, a0, t0)}[piece]()
            summary(a0, t0)
            print(f'{time.strftime("%H:%M:%S")} {piece}: finished ({time.time() - t:.0f} s wall this run)', flush=True)
    except Limit:
        print(f'stopped after {R.done_now} new calculations (--limit)', flush=True)
    s = summary(a0, t0)
    print(json.dumps({k: v for k, v in s.items() if k not in ('setting', 'strain')}, indent=1), flush=True)


if __name__ == '__main__':
    main()
