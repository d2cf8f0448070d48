#!/usr/bin/python3
"""Validation report of a trained MoS2 DP-Tab model (issue 7): one command, REPORT.md + PNG plots.

    nice -n 10 /usr/bin/python3 training/report.py --model models/mos2-dptab.yaml [--out training/report] [--quick]
        [--skip ed,phonons] [--only lattice,strain] [--recompute ed] [--threads 1]

The model is evaluated through trainer.calculator.DPCalculator (float64 DPModel: energy, forces, stress = -virial/V)
and compared with "our DFT" (THE setting of factory/dft.py: results/validation/ from validate.py and
results/reference/ from reference.py; 'pending' where not computed yet) and "paper DFT" (the numbers in
shared/physics/PHYSICS.md, else n/a).  Pieces (all property routines in trainer/properties.py, PKA MD in
trainer/threshold.py):
  lattice   a0, d(S-S), d(Mo-S) of the 3-atom cell (E(a) minimised with the S heights relaxed)
  strain    E/atom vs biaxial and uniaxial-x strain factor 0.8-1.2 (cells = factor x the DFT a0, relaxed atoms)
  collapse  the same 0.5-1.5, relaxed and rigid: E must rise monotonically away from its minimum on both sides
            (a drop on a relaxed curve passes where the DFT probes of reference.py drop as well)
  elastic   relaxed-ion 2D C11, C12, Young's modulus, Poisson ratio (uniaxial strains +-0.5, +-1 %)
  phonons   Gamma-M-K-Gamma by finite displacements in a 3x3 supercell (and 6x6 for the model in full runs)
  defects   E_f of V_S, V_S2, V_Mo, V_MoS3, Mo_S, S_Mo in the 3x3 supercell, isolated-atom chemical potentials
  dimers    Mo-Mo, Mo-S, S-S binding curves: model vs labelled DFT dimers vs the pair table
  rmse      held-out RMSE by category from <model>.metrics.json (else: RMSE on all of data/, marked as such)
  ed        displacement thresholds E_d(S), E_d(Mo) by PKA MD and bisection (--quick: one direction each)
Every finished piece (and every single PKA run) is cached in <out>/cache.json under the model file's sha256, so a
rerun redoes nothing that is finished (--recompute PIECE to force one).
"""
from __future__ import annotations

import argparse
import glob
import json
import math
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from trainer.threads import limit_from_argv  # noqa: E402

limit_from_argv(sys.argv, default=1)  # before numpy and torch load their thread pools (report's --threads, default 1)

import numpy as np  # noqa: E402

PIECES = ['lattice', 'strain', 'collapse', 'elastic', 'phonons', 'defects', 'dimers', 'rmse', 'ed']
CODE_VERSION = 1  # bump when a routine changes its results: invalidates the cache
VAL = os.path.join(HERE, 'results', 'validation')
REF = os.path.join(HERE, 'results', 'reference')
DATA = os.path.join(HERE, 'data')
TABLE = os.path.join(ROOT, 'models', 'mos2-pairtable.txt')

# paper DFT values quoted in shared/physics/PHYSICS.md (section in brackets); everything else is n/a there
PAPER = {
    'a0': (3.18, '§6'), 't0': (3.12, '§6'), 'd_MoS': (2.41, '§6'),
    'Ef_V_S': (6.7, '§4.1 "DFT E_f(V_S) ≈ 6.7 eV"'),
    'Ed_S': (6.9, '§1.2, Komsa 2012 [U]'), 'Ed_Mo': (20.0, '§1.2, "≈ 20 eV" from the DP-Tab paper [U]'),
}
H_PHONON = 0.02  # A, finite displacement (reference.py uses the same)
N_PHONON = 3


# ---------------------------------------------------------------------------------------------------------------
# small helpers


def jload(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def jsave(path, obj):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(obj, f, indent=1, default=float)
    os.replace(tmp, path)


def fmt(x, nd=3, unit=''):
    if x is None:
        return 'n/a'
    if isinstance(x, str):
        return x
    return f'{x:.{nd}f}{unit}'


def rel(a, b):
    return None if a is None or b is None or b == 0 else (a - b) / b


class Cache:
    """<out>/cache.json: {sha256: {key: value}}; written atomically after every put."""

    def __init__(self, path, sha):
        self.path, self.sha = path, sha
        self.all = jload(path) or {}
        self.d = self.all.setdefault(sha, {})

    def get(self, key):
        return self.d.get(key)

    def put(self, key, value):
        self.d[key] = value
        jsave(self.path, self.all)

    def drop(self, prefix):
        for k in [k for k in self.d if k.split('|')[0] == prefix]:
            del self.d[k]
        jsave(self.path, self.all)


# ---------------------------------------------------------------------------------------------------------------
# DFT references (read every time; cheap)


def dft_refs() -> dict:
    r = {'validation': {}, 'strain': {'biaxial': [], 'uniaxial': []}, 'elastic': [], 'defects': {}, 'phonon': {},
         'atoms': {}}
    for fn in glob.glob(os.path.join(VAL, '*.json')):
        r['validation'][os.path.basename(fn)[:-5]] = jload(fn)
    for fn in sorted(glob.glob(os.path.join(REF, 'strain_*.json'))):
        d = jload(fn)
        if d:
            r['strain'][d['mode']].append(d)
    r['probes'] = {}
    for fn in sorted(glob.glob(os.path.join(REF, 'probe_*.json'))):
        d = jload(fn)
        if d:
            r['probes'].setdefault((d['mode'], round(d['s'], 4)), []).append(d)
    for fn in sorted(glob.glob(os.path.join(REF, 'elastic_*.json'))):
        d = jload(fn)
        if d:
            r['elastic'].append(d)
    for fn in glob.glob(os.path.join(REF, 'defect_*.json')):
        d = jload(fn)
        if d:
            r['defects'][d['kind']] = d
    for fn in glob.glob(os.path.join(REF, 'atom_*.json')):
        d = jload(fn)
        if d:
            r['atoms'][os.path.basename(fn)[5:-5]] = d  # 'Mo', 'Mo_paired', 'S', 'S_paired'
    for fn in glob.glob(os.path.join(REF, f'phonon{N_PHONON}x{N_PHONON}_*.json')):
        d = jload(fn)
        if d:
            r['phonon'][(d['atom'], d['direction'], d['sign'])] = d
    r['summary'] = jload(os.path.join(REF, 'summary.json'))
    return r


def probe_verdicts(co: dict, probes: dict) -> dict:
    """For each point where a relaxed collapse curve drops again ('<mode>_relaxed' -> {x: verdict}): compare the DFT
    relaxed energies there and at the neighbouring factor towards the minimum (reference.py's probes, the lowest over
    the thin and thick starts). physical = True when DFT drops as well, False when it rises, None without DFT."""
    out = {}
    fac = [round(x, 4) for x in co.get('factors', [])]
    for mode in ('biaxial', 'uniaxial'):
        c = co.get(f'{mode}_relaxed')
        if not c:
            continue
        xmin = c['check']['x_min']
        for x in c['check']['violations']:
            i = fac.index(round(x, 4))
            xn = fac[i + 1] if x < xmin else fac[i - 1]
            lo = lambda f: min((p['energy_per_atom'] for p in probes.get((mode, round(f, 4)), [])), default=None)
            e, en = lo(x), lo(xn)
            v = {'x': x, 'neighbour': xn, 'dft_e': e, 'dft_e_neighbour': en,
                 'physical': None if e is None or en is None else bool(e < en)}
            out.setdefault(f'{mode}_relaxed', {})[x] = v
    return out


def collapse_ok(co: dict, verdicts: dict) -> bool:
    """The strain collapse check passes when every curve is monotonic, or when every drop is on a relaxed curve
    and DFT drops there as well (a physical branch switch of the compressed layer, not a model artefact)."""
    for key in (k for k in co if k.endswith('_relaxed') or k.endswith('_rigid')):
        for x in co[key]['check']['violations']:
            if not (verdicts.get(key, {}).get(x) or {}).get('physical'):
                return False
        if not co[key]['check']['min_in_window']:
            return False
    return True


# ---------------------------------------------------------------------------------------------------------------
# the pieces (each returns a JSON-able dict; plots are written by the report step)


class Ctx:
    def __init__(self, calc, args, refs, log):
        self.calc, self.args, self.refs, self.log = calc, args, refs, log
        self.quick = args.quick
        self.results = {}

    @property
    def dft_lattice(self):
        s = self.refs['validation'].get('summary') or {}
        return s.get('a0'), s.get('t0'), s.get('d_MoS')

    def steps(self, n):
        """Relaxation step cap: n, or --max-steps if smaller (tests)."""
        return n if self.args.max_steps is None else min(n, self.args.max_steps)

    def model_lattice(self):
        lat = self.results.get('lattice')
        if not lat or 'a0' not in lat:
            raise RuntimeError('needs the lattice piece')
        return lat['a0'], lat['t0']


def piece_lattice(ctx: Ctx):
    from trainer import properties as P
    a_dft, t_dft, _ = ctx.dft_lattice
    return P.lattice_constant(ctx.calc, a_guess=a_dft or 3.18, t_guess=t_dft or 3.12, fmax=1e-3 if ctx.quick else 1e-4,
                              xatol=1e-4 if ctx.quick else 1e-5, steps=ctx.steps(300))


def _strain_a0(ctx):
    """The a0 of the DFT strain cells (so that model and DFT see identical cells)."""
    for mode in ('biaxial', 'uniaxial'):
        if ctx.refs['strain'][mode]:
            p = ctx.refs['strain'][mode][0]
            return p['a0'], p.get('t0', ctx.dft_lattice[1] or 3.12), 'the a0 of the DFT reference points'
    a, t, _ = ctx.dft_lattice
    if a:
        return a, t, 'the DFT a0 of validate.py'
    a, t = ctx.model_lattice()
    return a, t, "the model's own a0 (no DFT a0 available)"


def piece_strain(ctx: Ctx):
    from trainer import properties as P
    a0, t0, why = _strain_a0(ctx)
    dense = [] if ctx.quick else list(np.round(np.arange(0.8, 1.2 + 1e-9, 0.01), 4))
    out = {'a0': a0, 't0': t0, 'a0_from': why}
    for mode in ('biaxial', 'uniaxial'):
        pts = P.strain_scan(ctx.calc, a0, t0, sorted(set(dense) | set(P.STRAIN_FACTORS)), mode, fmax=1e-3,
                            steps=ctx.steps(300))
        out[mode] = [{k: p[k] for k in ('s', 'energy', 'energy_per_atom', 't', 'd_MoS', 'converged')} for p in pts]
    return out


def piece_collapse(ctx: Ctx):
    from trainer import properties as P
    a0, t0 = ctx.model_lattice()
    return P.collapse_check(ctx.calc, a0, t0, step=0.1 if ctx.quick else 0.025, steps=ctx.steps(300))


def piece_elastic(ctx: Ctx):
    from trainer import properties as P
    a0, t0 = ctx.model_lattice()
    return P.relaxed_elastic(ctx.calc, a0, t0, fmax=1e-5, steps=ctx.steps(300), clamped_ion=True)


def _phonon_model(ctx, n):
    from trainer import properties as P
    a0, t0 = ctx.model_lattice()
    prim = P.hex_cell(a0, t0)
    sc = P.phonon_supercell(prim, n)
    forces = {}
    for (a, d, s) in P.displacements(prim):
        at = P.displaced(sc, a, d, s, H_PHONON)
        at.calc = ctx.calc
        forces[(a, d, s)] = at.get_forces().copy()
    Phi = P.force_constants(prim, sc, forces, H_PHONON)
    qs, xs, ticks, labels = P.band_path(prim, 60 if ctx.quick else 120)
    return P.phonon_bands(prim, sc, n, Phi, qs), xs, ticks, labels


def _phonon_dft(ctx):
    from trainer import properties as P
    ph = ctx.refs['phonon']
    if not ph:
        return None, 'pending: reference.py has not computed the DFT displacements yet'
    first = next(iter(ph.values()))
    prim = P.hex_cell(first['a0'], first['t0'])
    need = P.displacements(prim)
    missing = [k for k in need if k not in ph]
    if missing:
        return None, f'pending: {len(need) - len(missing)} of {len(need)} DFT displacements done'
    sc = P.phonon_supercell(prim, first['n'])
    Phi = P.force_constants(prim, sc, {k: np.array(ph[k]['forces']) for k in need}, first['h'])
    qs, xs, ticks, labels = P.band_path(prim, 60 if ctx.quick else 120)
    return (P.phonon_bands(prim, sc, first['n'], Phi, qs), xs, ticks, labels, first['a0']), None


def piece_phonons(ctx: Ctx):
    out = {'h': H_PHONON, 'method': f'finite displacements +-{H_PHONON} A, {N_PHONON}x{N_PHONON} supercell, '
           'central differences, bottom S by the mirror plane, acoustic sum rule, minimum-image dynamical matrix'}
    w, xs, ticks, labels = _phonon_model(ctx, N_PHONON)
    out['model'] = {'n': N_PHONON, 'freq_THz': w.tolist(), 'x': xs.tolist(), 'ticks': ticks, 'labels': labels}
    if not ctx.quick:
        w6, xs6, _, _ = _phonon_model(ctx, 6)
        out['model_6x6'] = {'n': 6, 'freq_THz': w6.tolist(), 'x': xs6.tolist()}
    return out


def piece_defects(ctx: Ctx):
    from trainer import properties as P
    a0, t0 = ctx.model_lattice()
    return P.formation_energies(ctx.calc, a0, t0, fmax=0.03 if ctx.quick else 0.01, steps=ctx.steps(1000), log=ctx.log)


def _dimer_frames():
    from trainer.data import read_dataset
    frames = read_dataset(os.path.join(DATA, 'dimer'), ['Mo', 'S']) if os.path.isdir(os.path.join(DATA, 'dimer')) else []
    atoms = read_dataset(os.path.join(DATA, 'atom'), ['Mo', 'S']) if os.path.isdir(os.path.join(DATA, 'atom')) else []
    e_atom = {}
    for f in atoms:
        e_atom[int(f.atype[0])] = f.energy
    return frames, e_atom


def piece_dimers(ctx: Ctx):
    from ase import Atoms
    from trainer import properties as P
    frames, e_atom = _dimer_frames()
    names = {(0, 0): 'Mo-Mo', (0, 1): 'Mo-S', (1, 1): 'S-S'}
    sym = ['Mo', 'S']
    box = np.diag([10.0, 10.5, 11.0])
    axis = np.array([0.8, 0.5, math.sqrt(1 - 0.89)])  # the labeller's dimer orientation (factory/generate.py)

    def model_e(types, coord, cell):
        at = Atoms([sym[t] for t in types], positions=coord, cell=cell, pbc=True)
        at.calc = ctx.calc
        return float(at.get_potential_energy())

    e_iso = {t: model_e([t], [0.5 * np.diag(box)], box) for t in (0, 1)}
    h = 0.05 if ctx.quick else 0.02
    grid = np.round(np.arange(0.3, 5.0 + 1e-9, h), 4)
    out = {'criterion': 'collapse check: from the global minimum the binding energy must rise monotonically towards '
                        'short r (down to 0.3 A) and the minimum must lie at r >= 1.4 A; the long-range side is '
                        'reported, not judged', 'pairs': {}}
    ok = True
    for (ta, tb), name in names.items():
        c0 = 0.5 * np.diag(box)
        curve = [model_e([ta, tb], [c0 - 0.5 * r * axis, c0 + 0.5 * r * axis], box) - e_iso[ta] - e_iso[tb] for r in grid]
        pts = []
        for f in frames:
            if tuple(sorted(int(t) for t in f.atype)) != (ta, tb):
                continue
            r = float(np.linalg.norm(f.coord[1] - f.coord[0]))
            em = model_e(list(f.atype), f.coord, f.box) - e_iso[ta] - e_iso[tb]
            ed = f.energy - e_atom[ta] - e_atom[tb] if ta in e_atom and tb in e_atom else None
            pts.append({'r': r, 'model': em, 'dft': ed, 'id': getattr(f, 'id', None)})
        pts.sort(key=lambda p: p['r'])
        chk = P.monotonic_check(grid, curve, tol=1e-6)
        k = int(np.argmin(curve))
        left_bad = [x for x in chk['violations'] if x < grid[k]]
        right_bad = [x for x in chk['violations'] if x > grid[k]]
        pair_ok = (not left_bad) and grid[k] >= 1.4
        ok = ok and pair_ok
        dft_min = None
        good = [p for p in pts if p['dft'] is not None]
        if good:
            j = int(np.argmin([p['dft'] for p in good]))
            dft_min = {'r': good[j]['r'], 'E': good[j]['dft']}
        rm = [p for p in good if p['r'] >= 1.5]
        out['pairs'][name] = {
            'r': grid.tolist(), 'model': curve, 'points': pts, 'model_min': {'r': float(grid[k]), 'E': float(curve[k])},
            'dft_min': dft_min, 'left_violations': left_bad, 'right_violations': right_bad, 'ok': bool(pair_ok),
            'rmse_r_ge_1.5': float(np.sqrt(np.mean([(p['model'] - p['dft']) ** 2 for p in rm]))) if rm else None,
            'n_dft': len(good)}
    out['ok'] = bool(ok)
    return out


def piece_rmse(ctx: Ctx):
    from trainer.train import NEAR_EQ_RULE, near_equilibrium
    mpath = os.path.splitext(ctx.args.model)[0] + '.metrics.json'
    m = jload(mpath)
    if m is not None:
        return {'source': os.path.relpath(mpath, ROOT), 'held_out': True, 'near_equilibrium_rule': NEAR_EQ_RULE,
                'split': {k: v for k, v in (m.get('split') or {}).items() if k != 'held_out_ids'},
                'by_category': m.get('by_category', {}), 'train_by_category': m.get('train_by_category')}
    from ase import Atoms
    from trainer.data import read_dataset
    frames = read_dataset(DATA, ['Mo', 'S'])
    acc = {}
    for f in frames:
        at = Atoms([['Mo', 'S'][t] for t in f.atype], positions=f.coord, cell=f.box if f.box is not None else np.zeros((3, 3)),
                   pbc=f.box is not None)
        at.calc = ctx.calc
        de = (at.get_potential_energy() - f.energy) / f.natoms
        df2 = float(((at.get_forces() - f.force) ** 2).sum())
        dv2 = None
        if f.virial is not None and f.box is not None:
            W = -np.array(at.get_stress(voigt=False)) * at.get_volume()
            dv2 = float(((W - f.virial) ** 2).mean()) / f.natoms ** 2
        for g in ['all', f.category] + (['near_equilibrium'] if near_equilibrium(f) else []):
            acc.setdefault(g, []).append((de * de, df2, f.force.size, dv2))
    out = {}
    for g, rows in acc.items():
        v = [r[3] for r in rows if r[3] is not None]
        out[g] = {'n': len(rows), 'rmse_e_atom': math.sqrt(sum(r[0] for r in rows) / len(rows)),
                  'rmse_f': math.sqrt(sum(r[1] for r in rows) / max(1, sum(r[2] for r in rows))),
                  'rmse_v_atom': math.sqrt(sum(v) / len(v)) if v else None}
    return {'source': 'computed here on ALL frames of training/data (no metrics.json next to the model): these are NOT '
                      'held-out errors, most frames were seen in training', 'held_out': False, 'by_category': out,
            'near_equilibrium_rule': NEAR_EQ_RULE}


def piece_ed(ctx: Ctx, cache: Cache):
    from trainer import properties as P
    from trainer import threshold as T
    a0, t0 = ctx.model_lattice()
    n = ctx.args.ed_cell
    sheet = P.S.monolayer_hex(n, a=a0, t=t0)
    sheet.pbc = [True, True, False]
    sheet.calc = ctx.calc
    P.relax(sheet, fmax=1e-3, steps=ctx.steps(500))
    sheet.calc = None
    cfg = T.PKAConfig(free_dist=float(getattr(ctx.calc, 'rcut', 6.0)))
    # cost of one force call on this sheet
    probe = sheet.copy()
    probe.calc = ctx.calc
    probe.get_forces()
    t, c = time.time(), time.process_time()
    for k in range(5):
        probe.positions[0, 0] += 1e-4
        probe.get_forces()
    cost, cost_wall = (time.process_time() - c) / 5, (time.time() - t) / 5
    dirs = T.QUICK_DIRECTIONS if ctx.quick else T.DIRECTIONS
    tol = {'S': 1.0, 'Mo': 2.0} if ctx.quick else {'S': 0.25, 'Mo': 0.5}
    hi0 = {'S': 16.0, 'Mo': 48.0}
    cfgkey = json.dumps(cfg.as_dict(), sort_keys=True)
    out = {'cell': f'{n}x{n} monolayer_hex ({len(sheet)} atoms), pbc T,T,F, relaxed at the model a0 = {a0:.4f} A',
           'config': cfg.as_dict(), 'protocol': T.VERSION, 'force_call_s': cost, 'force_call_wall_s': cost_wall,
           'tolerance_eV': tol,
           'species': {}}
    total_runs, total_wall = 0, 0.0
    for sp in ('S', 'Mo'):
        pka = T.pick_pka(sheet, sp)
        rows = []
        for th, ph in dirs[sp]:
            def displaced(E, th=th, ph=ph):
                nonlocal total_runs, total_wall
                key = f'edrun|v{T.VERSION}|{n}|{sp}|{th}|{ph}|{E:.6f}|{cfgkey}'
                r = cache.get(key)
                if r is None:
                    r = T.pka_run(sheet, ctx.calc, pka, T.direction_vector(th, ph), E, cfg)
                    cache.put(key, r)
                    ctx.log(f'    {sp} theta={th} phi={ph} E={E:.3f} eV: {"DISPLACED" if r["displaced"] else "stays"} '
                            f'({r["reason"]}; {r["t_fs"]:.0f} fs, {r["force_calls"]} calls, {r["cpu_s"]:.1f} s CPU, {r["wall_s"]:.0f} s wall)')
                    total_runs += 1
                    total_wall += r['wall_s']
                return r['displaced']
            b = T.bisect_threshold(displaced, hi=hi0[sp], tol=tol[sp], hi_max=400.0)
            runs = []
            for E in sorted(b['runs']):
                r = cache.get(f'edrun|v{T.VERSION}|{n}|{sp}|{th}|{ph}|{E:.6f}|{cfgkey}')
                runs.append({'E': E, **r})
            rows.append({'theta': th, 'phi': ph, 'Ed': b['Ed'], 'lo': b['lo'], 'hi': b['hi'], 'note': b.get('note'),
                         'monotonic': b.get('monotonic'), 'runs': runs})
            ctx.log(f'  E_d({sp}; theta={th}, phi={ph}) = {b["Ed"]} eV')
        vals = [r['Ed'] for r in rows if r['Ed'] is not None]
        out['species'][sp] = {'pka_index': pka, 'directions': rows, 'mean': float(np.mean(vals)) if vals else None,
                              'n_directions': len(rows), 'n_found': len(vals)}
    allruns = [r for sp in out['species'].values() for d in sp['directions'] for r in d['runs']]
    out['mean_run_wall_s'] = float(np.mean([r['wall_s'] for r in allruns])) if allruns else None
    out['mean_run_cpu_s'] = float(np.mean([r['cpu_s'] for r in allruns if 'cpu_s' in r])) if allruns else None
    out['mean_run_force_calls'] = float(np.mean([r['force_calls'] for r in allruns])) if allruns else None
    out['new_runs_this_time'] = total_runs
    return out


# ---------------------------------------------------------------------------------------------------------------
# plots


def plots(res, refs, outdir, log):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    made = []

    st = res.get('strain')
    if st and 'biaxial' in st:
        fig, axs = plt.subplots(1, 2, figsize=(10, 4))
        for ax, mode in zip(axs, ('biaxial', 'uniaxial')):
            p = st[mode]
            s = np.array([x['s'] for x in p])
            e = np.array([x['energy_per_atom'] for x in p])
            e1 = e[np.argmin(abs(s - 1))]
            ax.plot(s, 1000 * (e - e1), '-', label='DP-Tab model')
            d = refs['strain'][mode]
            if d:
                sd = np.array([x['s'] for x in d])
                ed = np.array([x['energy'] / x['natoms'] for x in d])
                if np.any(abs(sd - 1) < 1e-9):
                    ax.plot(sd, 1000 * (ed - ed[np.argmin(abs(sd - 1))]), 'o', label='our DFT (GPAW)')
            ax.set_xlabel(f'{mode} strain factor')
            ax.set_ylabel('E/atom - E/atom(1.0) (meV)')
            ax.set_title(f'{mode} strain (relaxed atoms)')
            ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, 'strain.png'), dpi=110)
        plt.close(fig)
        made.append('strain.png')

    co = res.get('collapse')
    if co and 'factors' in co:
        fig, axs = plt.subplots(1, 2, figsize=(10, 4))
        for ax, mode in zip(axs, ('biaxial', 'uniaxial')):
            for kind, ls in (('relaxed', '-'), ('rigid', '--')):
                c = co[f'{mode}_{kind}']
                ax.plot(co['factors'], c['e_per_atom'], ls, label=f'{kind} ({"ok" if c["check"]["ok"] else "FAIL"})')
            ax.set_xlabel(f'{mode} strain factor')
            ax.set_ylabel('E/atom (eV)')
            ax.set_title(f'collapse check, {mode}')
            ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, 'collapse.png'), dpi=110)
        plt.close(fig)
        made.append('collapse.png')

    ph = res.get('phonons')
    if ph and 'model' in ph:
        fig, ax = plt.subplots(figsize=(6, 4.5))
        m = ph['model']
        w = np.array(m['freq_THz'])
        for k in range(w.shape[1]):
            ax.plot(m['x'], w[:, k], 'C0-', lw=1.2, label='model 3x3' if k == 0 else None)
        if 'model_6x6' in ph:
            w6 = np.array(ph['model_6x6']['freq_THz'])
            for k in range(w6.shape[1]):
                ax.plot(ph['model_6x6']['x'], w6[:, k], 'C2:', lw=1, label='model 6x6' if k == 0 else None)
        if ph.get('dft'):
            wd = np.array(ph['dft']['freq_THz'])
            xd = np.array(ph['dft']['x'])
            xd = xd * (m['x'][-1] / xd[-1])  # same path coordinate (the cells differ slightly in a0)
            for k in range(wd.shape[1]):
                ax.plot(xd, wd[:, k], 'k--', lw=1, label='our DFT 3x3' if k == 0 else None)
        for t in m['ticks']:
            ax.axvline(t, color='grey', lw=0.5)
        ax.set_xticks(m['ticks'])
        ax.set_xticklabels(m['labels'])
        ax.axhline(0, color='grey', lw=0.5)
        ax.set_ylabel('frequency (THz)')
        ax.set_xlim(m['x'][0], m['x'][-1])
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, 'phonons.png'), dpi=110)
        plt.close(fig)
        made.append('phonons.png')

    dm = res.get('dimers')
    if dm and 'pairs' in dm:
        tab = np.loadtxt(TABLE) if os.path.exists(TABLE) else None
        fig, axs = plt.subplots(1, 3, figsize=(13, 4))
        for k, (ax, name) in enumerate(zip(axs, ('Mo-Mo', 'Mo-S', 'S-S'))):
            p = dm['pairs'][name]
            ax.plot(p['r'], p['model'], '-', label='DP-Tab model')
            pts = [x for x in p['points'] if x['dft'] is not None]
            if pts:
                ax.plot([x['r'] for x in pts], [x['dft'] for x in pts], 'o', ms=4, label='our DFT dimers')
            if tab is not None:
                ax.plot(tab[:, 0], tab[:, 1 + k], 'k:', lw=1, label='pair table')
            ax.set_xlim(0.3, 5.0)
            lo = min(min(p['model']), min([x['dft'] for x in pts], default=0))
            hi = max(max(p['model']), max([x['dft'] for x in pts], default=0))
            ax.set_yscale('symlog', linthresh=1.0)
            ax.set_ylim(lo - 1, min(max(hi * 1.5, 10.0), 5000.0))
            ax.axhline(0, color='grey', lw=0.5)
            ax.set_xlabel('r (Å)')
            ax.set_ylabel('binding energy (eV, symlog)')
            ax.set_title(name)
            ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, 'dimers.png'), dpi=110)
        plt.close(fig)
        made.append('dimers.png')
    log(f'plots: {", ".join(made)}')
    return made


# ---------------------------------------------------------------------------------------------------------------
# REPORT.md


def model_info(d):
    """Provenance stored beside the v3 dict (top-level keys other than the DeePMD-kit ones)."""
    return {k: v for k, v in d.items() if k not in ('model', 'backend', 'software', 'version')}


def find_frames(info):
    for key in ('n_train', 'n_frames', 'nframes', 'training_frames'):
        for v in [info] + [x for x in info.values() if isinstance(x, dict)]:
            if isinstance(v, dict) and key in v:
                return v[key], key
    return None, None


def write_report(res, refs, args, meta, outdir, made, timings):
    ctx_threads = args.threads
    L = []
    a = L.append
    A0d, T0d, Dd = (refs['validation'].get('summary') or {}).get('a0'), (refs['validation'].get('summary') or {}).get('t0'), \
        (refs['validation'].get('summary') or {}).get('d_MoS')
    a('# Validation report: MoS2 DP-Tab model (issue 7)\n')
    a(f'Generated {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())} by `training/report.py`'
      f'{" --quick" if args.quick else ""}.\n')
    a('## Model\n')
    a('| | |\n|---|---|')
    a(f'| file | `{meta["path"]}` |')
    a(f'| sha256 | `{meta["sha"][:16]}` |')
    a(f'| size | {meta["size"] / 1e6:.1f} MB |')
    a(f'| descriptor | se_e2_a rcut {meta["cfg"]["rcut"]} Å, sel {meta["cfg"]["sel"]}, neuron {meta["cfg"]["neuron"]}, '
      f'axis {meta["cfg"]["axis_neuron"]}; fitting {meta["cfg"]["fitting_neuron"]}; table blend '
      f'{meta["cfg"]["sw_rmin"]}-{meta["cfg"]["sw_rmax"]} Å |')
    nfr, key = meta['frames']
    a(f'| training frames | {nfr if nfr is not None else "n/a (not in the model metadata)"}'
      f'{f" (`{key}`)" if key else ""} |')
    a(f'| created | {meta["info"].get("time", "n/a")} |')
    prov = {k: v for k, v in meta['info'].items() if k not in ('time', 'model_def_script')}
    if prov:
        a(f'| provenance | `{json.dumps(prov, default=str)[:600]}` |')
    a(f'| cost of one force call | CPU {fmt(meta.get("cost_3"), 1)} ms (3 atoms), {fmt(meta.get("cost_75"), 1)} ms (75 atoms); '
      f'wall {fmt(meta.get("cost_3_wall"), 1)} / {fmt(meta.get("cost_75_wall"), 1)} ms ({ctx_threads} torch thread(s), '
      f'wall depends on the load of the machine) |')
    a('')
    a('"our DFT" = THE setting of `factory/dft.py` (GPAW PW 400 eV, PBE, k-spacing 0.30 1/Å): `results/validation/` '
      '(validate.py) and `results/reference/` (reference.py); "paper DFT" = the values quoted in '
      '`shared/physics/PHYSICS.md` (n/a where it has none).\n')

    # acceptance
    a('## Acceptance checks (issue 7)\n')
    a('| check | model | our DFT | criterion | result |\n|---|---|---|---|---|')
    checks = []
    lat = res.get('lattice') or {}
    if lat.get('a0') is not None and A0d:
        r = abs(rel(lat['a0'], A0d))
        checks.append(('lattice constant a0', f'{lat["a0"]:.4f} Å', f'{A0d:.4f} Å', '|Δ| ≤ 0.5 %', f'{100 * r:.2f} %', r <= 0.005))
    else:
        checks.append(('lattice constant a0', fmt(lat.get('a0'), 4), fmt(A0d, 4), '|Δ| ≤ 0.5 %', 'pending', None))
    el = res.get('elastic') or {}
    el_d = res.get('_elastic_dft')
    if el.get('C11') is not None and el_d:
        r = abs(rel(el['C11'], el_d['C11']))
        checks.append(('C11 (relaxed-ion)', f'{el["C11"]:.1f} N/m', f'{el_d["C11"]:.1f} N/m', '|Δ| ≤ 5 %', f'{100 * r:.1f} %', r <= 0.05))
    else:
        checks.append(('C11 (relaxed-ion)', fmt(el.get('C11'), 1), 'pending (reference.py elastic)', '|Δ| ≤ 5 %', 'pending', None))
    de = (res.get('defects') or {}).get('defects', {})
    dd = res.get('_defects_dft', {})
    for kind, tol in (('V_S', 0.3), ('V_Mo', 1.0)):
        m = de.get(kind, {}).get('E_f')
        d = dd.get(kind)
        if m is not None and d is not None:
            checks.append((f'E_f({kind}) (3x3, μ of spin-polarised atoms)', f'{m:.3f} eV', f'{d:.3f} eV', f'|Δ| ≤ {tol} eV',
                           f'{m - d:+.3f} eV', abs(m - d) <= tol))
        else:
            checks.append((f'E_f({kind}) (3x3, μ of spin-polarised atoms)', fmt(m), 'pending' if d is None else fmt(d),
                           f'|Δ| ≤ {tol} eV', 'pending', None))
    rm = res.get('rmse') or {}
    ne = (rm.get('by_category') or {}).get('near_equilibrium')
    if ne and rm.get('held_out'):
        okr = ne['rmse_e_atom'] <= 0.003 and ne['rmse_f'] <= 0.15
        checks.append(('held-out RMSE, near-equilibrium', f'{1000 * ne["rmse_e_atom"]:.2f} meV/atom, {ne["rmse_f"]:.3f} eV/Å '
                       f'(n={ne["n"]})', '-', '≤ 3 meV/atom and ≤ 0.15 eV/Å', 'ok' if okr else 'exceeds', okr))
    elif ne:
        checks.append(('held-out RMSE, near-equilibrium', f'training-set only: {1000 * ne["rmse_e_atom"]:.2f} meV/atom, '
                       f'{ne["rmse_f"]:.3f} eV/Å', '-', '≤ 3 meV/atom and ≤ 0.15 eV/Å',
                       'n/a: no held-out metrics (<model>.metrics.json missing)', None))
    else:
        checks.append(('held-out RMSE, near-equilibrium', 'n/a', '-', '≤ 3 meV/atom and ≤ 0.15 eV/Å', 'pending', None))
    co, dm = res.get('collapse') or {}, res.get('dimers') or {}
    verdicts = probe_verdicts(co, refs['probes']) if 'ok' in co else {}
    if 'ok' in co and 'ok' in dm:
        strain_ok = collapse_ok(co, verdicts)
        physical = [x for v in verdicts.values() for x, d in v.items() if d['physical']]
        checks.append(('no collapse: strain 0.5-1.5 and dimers', 'see below', '-',
                       'monotonic away from the minimum, or a drop that DFT shows too',
                       ('ok' if co['ok'] else f'drops at {", ".join(f"{x:.3f}" for x in physical)} shown by DFT too')
                       if strain_ok and dm['ok'] else 'COLLAPSE/non-monotonic', strain_ok and dm['ok']))
    else:
        checks.append(('no collapse: strain 0.5-1.5 and dimers', 'n/a', '-', 'monotonic away from the minimum', 'pending', None))
    for c in checks:
        verdict = 'PASS' if c[5] is True else ('FAIL' if c[5] is False else 'pending')
        a(f'| {c[0]} | {c[1]} | {c[2]} | {c[3]} | {c[4]} → **{verdict}** |')
    a('')

    # 1 lattice
    a('## 1. Monolayer geometry\n')
    if 'error' in lat:
        a(f'failed: {lat["error"]}\n')
    elif lat:
        a('3-atom cell, E(a) minimised (bounded Brent, |Δa| < 1e-5 Å) with the S heights relaxed (BFGS, fmax 1e-4 eV/Å).\n')
        a('| quantity | model | our DFT | paper DFT |\n|---|---|---|---|')
        for k, name in (('a0', 'a0 (Å)'), ('t0', 'd(S-S) vertical (Å)'), ('d_MoS', 'd(Mo-S) (Å)')):
            dv = {'a0': A0d, 't0': T0d, 'd_MoS': Dd}[k]
            pv = PAPER[k][0]
            a(f'| {name} | {lat[k]:.4f} | {fmt(dv, 4) if dv else "pending (validate.py)"} | {pv} |')
        if lat.get('at_bound'):
            a('\n**Warning:** the minimum lies at the edge of the search range (±15 %).')
        a(f'\nE/atom at a0: {lat["energy_per_atom"]:.4f} eV.\n')

    # 2 energy-strain
    st = res.get('strain') or {}
    a('## 2. Energy-strain curves (paper Fig. 3)\n')
    if 'error' in st:
        a(f'failed: {st["error"]}\n')
    elif st:
        a(f'3-atom cell, strain factor s times a0 = {st["a0"]:.4f} Å ({st["a0_from"]}); biaxial: diag(s, s, 1), uniaxial: '
          f'diag(s, 1, 1); atoms relaxed at fixed cell (fmax 1e-3 eV/Å model, reference.py: 0.01 eV/Å). '
          'Energies are total energies per atom on the DFT scale (the model is trained on them); Δ = model − DFT.\n')
        if 'strain.png' in made:
            a('![strain](strain.png)\n')
        for mode in ('biaxial', 'uniaxial'):
            d = {round(x['s'], 4): x for x in refs['strain'][mode]}
            m = {round(x['s'], 4): x for x in st[mode]}
            a(f'**{mode}** ({len(d)} DFT points{"; pending: reference.py has not computed them yet" if not d else ""})\n')
            a('| s | model E/atom (eV) | our DFT E/atom (eV) | Δ (meV/atom) | Δ of E−E(1.0) (meV/atom) | model t (Å) | DFT t (Å) |')
            a('|---|---|---|---|---|---|---|')
            from trainer.properties import STRAIN_FACTORS
            m1 = m.get(1.0, {}).get('energy_per_atom')
            d1 = d[1.0]['energy'] / d[1.0]['natoms'] if 1.0 in d else None
            for s in STRAIN_FACTORS:
                mm = m.get(round(s, 4))
                dx = d.get(round(s, 4))
                em = mm['energy_per_atom'] if mm else None
                edf = dx['energy'] / dx['natoms'] if dx else None
                diff = 1000 * (em - edf) if em is not None and edf is not None else None
                drel = 1000 * ((em - m1) - (edf - d1)) if diff is not None and m1 is not None and d1 is not None else None
                a(f'| {s:.2f} | {fmt(em, 4)} | {fmt(edf, 4) if dx else "pending"} | {fmt(diff, 1)} | {fmt(drel, 1)} | '
                  f'{fmt(mm["t"] if mm else None, 3)} | {fmt(dx["t"] if dx else None, 3)} |')
            a('')
    # 3 collapse
    co = res.get('collapse') or {}
    a('## 3. Collapse check, strain factor 0.5-1.5\n')
    if 'error' in co:
        a(f'failed: {co["error"]}\n')
    elif co:
        a(f'Model only, 3-atom cell at the model a0 = {co["a0"]:.4f} Å, factors {co["factors"][0]}-{co["factors"][-1]} '
          f'step {co["factors"][1] - co["factors"][0]:.3f}; "relaxed": atoms relaxed at each factor (warm start from the '
          f'neighbouring factor), "rigid": thickness kept at t0. Criterion: {co["criterion"]}.\n')
        if 'collapse.png' in made:
            a('![collapse](collapse.png)\n')
        a('| curve | minimum at | E/atom at min (eV) | non-monotonic at | DFT at the drop | result |\n|---|---|---|---|---|---|')
        for mode in ('biaxial', 'uniaxial'):
            for kind in ('relaxed', 'rigid'):
                c = co[f'{mode}_{kind}']['check']
                dft = []
                for x in c['violations']:
                    v = verdicts.get(f'{mode}_{kind}', {}).get(x)
                    if v is None or v['physical'] is None:
                        dft.append(f'{x:.3f}: no DFT (rigid curve or reference.py probes pending)')
                    else:
                        dft.append(f'{x:.3f}: {1000 * (v["dft_e"] - v["dft_e_neighbour"]):+.0f} meV/atom vs {v["neighbour"]:.3f}'
                                   f' ({"drops too: physical" if v["physical"] else "rises: the model is wrong"})')
                a(f'| {mode}, {kind} | {c["x_min"]:.3f} | {c["y_min"]:.4f} | {", ".join(f"{x:.3f}" for x in c["violations"]) or "-"} | '
                  f'{"; ".join(dft) or "-"} | {"ok" if c["ok"] else "**FLAG**"} |')
        probed = '; '.join(f'{m} {s:g}' for m, s in sorted(refs['probes'])) or 'none computed yet'
        a(f'\nDFT at a drop: reference.py\'s probes (the 3-atom cell at {probed}, relaxed from a thin (t0) and a thick '
          '(1.7 t0) start; the lower of the two) at the flagged factor and at its neighbour towards the minimum. A drop '
          'that DFT shows too is a physical branch switch of the compressed layer (it thickens), not a collapse of the '
          'model.\n')
    # 4 elastic
    el = res.get('elastic') or {}
    a('## 4. Elastic constants (2D, relaxed-ion)\n')
    if 'error' in el:
        a(f'failed: {el["error"]}\n')
    elif el:
        a('Method: the 3-atom cell at its own a0 (model: relaxed to fmax 1e-5 eV/Å; DFT: reference.py at the validate.py '
          'a0) strained uniaxially, ε_xx = ±0.5 %, ±1 % and 0, all atoms relaxed at each strain; 2D stress = stress × c. '
          'C11 = dσ_xx/dε_xx, C12 = dσ_yy/dε_xx (least-squares slopes), Y = (C11² − C12²)/C11, ν = C12/C11; '
          'cross-check C11(E) = 2 × quadratic coefficient of E(ε)/A0.\n')
        ed_ = res.get('_elastic_dft')
        a('| quantity | model | our DFT | paper DFT |\n|---|---|---|---|')
        for k, name, nd in (('C11', 'C11 (N/m)', 1), ('C12', 'C12 (N/m)', 1), ('Y', 'Young modulus Y (N/m)', 1),
                            ('nu', 'Poisson ratio ν', 3), ('C11_energy', 'C11 from E(ε) (N/m)', 1)):
            a(f'| {name} | {el[k]:.{nd}f} | {fmt(ed_[k], nd) if ed_ else "pending (reference.py elastic)"} | n/a |')
        if 'clamped_ion' in el:
            ci = el['clamped_ion']
            a(f'\nModel clamped-ion (no relaxation, for comparison): C11 {ci["C11"]:.1f}, C12 {ci["C12"]:.1f} N/m, '
              f'Y {ci["Y"]:.1f} N/m, ν {ci["nu"]:.3f}.')
        if ed_ and ed_.get('note'):
            a(f'\nDFT: {ed_["note"]}')
        a('')
    # 5 phonons
    ph = res.get('phonons') or {}
    a('## 5. Phonon dispersion Γ-M-K-Γ\n')
    if 'error' in ph:
        a(f'failed: {ph["error"]}\n')
    elif ph:
        a(f'Method: {ph["method"]}; model at its own a0, DFT (reference.py) at the validate.py a0. Frequencies in THz '
          '(1 THz = 33.36 cm⁻¹); imaginary modes are shown as negative numbers.\n')
        if ph.get('dft_note'):
            a(f'DFT: {ph["dft_note"]}\n')
        if 'phonons.png' in made:
            a('![phonons](phonons.png)\n')
        m = np.array(ph['model']['freq_THz'])
        x = np.array(ph['model']['x'])
        idx = [int(np.argmin(abs(x - t))) for t in ph['model']['ticks'][:3]]
        wd = np.array(ph['dft']['freq_THz']) if ph.get('dft') else None
        a('| point | model (THz) | our DFT (THz) |\n|---|---|---|')
        for lab, i in zip(('Γ', 'M', 'K'), idx):
            a(f'| {lab} | {", ".join(f"{v:.2f}" for v in m[i])} | '
              f'{", ".join(f"{v:.2f}" for v in wd[i]) if wd is not None else "pending"} |')
        a(f'\nLowest model frequency on the path: {m.min():.3f} THz'
          f'{" (imaginary modes present)" if m.min() < -0.05 else ""}.')
        if wd is not None:
            a(f' Largest |model − DFT| on the path: {np.abs(m - wd).max():.2f} THz (same path sampling).')
        a('')
    # 6 defects
    df = res.get('defects') or {}
    a('## 6. Point-defect formation energies (3x3 supercell)\n')
    if 'error' in df:
        a(f'failed: {df["error"]}\n')
    elif df:
        from trainer.properties import DEFECTS, FORMATION_FORMULA
        a(f'{FORMATION_FORMULA}. Model: pristine 3x3 at its own a0 = {df["a0"]:.4f} Å, defect cells relaxed at fixed cell '
          f'(BFGS), μ = the model\'s own isolated atoms (μ_Mo = {df["mu"]["Mo"]:.4f}, μ_S = {df["mu"]["S"]:.4f} eV). '
          'Our DFT: validate.py (V_S) and reference.py (others) at the DFT a0, relaxed to 0.03 eV/Å, μ = spin-polarised '
          'GPAW atoms. Neutral defects only.\n')
        shift = res.get('_spin_shift', {})
        mud = res.get('_mu_dft', {})
        a(f'Two conventions for μ: (A) spin-polarised isolated atoms (the factory\'s atoms, which the model is trained on; '
          f'model μ vs DFT: Mo {fmt(df["mu"]["Mo"] - mud["Mo"] if mud.get("Mo") is not None else None, 3)} eV, '
          f'S {fmt(df["mu"]["S"] - mud["S"] if mud.get("S") is not None else None, 3)} eV); (B) spin-paired atoms, '
          'the convention in which our DFT reproduces the paper\'s 6.7 eV for V_S (validate.py). The model\'s (B) '
          'value is its (A) value plus n_X times the DFT spin-polarisation energies of the atoms '
          f'(E_paired − E_polarised: Mo {fmt(shift.get("Mo"), 3)}, S {fmt(shift.get("S"), 3)} eV), so Δ is the same '
          'in both; the acceptance check uses (A).\n')
        a('| defect | structure | model E_f (A) | our DFT E_f (A) | Δ (eV) | model E_f (B) | our DFT E_f (B) | paper DFT (B) |')
        a('|---|---|---|---|---|---|---|---|')
        for kind in DEFECTS:
            r = df['defects'].get(kind, {})
            m = r.get('E_f')
            d = res.get('_defects_dft', {}).get(kind)
            dpair = res.get('_defects_dft_paired', {}).get(kind)
            delta = DEFECTS[kind][0]
            mB = None
            if m is not None and all(x in shift for x in delta):
                mB = m + sum(n * shift[x] for x, n in delta.items())
            p = PAPER.get(f'Ef_{kind}')
            mtxt = fmt(m)
            if m is not None and not r.get('converged', True):
                mtxt = f'{m:.3f} (relaxation not converged: fmax {r["fmax"]:.3f} eV/Å)'
            a(f'| {kind} | {DEFECTS[kind][1]} | {mtxt} | {fmt(d) if d is not None else "pending (reference.py)"} | '
              f'{fmt(m - d if m is not None and d is not None else None, 3)} | {fmt(mB)} | '
              f'{fmt(dpair) if dpair is not None else "pending"} | {p[0] if p else "n/a"} |')
        a('')
    # 7 dimers
    dm = res.get('dimers') or {}
    a('## 7. Dimer curves (paper Fig. 2)\n')
    if 'error' in dm:
        a(f'failed: {dm["error"]}\n')
    elif dm:
        a('Binding energy E(dimer) − E(atom A) − E(atom B): model (in the labeller\'s 10 × 10.5 × 11 Å box and dimer '
          'orientation, its own isolated atoms), labelled DFT dimers (`data/dimer`, atoms from `data/atom`), and the pair '
          f'table `models/mos2-pairtable.txt`. {dm["criterion"]}.\n')
        if 'dimers.png' in made:
            a('![dimers](dimers.png)\n')
        a('| pair | model minimum r (Å), E (eV) | DFT minimum (of the points) | RMSE r ≥ 1.5 Å (eV) | DFT points | '
          'short-side monotonic | result |\n|---|---|---|---|---|---|---|')
        for name, p in dm['pairs'].items():
            dmn = p['dft_min']
            dmin = f'{dmn["r"]:.2f}, {dmn["E"]:.3f}' if dmn else 'n/a'
            a(f'| {name} | {p["model_min"]["r"]:.2f}, {p["model_min"]["E"]:.3f} | '
              f'{dmin} | {fmt(p["rmse_r_ge_1.5"])} | {p["n_dft"]} | '
              f'{"yes" if not p["left_violations"] else "no: " + ", ".join(f"{x:.2f}" for x in p["left_violations"][:5])} | '
              f'{"ok" if p["ok"] else "**COLLAPSE**"} |')
        a('')
        a('Model minus DFT at the labelled points (eV):\n')
        a('| pair | r (Å): Δ |\n|---|---|')
        for name, p in dm['pairs'].items():
            a(f'| {name} | ' + ', '.join(f'{x["r"]:.2f}: {x["model"] - x["dft"]:+.2f}' for x in p['points'] if x['dft'] is not None) + ' |')
        a('')
    # 8 rmse
    rm = res.get('rmse') or {}
    a('## 8. RMSE by category\n')
    if 'error' in rm:
        a(f'failed: {rm["error"]}\n')
    elif rm:
        a(f'Source: {rm["source"]}.{" Split: `" + json.dumps(rm.get("split")) + "`." if rm.get("split") else ""}'
          f'{" Near-equilibrium rule: " + rm["near_equilibrium_rule"] + "." if rm.get("near_equilibrium_rule") else ""}\n')
        a('| category | frames | E (meV/atom) | F (eV/Å) | virial (meV/atom) |\n|---|---|---|---|---|')
        bc = rm.get('by_category') or {}
        for g in sorted(bc, key=lambda g: (g not in ('all', 'near_equilibrium'), g)):
            r = bc[g]
            v = r.get('rmse_v_atom')
            a(f'| {g} | {r["n"]} | {1000 * r["rmse_e_atom"]:.2f} | {r["rmse_f"]:.3f} | {fmt(1000 * v if v is not None else None, 2)} |')
        a('')
    # 9 Ed
    ed = res.get('ed') or {}
    a('## 9. Displacement thresholds E_d\n')
    if 'error' in ed:
        a(f'failed: {ed["error"]}\n')
    elif ed.get('skipped'):
        a(f'not computed in this run ({ed["skipped"]}).\n')
    elif ed:
        c = ed['config']
        a(f'MD with the model: {ed["cell"]}; 0 K; one PKA (the atom nearest the cell centre; S in the top layer) given E '
          f'along (θ from the outward normal +z, φ from +x). NVE velocity Verlet with the adaptive step of LAMMPS '
          f'fix dt/reset (≤ {c["xmax"]} Å per step, {c["dt_min_fs"]}-{c["dt_max_fs"]} fs), velocities of atoms farther '
          f'than {c["damp_radius"]} Å (in-plane) from the PKA site damped with τ = {c["tau_damp_fs"]} fs. '
          f'**Criterion (protocol v{ed.get("protocol", 1)}):** displaced = the PKA escapes, or '
          + ('in the settled state, quenched, the PKA is off its own site and the lattice holds a defect: a site with no '
             f'atom within {c["site_radius"]} Å, or a replacement chain closed round the periodic sheet (a PKA that '
             'stays on its site while it knocks a neighbour out is not displaced). '
             if ed.get('protocol', 1) >= 2 else
             f'its site is left empty (no atom within {c["site_radius"]} Å) in the settled state. ')
          + f'The run stops when the PKA escapes (out of contact, no atom within '
          f'{c["contact_dist"]} Å, moving away from its nearest atom, and unbound: its kinetic energy plus its '
          f'interaction energy E(all) − E(all without it) − E(isolated atom) > 0; or beyond the cut-off '
          f'{c["free_dist"]} Å and moving away), or after '
          f'{c["t_min_fs"]} fs once every bound atom has < {c["ke_settle"]} eV kinetic energy, or at {c["t_max_fs"]} fs; '
          f'then a FIRE quench (fmax {c["quench_fmax"]} eV/Å) before the verdict. E_d per direction by bisection '
          f'(tolerance {ed["tolerance_eV"]["S"]} eV for S, {ed["tolerance_eV"]["Mo"]} eV for Mo), reported as the '
          f'bracket midpoint; the mean is the plain average over the directions listed. Cost: {1000 * ed["force_call_s"]:.0f} '
          f'ms CPU per force call on this cell; per MD run on average {fmt(ed.get("mean_run_force_calls"), 0)} force '
          f'calls, {fmt(ed.get("mean_run_cpu_s"), 1)} s CPU, {fmt(ed.get("mean_run_wall_s"), 1)} s wall.\n')
        a('| species | θ (°) | φ (°) | E_d (eV) | bracket (eV) | runs | monotonic | max energy error of a run (eV) |')
        a('|---|---|---|---|---|---|---|---|')
        for sp, s in ed['species'].items():
            for d in s['directions']:
                err = max([abs(r.get('energy_error', 0.0)) for r in d['runs']], default=None)
                a(f'| {sp} | {d["theta"]} | {d["phi"]} | {fmt(d["Ed"], 2) if d["Ed"] is not None else d.get("note")} | '
                  f'{fmt(d["lo"], 2)}-{fmt(d["hi"], 2)} | {len(d["runs"])} | {d["monotonic"]} | {fmt(err, 4)} |')
        a('')
        a('| quantity | model | our DFT | paper DFT |\n|---|---|---|---|')
        for sp in ('S', 'Mo'):
            s = ed['species'].get(sp)
            if not s:
                continue
            p = PAPER[f'Ed_{sp}']
            first = s['directions'][0]
            a(f'| E_d({sp}), mean of {s["n_found"]}/{s["n_directions"]} directions | {fmt(s["mean"], 2)} eV | n/a (not computed) | '
              f'{p[0]} eV ({p[1]}) |')
            a(f'| E_d({sp}), θ = {first["theta"]}° ({"outward normal, the sputtering direction" if sp == "S" else "along +z"}) | '
              f'{fmt(first["Ed"], 2)} eV | n/a | {p[0]} eV |')
        a('')
    a('## Timings\n')
    a('| piece | wall (s) | from cache |\n|---|---|---|')
    for k, (t, cached) in timings.items():
        a(f'| {k} | {t:.1f} | {"yes" if cached else "no"} |')
    a('')
    with open(os.path.join(outdir, 'REPORT.md'), 'w') as f:
        f.write('\n'.join(L) + '\n')


# ---------------------------------------------------------------------------------------------------------------


def dft_derived(refs):
    """Reference numbers derived from the DFT checkpoints: elastic fit, defect E_f (V_S from validate.py), phonons."""
    from trainer import properties as P
    out = {}
    if len(refs['elastic']) >= 3:
        fit = P.elastic_fit(refs['elastic'])
        n = len(refs['elastic'])
        fit['note'] = f'{n} of {len(P.ELASTIC_STRAINS)} strain points' + ('' if n == len(P.ELASTIC_STRAINS) else ' (partial fit)')
        out['_elastic_dft'] = fit
    # isolated atoms: spin-polarised (the factory's atoms, the model's zero) and spin-paired (the paper's convention)
    val_ = refs['validation']
    mu = {'Mo': (refs['atoms'].get('Mo') or {}).get('energy'),
          'S': (refs['atoms'].get('S') or val_.get('S_atom') or {}).get('energy')}
    mu_p = {'Mo': (refs['atoms'].get('Mo_paired') or {}).get('energy'),
            'S': (refs['atoms'].get('S_paired') or val_.get('S_atom_paired') or {}).get('energy')}
    out['_spin_shift'] = {el: mu_p[el] - mu[el] for el in mu if mu[el] is not None and mu_p[el] is not None}
    out['_mu_dft'] = mu
    dd, dp = {}, {}
    vs = val_.get('vacancy_3x3_relaxed') or val_.get('vacancy_3x3')
    if vs:
        dd['V_S'] = vs['E_f']
        if mu_p['S'] is not None:
            dp['V_S'] = vs['E_vac'] + mu_p['S'] - vs['E_pristine']
    for k, v in refs['defects'].items():
        if v.get('E_f') is not None:
            dd[k] = v['E_f']
            if None not in mu_p.values():
                dp[k] = P.formation_energy(k, v['E_defect'], v['E_pristine'], mu_p)
    out['_defects_dft_paired'] = dp
    out['_defects_dft'] = dd
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', required=True, help='exported model (.yaml or .json)')
    p.add_argument('--out', default=os.path.join(HERE, 'report'))
    p.add_argument('--quick', action='store_true', help='fewer points, one PKA direction per species, coarse E_d')
    p.add_argument('--only', default='', help=f'comma list of pieces ({",".join(PIECES)})')
    p.add_argument('--skip', default='', help='comma list of pieces to leave out')
    p.add_argument('--recompute', default='', help='comma list of pieces whose cache entries are dropped first')
    p.add_argument('--ed-cell', type=int, default=5, help='n of the n x n sheet for the PKA runs (default 5: 75 atoms)')
    p.add_argument('--threads', type=int, default=1, help='torch threads (default 1)')
    p.add_argument('--max-steps', type=int, default=None, help='cap on every relaxation (tests; unconverged results '
                   'are flagged)')
    args = p.parse_args(argv)
    import torch
    torch.set_num_threads(args.threads)
    from trainer import export
    from trainer.calculator import DPCalculator
    from trainer.export import file_sha256, read_model_dict
    from trainer import properties as P

    os.makedirs(args.out, exist_ok=True)
    t0 = time.time()

    def log(msg):
        print(f'[{time.time() - t0:7.1f} s] {msg}', flush=True)

    sha = file_sha256(args.model)
    log(f'model {args.model} sha256 {sha[:16]}; loading')
    d = read_model_dict(args.model)
    model = export.dict_to_model(d)
    calc = DPCalculator(model)
    info = model_info(d)
    del d
    cache = Cache(os.path.join(args.out, 'cache.json'), sha)
    for piece in filter(None, args.recompute.split(',')):
        cache.drop(piece)
        if piece == 'ed':
            cache.drop('edrun')
    refs = dft_refs()
    ctx = Ctx(calc, args, refs, log)
    # cost of a force call
    meta = {'path': os.path.relpath(os.path.abspath(args.model), ROOT), 'sha': sha, 'size': os.path.getsize(args.model),
            'cfg': model.cfg.__dict__, 'info': info, 'frames': find_frames(info)}
    for n, key in ((1, 'cost_3'), (5, 'cost_75')):
        at = P.S.monolayer_hex(n)
        at.calc = calc
        at.get_forces()
        t, c = time.time(), time.process_time()
        for k in range(5):
            at.positions[0, 0] += 1e-4
            at.get_forces()
        meta[key] = 1000 * (time.process_time() - c) / 5
        meta[key + '_wall'] = 1000 * (time.time() - t) / 5
    log(f'force call: {meta["cost_3"]:.1f} ms CPU (3 atoms), {meta["cost_75"]:.1f} ms CPU (75 atoms)')

    only = [x for x in args.only.split(',') if x]
    skip = set(x for x in args.skip.split(',') if x)
    todo = [x for x in PIECES if (not only or x in only) and x not in skip]
    for x in only + list(skip):
        if x not in PIECES:
            p.error(f'unknown piece {x}')
    fns = {'lattice': piece_lattice, 'strain': piece_strain, 'collapse': piece_collapse, 'elastic': piece_elastic,
           'phonons': piece_phonons, 'defects': piece_defects, 'dimers': piece_dimers, 'rmse': piece_rmse}
    timings = {}
    needs_lattice = set(todo) & {'collapse', 'elastic', 'phonons', 'defects', 'ed'}
    if needs_lattice and 'lattice' not in todo:
        todo = ['lattice'] + todo
    mode = 'quick' if args.quick else 'full'
    for piece in todo:
        key = f'{piece}|{mode}|v{CODE_VERSION}' + (f'|steps{args.max_steps}' if args.max_steps else '')
        if piece == 'rmse':
            key += f'|{len(glob.glob(os.path.join(DATA, "**", "energy.npy"), recursive=True))}'
        t = time.time()
        cached = cache.get(key)
        if cached is not None:
            ctx.results[piece] = cached
            timings[piece] = (time.time() - t, True)
            log(f'{piece}: from cache')
            continue
        log(f'{piece} ...')
        try:
            r = piece_ed(ctx, cache) if piece == 'ed' else fns[piece](ctx)
            cache.put(key, r)
        except Exception as e:  # a failed piece is reported, the others go on
            traceback.print_exc()
            r = {'error': f'{type(e).__name__}: {e}'}
        ctx.results[piece] = r
        timings[piece] = (time.time() - t, False)
        log(f'{piece}: done in {time.time() - t:.1f} s')
    if 'ed' not in todo:
        ctx.results['ed'] = {'skipped': 'left out with --skip/--only'}
    # DFT-derived numbers and the DFT phonon bands
    res = ctx.results
    res.update(dft_derived(refs))
    if 'phonons' in res and 'error' not in res['phonons']:
        try:
            dft, note = _phonon_dft(ctx)
            if dft is not None:
                w, xs, ticks, labels, a0 = dft
                res['phonons']['dft'] = {'freq_THz': w.tolist(), 'x': xs.tolist(), 'a0': a0}
                if len(w) != len(res['phonons']['model']['freq_THz']):
                    res['phonons']['dft'] = None
                    note = 'DFT path sampled differently (quick vs full); rerun'
            res['phonons']['dft_note'] = note
        except Exception as e:
            res['phonons']['dft_note'] = f'failed: {type(e).__name__}: {e}'
    made = plots(res, refs, args.out, log)
    write_report(res, refs, args, meta, args.out, made, timings)
    log(f'wrote {os.path.join(args.out, "REPORT.md")}')
    return res


if __name__ == '__main__':
    main()
