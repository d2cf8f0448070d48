"""trainer/study.py, the runner of size_study.py and recipe_study.py: variants train side by side, each result is
saved as it finishes, a finished variant is not trained again, and the table shows every variant."""
import json
import os

from conftest import TRAIN  # noqa: F401  (puts training/ on sys.path)
from trainer import study


def test_variants_run_side_by_side_and_finished_ones_are_skipped(tmp_path):
    variants = {'a': ['--tiny', '--steps', '2', '--seed', '1'], 'b': ['--tiny', '--steps', '2', '--seed', '2']}
    saved = []
    out = str(tmp_path / 'study.json')

    def done(name, r):
        saved.append(name)
        study.save_json(out, {'variants': {n: {} for n in saved}})

    res = study.run_all(str(tmp_path / 'work'), variants, jobs=2, done=done)
    assert sorted(saved) == ['a', 'b'] and list(res) == ['a', 'b']
    assert set(json.load(open(out))['variants']) == {'a', 'b'}
    for name, r in res.items():
        assert r['n_train'] > 0 and 'near_equilibrium' in r['training'] and r['cpu_s'] > 0
        assert os.path.exists(tmp_path / 'work' / f'{name}.json')
    # another seed samples other batches: the two runs are distinct
    assert res['a']['training'] != res['b']['training']
    # a rerun finds both finished: nothing is trained (the logs do not grow), the same figures come back
    sizes = {n: os.path.getsize(tmp_path / 'work' / f'{n}.log') for n in variants}
    again = study.run_all(str(tmp_path / 'work'), variants, jobs=2, done=lambda n, r: None)
    assert again == res and sizes == {n: os.path.getsize(tmp_path / 'work' / f'{n}.log') for n in variants}
    t = study.table(res, lambda n, r: ' '.join(variants[n]))
    assert t.count('\n') == 3 and '| a | --tiny' in t and '| b | --tiny' in t
