"""The short-range pair table models/mos2-pairtable.txt: format and smooth joins."""
import json
import os

import numpy as np
import pytest

from conftest import TRAIN

ROOT = os.path.dirname(TRAIN)
TABLE = os.path.join(ROOT, "models", "mos2-pairtable.txt")
META = os.path.join(TRAIN, "pairtable", "table_meta.json")

pytestmark = pytest.mark.skipif(not os.path.exists(TABLE), reason="pair table not built yet")


def load():
    return np.loadtxt(TABLE)


def test_format():
    t = load()
    assert t.ndim == 2 and t.shape[1] == 1 + 3          # r + (Mo-Mo, Mo-S, S-S) for type_map [Mo, S]
    r = t[:, 0]
    h = r[1] - r[0]
    assert np.allclose(np.diff(r), h, atol=1e-9)        # uniform grid (DeePMD requirement)
    assert r[0] <= 0.05 and r[-1] >= 6.0 - 1e-9
    assert np.all(np.isfinite(t))


def test_zbl_limit_and_decay():
    from pairtable.build_table import zbl
    t = load()
    r = t[:, 0]
    m = r < 0.2                                          # pure ZBL at very short range
    for col, (z1, z2) in zip(range(1, 4), [(42, 42), (42, 16), (16, 16)]):
        assert np.allclose(t[m, col], zbl(r[m], z1, z2), rtol=1e-9)
        assert np.all(t[r >= 5.999, col] == 0.0) or abs(t[-1, col]) < 1e-6
        # strongly repulsive at short range
        assert np.all(np.diff(t[(r > 0.05) & (r < 0.8), col]) < 0)


def _d1(v, h):
    return np.gradient(v, h)


@pytest.mark.parametrize("col,pair", [(1, "MoMo"), (2, "MoS"), (3, "SS")])
def test_continuity_across_joins(col, pair):
    """Energy and its first derivative are continuous at every window edge."""
    t = load()
    r, v = t[:, 0], t[:, col]
    h = r[1] - r[0]
    meta = json.load(open(META))["pairs"][pair]
    edges = list(meta["zbl_ae_window"]) + list(meta["ae_pp_window"]) + list(meta.get("taper", []))
    for re in edges:
        i = int(round((re - r[0]) / h))
        # value: no jump; compare the step across the edge with the neighbouring steps
        steps = np.diff(v[i - 3:i + 4])
        dl, dr = (v[i] - v[i - 1]) / h, (v[i + 1] - v[i]) / h        # one-sided derivatives
        scale = max(abs(dl), abs(dr), 1.0)
        assert abs(dl - dr) <= 0.03 * scale, (pair, re, dl, dr)
        # the second difference at the edge is not an outlier (no kink)
        d2 = np.diff(v[i - 6:i + 7], 2) / h ** 2
        d2_far = np.concatenate([np.diff(v[i - 30:i - 10], 2), np.diff(v[i + 10:i + 30], 2)]) / h ** 2
        assert np.abs(d2).max() <= 5 * np.abs(d2_far).max() + 50.0, (pair, re)
        assert np.all(np.isfinite(steps))


def test_smooth_everywhere():
    """No kinks anywhere: the discrete first derivative changes by a bounded amount per step."""
    t = load()
    r = t[:, 0]
    h = r[1] - r[0]
    m = r > 0.3
    for col in (1, 2, 3):
        d1 = np.diff(t[m, col]) / h
        jump = np.abs(np.diff(d1))
        scale = np.maximum(np.abs(d1[1:]), 1.0)
        assert np.all(jump / scale < 0.05)
