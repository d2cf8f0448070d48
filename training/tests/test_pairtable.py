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


def one_sided(r, v, i, side, n=5):
    """Value and slope at r[i] from a cubic fit to the n+1 grid points on one side."""
    idx = np.arange(i - n, i + 1) if side < 0 else np.arange(i, i + n + 1)
    x = r[idx] - r[i]
    c = np.polyfit(x, v[idx], 3)
    return c[3], c[2]


def check_joins(r, v, edges):
    h = r[1] - r[0]
    for re in edges:
        i = int(round((re - r[0]) / h))
        vl, dl = one_sided(r, v, i, -1)
        vr, dr = one_sided(r, v, i, +1)
        scale = max(abs(dl), abs(dr), 1.0)
        assert abs(vl - vr) <= 1e-4 * max(abs(v[i]), 1.0) + 1e-6, ("value jump", re, vl, vr)
        assert abs(dl - dr) <= 2e-3 * scale + 1e-3, ("slope jump", re, dl, dr)


@pytest.mark.parametrize("col,pair", [(1, "MoMo"), (2, "MoS"), (3, "SS")])
def test_continuity_across_joins(col, pair):
    """Energy and its first derivative are continuous at every window edge (one-sided cubic fits)."""
    t = load()
    meta = json.load(open(META))["pairs"][pair]
    edges = list(meta["zbl_ae_window"]) + list(meta["ae_pp_window"]) + list(meta.get("taper", []))
    check_joins(t[:, 0], t[:, col], edges)


def test_continuity_check_detects_a_kink():
    """The join check above is sensitive: a 1 eV/A slope kink at 1.1 A is caught."""
    t = load()
    r, v = t[:, 0], t[:, 2].copy()
    i0 = int(round((1.1 - r[0]) / (r[1] - r[0])))
    v[i0:] += -1.0 * (r[i0:] - r[i0])
    with pytest.raises(AssertionError):
        check_joins(r, v, [r[i0]])
    v = t[:, 2].copy()
    v[i0:] += 0.01                              # a 10 meV step is caught too
    with pytest.raises(AssertionError):
        check_joins(r, v, [r[i0]])


def test_smooth_everywhere():
    """No kinks anywhere: the change of the discrete slope per step never spikes.

    For a smooth V the slope change per step, h*V'', varies slowly from step to step; a kink
    (a jump in V') shows up as one step whose slope change is far above its neighbours'."""
    t = load()
    r = t[:, 0]
    h = r[1] - r[0]
    m = r > 0.3
    for col in (1, 2, 3):
        d1 = np.diff(t[m, col]) / h
        jump = np.abs(np.diff(d1))
        for i in range(6, len(jump) - 6):
            neigh = np.concatenate([jump[i - 6:i - 1], jump[i + 2:i + 7]])
            assert jump[i] <= 3.0 * neigh.max() + 1e-3, (col, r[m][i + 1], jump[i], neigh.max())


def test_reliability_criterion():
    """rmin is the shortest checked r from which on (upwards) the two large bases agree within max(0.5 eV, 2 %)."""
    import sys
    sys.path.insert(0, os.path.join(TRAIN, "pairtable"))
    from reliability import judge
    grid = [0.3, 0.4, 0.5, 0.6]
    r = np.array(grid)
    v = 100.0 / r
    check = v * np.array([1.10, 1.01, 1.0, 1.0])      # 10 % off at 0.3 A, within 2 % above
    out = judge((r, v), (r, check), grid=grid)
    assert out["rmin"] == 0.4 and out["status"] == "checked"
    assert [row["r"] for row in out["rows"]] == [0.6, 0.5, 0.4, 0.3] and not out["rows"][-1]["ok"]
    # a disagreement higher up wins even if shorter distances agree again (the curve must be right all the way)
    out = judge((r, v), (r, v * np.array([1.0, 1.0, 1.05, 1.0])), grid=grid)
    assert out["rmin"] == 0.6
    # small binding energies: the 0.5 eV floor applies
    out = judge((r, 0.01 * v), (r, 0.01 * v + 0.4), grid=grid)
    assert out["rmin"] == 0.3
    # no check basis yet
    assert judge((r, v), (np.array([]), np.array([])), grid=grid)["status"].startswith("unchecked")


def test_ugbsp_basis_block():
    """UGBS+P = the UGBS library entry plus AQZP's polarisation shells, also for ghost atoms (counterpoise)."""
    import sys
    sys.path.insert(0, os.path.join(TRAIN, "pairtable"))
    from nwchem_dimers import basis_lines
    lib = """#  comment
basis "S_AQZP" SPHERICAL
S    S
      1000.0   0.5
      100.0    0.5
S    D
      0.2      1.0
S    F
      0.35     1.0
S    G
      0.7      1.0
end
basis "Mo_AQZP" SPHERICAL
Mo    P
      3.0      1.0
Mo    F
      1.75     1.0
end
"""
    lines = basis_lines("ugbsp", ["S", "bqMo"], library_text=lib)
    assert lines == ["  S library S UGBS", "S    D", "      0.2      1.0", "S    F", "      0.35     1.0",
                     "S    G", "      0.7      1.0",
                     "  bqMo library Mo UGBS", "bqMo    F", "      1.75     1.0"]
    assert basis_lines("aqzp", ["Mo"]) == ["  Mo library Mo AQZP"]


def test_counterpoise_error():
    """BSSE of a dimer = sum over its two atoms of E(atom with the partner's ghost basis) - E(free atom)."""
    import sys
    sys.path.insert(0, os.path.join(TRAIN, "pairtable"))
    from reliability import bsse
    d = {"b/atom/Mo": {"E_eV": -100.0}, "b/atom/S": {"E_eV": -10.0},
         "b/cp/Mo+S/0.600": {"E_eV": -100.3}, "b/cp/S+Mo/0.600": {"E_eV": -10.02},
         "b/cp/Mo+S/0.900": {"E_eV": -100.1},                      # partner run missing: no value
         "b/cp/S+S/0.600": {"E_eV": -10.01}}
    assert bsse("MoS", "b", d) == {0.6: pytest.approx(-0.32)}
    assert bsse("SS", "b", d) == {0.6: pytest.approx(-0.02)}
    assert bsse("MoMo", "b", d) == {}


def test_cache_keys_map_to_their_dimer():
    """--pairs splits the work between two workers by dimer, counterpoise runs included."""
    import sys
    sys.path.insert(0, os.path.join(TRAIN, "pairtable"))
    from nwchem_dimers import pair_of
    assert [pair_of(k) for k in ("ugbsp/MoS/0.900/m1", "ugbsp/cp/S+Mo/0.600", "ugbsp/cp/Mo+S/0.600",
                                 "ugbsp/cp/Mo+Mo/0.300", "aqzp/SS/1.200/m1", "ugbsp/atom/S")] == \
        ["MoS", "MoS", "MoS", "MoMo", "SS", None]
