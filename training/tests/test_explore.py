"""Active-learning exploration (trainer/explore.py, explore.py): the deviation measure, the trust-level selection,
an MD run with a tiny ensemble, and the configurations it writes reaching the labeller's queue in their source's
spin group."""
import numpy as np
import pytest

from conftest import tiny_model
from trainer import explore as X


def test_force_deviation_by_hand():
    # two models, two atoms: atom 0 agrees, atom 1 differs by (2, 0, 0) -> each model 1 eV/A from the mean
    f = np.zeros((2, 2, 3))
    f[0, 1, 0], f[1, 1, 0] = 1.0, -1.0
    assert np.allclose(X.force_deviation(f), [0.0, 1.0])
    # four models spread along z by +-0.3 and +-0.1 -> sqrt((0.09 + 0.01 + 0.01 + 0.09) / 4)
    g = np.zeros((4, 1, 3))
    g[:, 0, 2] = [0.3, -0.3, 0.1, -0.1]
    assert X.max_force_deviation(g) == pytest.approx(np.sqrt(0.05))
    # a common offset of every model is not a deviation
    assert X.max_force_deviation(f + 5.0) == pytest.approx(1.0)


def test_select_trust_window_gap_and_cap():
    cfg = X.ExploreConfig(lo=0.3, hi=1.0, per_run=3, min_gap=100)
    devi = {100: 0.1, 200: 0.5, 250: 0.6, 300: 0.4, 400: 1.2, 500: 0.35, 600: 0.99, 700: 0.29}
    samples = [{'step': s, 'devi': d} for s, d in devi.items()]
    for seed in range(20):
        picked = X.select(samples, cfg, seed)
        steps = [p['step'] for p in picked]
        assert len(picked) == 3
        assert all(0.3 <= p['devi'] < 1.0 for p in picked)      # 100, 400 and 700 are outside the window
        assert all(b - a >= 100 for a, b in zip(steps, steps[1:]))
    s = X.summary(samples, cfg)
    assert (s['accurate'], s['candidate'], s['failed']) == (2 / 8, 5 / 8, 1 / 8)


def test_md_run_with_a_tiny_ensemble_and_the_queue(tmp_path, monkeypatch):
    from ase.build import mx2
    from trainer.calculator import DPCalculator
    import explore
    from factory import label
    from factory.spin import group_of, needs_check
    at = mx2('MoS2', a=3.19, thickness=3.13, vacuum=6.0).repeat((2, 2, 1))
    at.info.update(id='interstitial-0001', category='interstitial', calc_kind='condensed',
                   note='interstitial Mo dmin>=2.0 cell=2', cost=1.0)
    calcs = [DPCalculator(tiny_model(seed=s)) for s in (3, 4)]
    cfg = X.ExploreConfig(steps=60, every=10, skip=20, lo=0.0, hi=1e9, per_run=2, min_gap=20, dmin=0.5)
    path = str(tmp_path / 'run.json')
    rec = explore.run_one(path, 'interstitial-0001', at, 300.0, calcs, cfg, seed=7)
    assert rec['n'] == 5 and rec['candidate'] == 1.0 and len(rec['picked']) == 2
    # a sampled frame's deviation is the ensemble's on that geometry
    a = at.copy()
    a.positions = np.array(rec['picked'][0]['positions'])
    assert rec['picked'][0]['devi'] == pytest.approx(X.max_force_deviation(X.ensemble_forces(calcs, a)))
    assert explore.run_one(path, 'interstitial-0001', at, 300.0, None, cfg, seed=7) == rec   # saved: not rerun
    confs = explore.assemble([(at, 300.0, rec)], it=3, max_total=1)
    assert len(confs) == 1 and confs[0].info['id'] == 'interstitial-al03-0000'
    assert group_of(confs[0]) == 'interstitial|interstitial Mo' and needs_check(confs[0])
    # written where the labeller reads them, they lead the queue
    from ase.io import write
    (tmp_path / 'explore').mkdir()
    write(str(tmp_path / 'explore' / 'iter03.extxyz'), confs, format='extxyz')
    write(str(tmp_path / 'interstitial.extxyz'), [at], format='extxyz')
    monkeypatch.setattr(label, 'CONF_DIR', str(tmp_path))
    configs = label.load_configs()
    assert set(configs) == {'interstitial-0001', 'interstitial-al03-0000'}
    assert label.queue_order(configs)[0] == 'interstitial-al03-0000'


def test_a_written_iteration_is_not_written_again():
    """The sources follow the data, which grow as frames are labelled: rewriting a written iteration could renumber
    labelled ids, so explore.py refuses and names the next iteration; --status still reports it."""
    import subprocess
    import sys
    from conftest import TRAIN
    r = subprocess.run([sys.executable, 'explore.py', '--iter', '1'], cwd=TRAIN, capture_output=True, text=True)
    assert r.returncode != 0 and 'iteration 1 is written already' in r.stderr and '--iter 2' in r.stderr
    r = subprocess.run([sys.executable, 'explore.py', '--iter', '1', '--status'], cwd=TRAIN, capture_output=True,
                       text=True)
    assert r.returncode == 0 and 'iteration 1 written: 56 configurations' in r.stdout
