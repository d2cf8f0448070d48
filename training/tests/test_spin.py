"""The spin check of condensed labels (factory.spin): the lower spin state becomes the label, packing records the
check so that it survives a fresh clone, and the dataset agrees with the groups declared magnetic.  No DFT is run
here except in the last test, which CI skips."""
import glob
import json
import os
import shutil

import numpy as np
import pytest

from conftest import TRAIN

DATA = os.path.join(TRAIN, "data")


def _frames():
    for meta_fn in sorted(glob.glob(os.path.join(DATA, "*", "*", "meta.json"))):
        meta = json.load(open(meta_fn))
        en = np.load(os.path.join(os.path.dirname(meta_fn), "set.000", "energy.npy"))
        for k, fr in enumerate(meta["frames"]):
            yield meta, fr, float(en[k])


def _check(frame, dF, magmoms):
    """A check record as factory.spin.check_one writes it, for a spin-polarised result dF (eV) below `frame`."""
    res = dict(frame, calc_kind="condensed-spin", free_energy=frame["free_energy"] + dF,
               energy=frame["energy"] + dF, magmom=float(sum(magmoms)), magmoms=magmoms, cpu_s=1.0,
               finished="2026-11-24T00:00:00")
    return {"result": res, "paired_free_energy": frame["free_energy"], "dF_eV": dF, "natoms": len(magmoms),
            "magmom": float(sum(magmoms)), "abs_magmom": float(np.abs(magmoms).sum())}


def test_apply_check_keeps_the_lower_state_and_is_idempotent():
    from factory.spin import apply_check, SPIN_TOL_EV
    frame = {"id": "x-0000", "calc_kind": "condensed", "free_energy": -50.0, "energy": -50.01, "cpu_s": 9.0}
    low = apply_check(frame, _check(frame, -0.5, [2.0, 1.0, 0.5]))
    assert low["calc_kind"] == "condensed-spin" and low["free_energy"] == -50.5
    assert low["spin_check"]["kept"] == "spin-polarised" and low["spin_check"]["paired_free_energy"] == -50.0
    assert apply_check(low, _check(frame, -0.5, [2.0, 1.0, 0.5])) == low
    # a moment that vanishes gives the spin-paired energy to the SCF tolerance: the label stays as it was
    same = apply_check(frame, _check(frame, -0.5 * SPIN_TOL_EV, [0.0, 0.0, 0.0]))
    assert same["calc_kind"] == "condensed" and same["free_energy"] == -50.0
    assert same["spin_check"]["kept"] == "spin-paired"


def test_pack_applies_a_check_and_keeps_it_without_work_files(tmp_path, monkeypatch):
    """pack() replaces a frame by its lower spin state, records the check in meta.json, and a later pack with no
    work/spin files (a fresh clone) keeps both."""
    from factory import pack, spin
    sysdir = sorted(glob.glob(os.path.join(DATA, "interstitial", "*", "meta.json")))[0]
    sysdir = os.path.dirname(sysdir)
    data = tmp_path / "data"
    shutil.copytree(sysdir, data / os.path.relpath(sysdir, DATA))
    (tmp_path / "results").mkdir()
    (tmp_path / "spin").mkdir()
    monkeypatch.setattr(pack, "DATA_DIR", str(data))
    monkeypatch.setattr(pack, "RES_DIR", str(tmp_path / "results"))
    monkeypatch.setattr(spin, "SPIN_DIR", str(tmp_path / "spin"))
    packed = pack.read_packed()
    cid = sorted(packed)[0]
    frame = packed[cid]
    nat = len(frame["symbols"])
    chk = _check(frame, -1.25, [1.0] + [0.0] * (nat - 1))
    json.dump(chk, open(tmp_path / "spin" / f"{cid}.json", "w"))
    for _ in range(2):
        pack.pack()
        out = pack.read_packed()[cid]
        assert out["free_energy"] == pytest.approx(frame["free_energy"] - 1.25)
        assert out["calc_kind"] == "condensed-spin" and out["spin_check"]["kept"] == "spin-polarised"
        assert out["magmoms"][0] == 1.0
        shutil.rmtree(tmp_path / "spin")
        (tmp_path / "spin").mkdir()
    d = data / os.path.relpath(sysdir, DATA)
    meta = json.load(open(d / "meta.json"))
    k = [f["id"] for f in meta["frames"]].index(cid)
    assert np.load(d / "set.000" / "energy.npy")[k] == pytest.approx(frame["free_energy"] - 1.25)


def test_dataset_spin_checks_are_consistent():
    """Every spin-polarised label came from a check that found it lower; its group is declared magnetic, so that the
    rest of the group is checked and new configurations of it are labelled both ways."""
    from factory.label import load_configs
    from factory.spin import SPIN_TOL_EV, is_magnetic_group
    configs = load_configs()
    for meta, fr, e in _frames():
        chk = fr.get("spin_check")
        if fr.get("calc_kind") == "condensed-spin":
            assert chk and chk["kept"] == "spin-polarised", fr["id"]
        if not chk:
            continue
        assert chk["kept"] == ("spin-polarised" if chk["dF_eV"] < -SPIN_TOL_EV else "spin-paired"), fr["id"]
        if chk["kept"] == "spin-polarised":
            assert e == pytest.approx(chk["paired_free_energy"] + chk["dF_eV"], abs=2e-6), fr["id"]
            assert is_magnetic_group(configs[fr["id"]]), fr["id"]
        else:
            assert fr.get("calc_kind", "condensed") == "condensed" and e == fr["free_energy"], fr["id"]


@pytest.mark.skipif(bool(os.environ.get("CI")) or os.environ.get("FACTORY_SKIP_DFT") == "1",
                    reason="DFT is never run in CI")
def test_spin_polarised_label_is_reproduced(tmp_path, monkeypatch):
    """Relabelling the cheapest stored spin-polarised frame gives its energy within 1e-4 eV/atom and a moment."""
    pytest.importorskip("gpaw")
    from factory import label
    from factory.label import load_configs, label_one
    picks = sorted((fr["cpu_s"], fr["id"], e, meta["natoms"]) for meta, fr, e in _frames()
                   if fr.get("calc_kind") == "condensed-spin")
    if not picks:
        pytest.skip("no spin-polarised label stored")
    _, cid, e_stored, nat = picks[0]
    at = load_configs()[cid]
    at.info["calc_kind"] = "condensed-spin"
    res = label_one(at, txt=str(tmp_path / f"{cid}.txt"))
    assert abs(res["free_energy"] - e_stored) / nat < 1e-4
    assert abs(res["magmom"]) > 0.5


def test_reference_defects_follow_the_spin_screen():
    """reference.py's DFT defect cells of the magnetic types are relaxed spin-polarised, the others spin-paired."""
    from trainer import properties as P
    from factory.spin import MAGNETIC_DEFECTS
    assert set(MAGNETIC_DEFECTS) <= set(P.DEFECTS)
    for kind in P.DEFECTS:
        fn = os.path.join(TRAIN, "results", "reference", f"defect_{kind}.json")
        if os.path.exists(fn):
            assert json.load(open(fn)).get("spin_polarised", False) == (kind in MAGNETIC_DEFECTS), kind
