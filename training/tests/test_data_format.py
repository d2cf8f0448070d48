"""The committed dataset (training/data) is valid DeePMD-kit npy format. No DFT is run."""
import glob
import json
import os

import numpy as np
import pytest

from conftest import TRAIN

DATA = os.path.join(TRAIN, "data")
SYSTEMS = sorted(os.path.dirname(p) for p in glob.glob(os.path.join(DATA, "*", "*", "type.raw")))


def test_dataset_exists():
    assert SYSTEMS, "no systems under training/data"
    assert os.path.exists(os.path.join(DATA, "SUMMARY.md"))


@pytest.mark.parametrize("sysdir", SYSTEMS, ids=[os.path.relpath(s, DATA) for s in SYSTEMS])
def test_system(sysdir):
    tmap = open(os.path.join(sysdir, "type_map.raw")).read().split()
    assert tmap == ["Mo", "S"]
    types = np.loadtxt(os.path.join(sysdir, "type.raw"), dtype=int, ndmin=1)
    nat = len(types)
    assert set(types.tolist()) <= {0, 1}
    assert np.all(np.diff(types) >= 0), "atoms must be sorted Mo then S"
    nmo, ns = int((types == 0).sum()), int((types == 1).sum())
    assert os.path.basename(sysdir) == f"Mo{nmo}S{ns}"
    s = os.path.join(sysdir, "set.000")
    coord = np.load(os.path.join(s, "coord.npy"))
    box = np.load(os.path.join(s, "box.npy"))
    en = np.load(os.path.join(s, "energy.npy"))
    fo = np.load(os.path.join(s, "force.npy"))
    nf = len(en)
    assert en.shape == (nf,) and coord.shape == (nf, 3 * nat) and box.shape == (nf, 9) and fo.shape == (nf, 3 * nat)
    arrays = [coord, box, en, fo]
    if os.path.exists(os.path.join(s, "virial.npy")):
        vi = np.load(os.path.join(s, "virial.npy"))
        assert vi.shape == (nf, 9)
        # the virial is symmetric
        assert np.allclose(vi.reshape(nf, 3, 3), vi.reshape(nf, 3, 3).transpose(0, 2, 1), atol=1e-3)
        arrays.append(vi)
    for a in arrays:
        assert a.dtype == np.float64 and np.all(np.isfinite(a))
    vol = np.linalg.det(box.reshape(nf, 3, 3))
    assert np.all(vol > 1.0)
    meta = json.load(open(os.path.join(sysdir, "meta.json")))
    assert meta["nframes"] == nf and meta["natoms"] == nat and len(meta["frames"]) == nf
    assert meta["category"] == os.path.basename(os.path.dirname(sysdir))
    ids = [f["id"] for f in meta["frames"]]
    assert all(i.startswith(meta["category"] + "-") for i in ids)
    # the stored energy is the force-consistent free energy; the zero-width energy is kept beside it
    for k, fr in enumerate(meta["frames"]):
        assert en[k] == fr["free_energy"] and "energy_zero_width" in fr, fr["id"]
        assert abs(fr["energy_zero_width"] - fr["free_energy"]) / nat < 0.1, fr["id"]
    # forces: translational invariance (PW forces sum to ~0)
    fsum = np.abs(fo.reshape(nf, nat, 3).sum(axis=1)).max(axis=1)
    assert np.all(fsum < 0.2), fsum


def _atom_energies():
    e = {}
    for sysdir in SYSTEMS:
        if os.path.basename(os.path.dirname(sysdir)) != "atom":
            continue
        types = np.loadtxt(os.path.join(sysdir, "type.raw"), dtype=int, ndmin=1)
        e[["Mo", "S"][types[0]]] = float(np.load(os.path.join(sysdir, "set.000", "energy.npy"))[0])
    return e


def test_ids_unique_and_in_configs():
    from factory.label import load_configs
    allids = []
    for sysdir in SYSTEMS:
        allids += [f["id"] for f in json.load(open(os.path.join(sysdir, "meta.json")))["frames"]]
    assert len(allids) == len(set(allids))
    assert set(allids) <= set(load_configs())   # the generator's and the active-learning configurations


def test_packed_frames_are_the_generated_configurations():
    """Every labelled frame holds exactly its configuration's cell and positions (atoms in the same order), so a
    relabelling from configs/ (test_reproducibility.py, kpoint_check.py) recomputes the stored frame."""
    from factory.label import load_configs
    conf = load_configs()
    for sysdir in SYSTEMS:
        coord = np.load(os.path.join(sysdir, "set.000", "coord.npy"))
        box = np.load(os.path.join(sysdir, "set.000", "box.npy"))
        types = np.loadtxt(os.path.join(sysdir, "type.raw"), dtype=int, ndmin=1)
        for k, fr in enumerate(json.load(open(os.path.join(sysdir, "meta.json")))["frames"]):
            at = conf[fr["id"]]
            assert [["Mo", "S"][t] for t in types] == at.get_chemical_symbols(), fr["id"]
            assert np.allclose(coord[k].reshape(-1, 3), at.positions, atol=1e-8), fr["id"]
            assert np.allclose(box[k].reshape(3, 3), at.cell.array, atol=1e-8), fr["id"]


def test_energies_consistent_per_atom_count():
    """Binding energy per atom (relative to the isolated spin-polarised atoms) is physical."""
    eat = _atom_energies()
    if set(eat) != {"Mo", "S"}:
        pytest.skip("isolated-atom references not labelled yet")
    for sysdir in SYSTEMS:
        cat = os.path.basename(os.path.dirname(sysdir))
        types = np.loadtxt(os.path.join(sysdir, "type.raw"), dtype=int, ndmin=1)
        nmo, ns = int((types == 0).sum()), int((types == 1).sum())
        en = np.load(os.path.join(sysdir, "set.000", "energy.npy"))
        fo = np.load(os.path.join(sysdir, "set.000", "force.npy")).reshape(len(en), -1, 3)
        eb = (en - nmo * eat["Mo"] - ns * eat["S"]) / (nmo + ns)
        assert np.all(eb > -7.5) and np.all(eb < 150.0), (sysdir, eb)
        if cat in ("bulk", "monolayer", "vacancy", "substitution", "nanopore"):
            # near-equilibrium MoS2 cells (the trainer's rule: small forces, Mo-S and Mo-Mo distances near their rest
            # values; small forces alone do not do: a uniformly compressed 3-atom cell has none): cohesive energy
            # about -5 eV/atom (PBE)
            pytest.importorskip("torch")
            from trainer.data import read_system
            from trainer.train import near_equilibrium
            near = np.array([near_equilibrium(f) for f in read_system(sysdir, ["Mo", "S"])])
            assert near.shape == eb.shape
            assert np.all((eb[near] > -6.5) & (eb[near] < -3.5)), (sysdir, eb[near])


def test_configs_reproducible_from_seed(tmp_path, monkeypatch):
    """The generator is deterministic: regenerating gives the committed configurations."""
    from ase.io import read
    import factory.generate as G
    monkeypatch.setattr(G, "CONF_DIR", str(tmp_path))
    G.generate()
    for cat in G.CATEGORIES:
        a = read(os.path.join(TRAIN, "configs", f"{cat}.extxyz"), ":")
        b = read(os.path.join(tmp_path, f"{cat}.extxyz"), ":")
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert x.info["id"] == y.info["id"]
            assert x.get_chemical_symbols() == y.get_chemical_symbols()
            assert np.allclose(x.positions, y.positions, atol=1e-6)
            assert np.allclose(x.cell.array, y.cell.array, atol=1e-6)


def test_queue_order_covers_every_configuration_thermal_cells_first():
    """The labeller's queue holds every configuration once; the active-learning frames (configs/explore/) come
    first, by iteration and cheapest first; then within a category the thermal (near-equilibrium) cells and the thick
    compressed layers come before the rest, and the rest run cheap first."""
    from factory.label import load_configs, queue_order
    configs = load_configs()
    order = queue_order(configs)
    assert sorted(order) == sorted(configs)
    al = ["al_iter" in configs[i].info for i in order]
    assert al == sorted(al, reverse=True)
    keys = [(int(configs[i].info["al_iter"]), float(configs[i].info["cost"])) for i, a in zip(order, al) if a]
    assert keys == sorted(keys)
    for cat in ("monolayer", "vacancy", "substitution"):
        ids = [i for i in order if configs[i].info["category"] == cat and "al_iter" not in configs[i].info]
        words = [set(configs[i].info["note"].split()) for i in ids]
        lead = [bool({"thermal", "thick"} & w) for w in words]
        assert any("thermal" in w for w in words) and lead == sorted(lead, reverse=True)
        rest = [float(configs[i].info["cost"]) for i, t in zip(ids, lead) if not t]
        assert rest == sorted(rest)
    thick = [i for i in configs if "thick" in configs[i].info["note"].split()]
    assert len(thick) == 16 and all(configs[i].info["category"] == "monolayer" for i in thick)


def test_virials_carry_the_pulay_correction_and_repacking_keeps_them(tmp_path, monkeypatch):
    """Every packed system records the Pulay D of its composition (factory.dft), and packing the packed data again
    (read back to GPAW's virials, corrected once more) leaves virial.npy unchanged: no double correction."""
    import shutil
    from factory import pack
    from factory.dft import TYPE_MAP, pulay_dedepsilon
    for sysdir in SYSTEMS:
        meta = json.load(open(os.path.join(sysdir, "meta.json")))
        types = np.loadtxt(os.path.join(sysdir, "type.raw"), dtype=int, ndmin=1)
        assert meta["virial_pulay_D_eV"] == pytest.approx(pulay_dedepsilon(TYPE_MAP[t] for t in types)), sysdir
    # a copy of two systems (one with virials), packed again with no new results
    src = [s for s in SYSTEMS if os.path.exists(os.path.join(s, "set.000", "virial.npy"))][:2]
    data = tmp_path / "data"
    for s in src:
        shutil.copytree(s, data / os.path.relpath(s, DATA))
    (tmp_path / "results").mkdir()
    monkeypatch.setattr(pack, "DATA_DIR", str(data))
    monkeypatch.setattr(pack, "RES_DIR", str(tmp_path / "results"))
    pack.pack()
    for s in src:
        before = np.load(os.path.join(s, "set.000", "virial.npy"))
        after = np.load(data / os.path.relpath(s, DATA) / "set.000" / "virial.npy")
        assert np.allclose(before, after, atol=1e-12, rtol=0), s


def test_pulay_constants_are_the_measured_ones():
    """factory.dft.PULAY_DEDEPS_EV equals the fit in results/pulay.json (pulay.py), the per-species sum describes
    every measured cell, and on the strained monolayer the corrected stress matches the energy's strain derivative
    where the uncorrected one does not."""
    from factory.dft import PULAY_DEDEPS_EV
    r = json.load(open(os.path.join(TRAIN, "results", "pulay.json")))
    for sp, v in PULAY_DEDEPS_EV.items():
        assert v == pytest.approx(r["per_species_eV"][sp], abs=1e-5)
    assert len(r["cells"]) >= 4 and all(abs(c["residual_meV_per_atom"]) < 10 for c in r["cells"])
    fd = r["finite_difference_check"]
    assert abs(fd["error_corrected_meV_per_atom"]) < 10 < abs(fd["error_uncorrected_meV_per_atom"])
