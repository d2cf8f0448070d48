"""ensemble.py's install: every seed ranked on the current held-out frames, from its run in work/ or, on a fresh
checkout, from the files installed earlier in models/; the winner becomes the default (.yaml + .json)."""
import json
import os

import pytest

from conftest import TRAIN, tiny_model

torch = pytest.importorskip('torch')


@pytest.fixture
def ens(tmp_path, monkeypatch):
    import ensemble
    monkeypatch.setattr(ensemble, 'WORK', str(tmp_path / 'work'))
    monkeypatch.setattr(ensemble, 'MODELS', str(tmp_path / 'models'))
    os.makedirs(ensemble.WORK)
    os.makedirs(ensemble.MODELS)
    return ensemble


def write_model(path_base: str, seed: int, yaml: bool):
    from trainer import export
    m = tiny_model(seed=seed)
    export.save(m, path_base + '.json', extra={'dptab_training': {'seed': seed}})
    if yaml:
        export.save(m, path_base + '.yaml', extra={'dptab_training': {'seed': seed}})


def test_held_out_metrics_of_an_exported_model(ens, tmp_path):
    write_model(str(tmp_path / 'm'), 3, yaml=False)
    r = ens.held_out_metrics(str(tmp_path / 'm.json'), os.path.join(TRAIN, 'data'))
    assert r['split']['n_held_out_now'] == r['by_category']['all']['n'] > 0
    assert r['split']['n_frames_now'] == r['by_category']['all']['n'] + r['train_by_category']['all']['n']
    assert all(v['rmse_e_atom'] >= 0 and v['rmse_f'] > 0 for v in r['by_category'].values())


def test_install_ranks_work_runs_and_installed_seeds_together(ens, monkeypatch):
    W, M, N = ens.WORK, ens.MODELS, ens.NAME
    # seed 1 finished in work/; seed 2 installed earlier as a companion; seed 3 installed earlier as the default
    write_model(os.path.join(W, 's1'), 1, yaml=True)
    with open(os.path.join(W, 's1.metrics.json'), 'w') as f:
        json.dump({'train_by_category': {'all': {'n': 3}}}, f)
    write_model(os.path.join(M, f'{N}-s2'), 2, yaml=False)
    write_model(os.path.join(M, N), 3, yaml=True)
    with open(os.path.join(M, f'{N}.metrics.json'), 'w') as f:
        json.dump({'best_seed': 3}, f)
    files = {1: os.path.join(W, 's1.json'), 2: os.path.join(M, f'{N}-s2.json'), 3: os.path.join(M, f'{N}.json')}
    content = {s: open(p).read() for s, p in files.items()}
    # the installed companion (seed 2) scores best: it becomes the default, its .yaml written from its .json
    rmse = {1: 0.05, 2: 0.01, 3: 0.03}
    seen = []
    monkeypatch.setattr(ens, 'physics', lambda path: {'ok': True, 'failed_curves': [], 'a0': 3.18, 'C11': 130.0})
    monkeypatch.setattr(ens, 'held_out_metrics', lambda path, data: (seen.append(path), {
        'split': {}, 'by_category': {'near_equilibrium': {'n': 5, 'rmse_e_atom': rmse[int(json.load(open(path))['dptab_training']['seed'])], 'rmse_f': 0.3, 'rmse_v_atom': None}},
        'train_by_category': {'all': {'n': int(json.load(open(path))['dptab_training']['seed'])}}})[1])
    ens.install([1, 2, 3, 4], 'unused')
    assert sorted(seen) == sorted(files.values())  # seed 4 has no files anywhere: left out
    assert open(os.path.join(M, f'{N}.json')).read() == content[2]
    import yaml
    assert yaml.safe_load(open(os.path.join(M, f'{N}.yaml'))) == json.loads(content[2])
    assert not os.path.exists(os.path.join(M, f'{N}-s2.json'))
    assert open(os.path.join(M, f'{N}-s1.json')).read() == content[1]
    assert open(os.path.join(M, f'{N}-s3.json')).read() == content[3]  # the old default, kept as a companion
    summary = json.load(open(os.path.join(M, f'{N}.metrics.json')))
    assert summary['best_seed'] == 2 and sorted(summary['others']) == [f'models/{N}-s1.json', f'models/{N}-s3.json']
    # report.py reads the default's held-out figures at the top level
    assert summary['by_category']['near_equilibrium']['rmse_e_atom'] == 0.01
    assert summary['train_by_category'] == {'all': {'n': 2}} and summary['seeds']['1']['training'] == {'all': {'n': 1}}


def test_install_passes_over_a_seed_that_collapses(ens, monkeypatch):
    """The best score loses to the next one when it fails the collapse check; when every seed fails, the best
    score is installed anyway (with a warning) rather than nothing."""
    W, M, N = ens.WORK, ens.MODELS, ens.NAME
    for s in (1, 2):
        write_model(os.path.join(W, f's{s}'), s, yaml=True)
        with open(os.path.join(W, f's{s}.metrics.json'), 'w') as f:
            json.dump({}, f)
    seed_of = lambda path: int(json.load(open(path))['dptab_training']['seed'])
    monkeypatch.setattr(ens, 'held_out_metrics', lambda path, data: {'split': {}, 'train_by_category': {}, 'by_category': {
        'near_equilibrium': {'n': 5, 'rmse_e_atom': {1: 0.01, 2: 0.02}[seed_of(path)], 'rmse_f': 0.3, 'rmse_v_atom': None}}})
    for collapses, winner in (({1}, 2), ({1, 2}, 1), (set(), 1)):
        monkeypatch.setattr(ens, 'physics', lambda path, c=collapses: {
            'ok': seed_of(path) not in c, 'failed_curves': ['uniaxial_relaxed'] if seed_of(path) in c else [],
            'a0': 3.17, 'C11': 130.0})
        ens.install([1, 2], 'unused')
        summary = json.load(open(os.path.join(M, f'{N}.metrics.json')))
        assert summary['best_seed'] == winner, (collapses, summary['best_seed'])
        assert summary['seeds']['1']['collapse_check']['ok'] == (1 not in collapses)


def test_score_counts_each_check_in_units_of_its_tolerance(ens):
    """score = E/3 meV + F/0.15 eV/A + |da0|/0.5 % + |dC11|/5 %; a DFT value not computed yet drops its term."""
    m = {'by_category': {'near_equilibrium': {'n': 4, 'rmse_e_atom': 0.006, 'rmse_f': 0.15}}}
    assert ens.score(m) == pytest.approx(3.0)
    phys, dft = {'a0': 3.2, 'C11': 120.0}, {'a0': 3.2 / 1.01, 'C11': 100.0}
    assert ens.score(m, phys, dft) == pytest.approx(3.0 + 2.0 + 4.0)
    assert ens.score(m, phys, {'a0': 3.2, 'C11': None}) == pytest.approx(3.0)
    # the defect formation energies in eV over their tolerances (0.3 eV for V_S, 1 eV for V_Mo)
    phys_ef = {'a0': 3.2, 'E_f': {'V_S': 5.2, 'V_Mo': 13.0}}
    dft_ef = {'a0': 3.2, 'E_f': {'V_S': 5.8, 'V_Mo': 13.5}}
    assert ens.score(m, phys_ef, dft_ef) == pytest.approx(3.0 + 2.0 + 0.5)
    assert ens.score(m, phys_ef, {'a0': 3.2, 'E_f': {'V_S': None, 'V_Mo': 13.5}}) == pytest.approx(3.5)
    # a model 5 % off in C11 loses to one with 40 % more force error but C11 right
    good_c11 = {'by_category': {'near_equilibrium': {'n': 4, 'rmse_e_atom': 0.006, 'rmse_f': 0.21}}}
    assert ens.score(good_c11, {'a0': 3.2, 'C11': 100.0}, dft) < ens.score(m, {'a0': 3.2, 'C11': 105.5}, dft)


def test_continue_starts_each_seed_from_its_installed_model(ens, monkeypatch):
    """--continue: train.py gets --init-model with a work/ copy of the seed's own installed file (the default's for
    the best seed, models/<name>-s<seed>.json for the others); a seed with nothing installed stops the run."""
    M, N = ens.MODELS, ens.NAME
    write_model(os.path.join(M, N), 1, yaml=True)
    write_model(os.path.join(M, f'{N}-s2'), 2, yaml=False)
    with open(os.path.join(M, f'{N}.metrics.json'), 'w') as f:
        json.dump({'best_seed': 1}, f)
    cmds = []

    class Done:
        returncode = 0

        def __init__(self, cmd, **kw):
            cmds.append(cmd)

        def poll(self):
            return 0
    monkeypatch.setattr(ens.subprocess, 'Popen', Done)
    monkeypatch.setattr(ens.time, 'sleep', lambda s: None)
    ens.train_seeds([1, 2], 1, ['--steps', '7'], retrain=False, cont=True)
    for seed, src in ((1, f'{N}.json'), (2, f'{N}-s2.json')):
        cmd = next(c for c in cmds if c[c.index('--seed') + 1] == str(seed))
        start = cmd[cmd.index('--init-model') + 1]
        assert open(start).read() == open(os.path.join(M, src)).read() and start.startswith(ens.WORK)
        assert cmd[-2:] == ['--steps', '7']
    with pytest.raises(SystemExit, match='seed 3 has no installed model'):
        ens.train_seeds([3], 1, [], retrain=False, cont=True)


def test_training_some_seeds_still_installs_all_four(ens, monkeypatch):
    """--seeds 2 retrains seed 2 only; the install still ranks every ensemble seed, so the others stay installed."""
    calls = {}
    monkeypatch.setattr(ens, 'train_seeds', lambda seeds, jobs, extra, retrain, cont: calls.setdefault('train', seeds))
    monkeypatch.setattr(ens, 'install', lambda seeds, data: calls.setdefault('install', seeds))
    monkeypatch.setattr('sys.argv', ['ensemble.py', '--seeds', '2', '--continue', '--', '--steps', '5'])
    ens.main()
    assert calls == {'train': [2], 'install': [1, 2, 3, 4]}
