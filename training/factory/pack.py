"""Pack labelled results into DeePMD-kit npy systems under data/ and write the summary.

    /usr/bin/python3 -m factory.pack          (from training/)

Layout (readable by DeePMD-kit and dpdata 'deepmd/npy'):
    data/<category>/<Mo{n}S{m}>/type.raw, type_map.raw,
                               set.000/{coord,box,energy,force,virial}.npy, meta.json
All systems are periodic (isolated atoms and dimers sit in 10 x 10.5 x 11 A boxes).
Frames are sorted by id; meta.json holds, per frame, the id, note, CPU time, k-points,
magnetic moment, the spin check where one was made (factory.spin: the spin-polarised state replaces the spin-paired
label where it is lower), and the DFT setting.  Results already packed but absent from work/results
(e.g. in a fresh clone) are kept.  The new data tree is built beside the old one and swapped
in with renames, so an interrupted pack leaves the old tree intact.
"""
import glob
import json
import os
import shutil
import time

import numpy as np

from .dft import TYPE_MAP, SETTING, pulay_dedepsilon
from .label import DATA_DIR, RES_DIR, HERE
from .generate import CATEGORIES


def read_packed():
    """Frames already in data/ as result-like dicts (positions etc. restored from npy)."""
    out = {}
    for meta_fn in glob.glob(os.path.join(DATA_DIR, "*", "*", "meta.json")):
        d = os.path.dirname(meta_fn)
        meta = json.load(open(meta_fn))
        types = np.loadtxt(os.path.join(d, "type.raw"), dtype=int, ndmin=1)
        tmap = open(os.path.join(d, "type_map.raw")).read().split()
        syms = [tmap[t] for t in types]
        s = os.path.join(d, "set.000")
        coord = np.load(os.path.join(s, "coord.npy"))
        box = np.load(os.path.join(s, "box.npy"))
        en = np.load(os.path.join(s, "energy.npy"))
        fo = np.load(os.path.join(s, "force.npy"))
        vi = np.load(os.path.join(s, "virial.npy")) if os.path.exists(os.path.join(s, "virial.npy")) else None
        if vi is not None:  # back to GPAW's virial, as the results hold it (packed before session 12: uncorrected)
            vi = vi + meta.get("virial_pulay_D_eV", 0.0) * np.eye(3).reshape(1, 9)
        for k, fr in enumerate(meta["frames"]):
            r = dict(fr)
            # energy.npy holds the free energy where meta has energy_zero_width (packed since session 5),
            # the zero-width energy before that; records always carry both as labelled
            r.pop("energy_zero_width", None)
            r.update(symbols=syms, positions=coord[k].reshape(-1, 3).tolist(),
                     cell=box[k].reshape(3, 3).tolist(),
                     energy=float(fr["energy_zero_width"]) if "energy_zero_width" in fr else float(en[k]),
                     forces=fo[k].reshape(-1, 3).tolist(),
                     virial=None if vi is None else vi[k].reshape(3, 3).tolist(),
                     category=meta["category"], setting=meta["setting"],
                     gpaw_version=meta.get("gpaw_version"))
            out[r["id"]] = r
    return out


def read_results():
    out = {}
    for fn in sorted(glob.glob(os.path.join(RES_DIR, "*.json"))):
        if fn.endswith(".failed.json"):
            continue
        r = json.load(open(fn))
        out[r["id"]] = r
    return out


FRAME_KEYS = ["id", "note", "calc_kind", "cpu_s", "wall_s", "kpts", "magmom", "niter", "scf_retry_conservative_mixing",
              "free_energy", "finished", "host"]
OPTIONAL_FRAME_KEYS = ["magmoms", "spin_check"]   # only where present (spin-polarised results, spin checks)


ENERGY_UNITS = ("eV, Angstrom; energy = GPAW free energy with the Fermi-Dirac smearing of the setting (force-consistent: "
                "the forces and the virial are its derivatives, as DeePMD-kit trains them); meta energy_zero_width = the "
                "total energy extrapolated to zero smearing; virial = -stress * volume - D * identity, D = meta virial_pulay_D_eV = "
                "the Pulay stress times the volume, which GPAW's stress leaves out (training/pulay.py)")


def label_energy(r: dict) -> float:
    """The energy a model is trained on: the free energy, whose gradient the DFT forces are (the zero-width
    extrapolation differs from it by up to ~6 meV/atom in metallic defect and hot cells here, more than the
    accuracy asked of the model; equal for the fixed-moment, zero-width isolated atoms)."""
    return float(r["free_energy"]) if r.get("free_energy") is not None else float(r["energy"])


def pack():
    from .spin import read_checks, apply_check
    allres = read_packed()
    allres.update(read_results())
    for cid, check in read_checks().items():   # spin checks (factory.spin): the lower spin state is the label
        if cid in allres:
            allres[cid] = apply_check(allres[cid], check)
    systems = {}
    for cid, r in allres.items():
        syms = r["symbols"]
        nmo, ns = syms.count("Mo"), syms.count("S")
        assert syms == ["Mo"] * nmo + ["S"] * ns, cid
        systems.setdefault((r["category"], f"Mo{nmo}S{ns}"), []).append(r)
    new_root = DATA_DIR + ".new"
    shutil.rmtree(new_root, ignore_errors=True)
    for (cat, formula), frames in sorted(systems.items()):
        frames.sort(key=lambda r: r["id"])
        d = os.path.join(new_root, cat, formula)
        os.makedirs(os.path.join(d, "set.000"))
        syms = frames[0]["symbols"]
        types = [TYPE_MAP.index(s) for s in syms]
        with open(os.path.join(d, "type.raw"), "w") as f:
            f.write("\n".join(str(t) for t in types) + "\n")
        with open(os.path.join(d, "type_map.raw"), "w") as f:
            f.write("\n".join(TYPE_MAP) + "\n")
        nat = len(syms)
        pulay_d = pulay_dedepsilon(syms)
        sd = os.path.join(d, "set.000")
        np.save(os.path.join(sd, "coord.npy"), np.array([r["positions"] for r in frames], dtype=np.float64).reshape(len(frames), nat * 3))
        np.save(os.path.join(sd, "box.npy"), np.array([r["cell"] for r in frames], dtype=np.float64).reshape(len(frames), 9))
        np.save(os.path.join(sd, "energy.npy"), np.array([label_energy(r) for r in frames], dtype=np.float64))
        np.save(os.path.join(sd, "force.npy"), np.array([r["forces"] for r in frames], dtype=np.float64).reshape(len(frames), nat * 3))
        if all(r.get("virial") is not None for r in frames):
            vir = np.array([r["virial"] for r in frames], dtype=np.float64) - pulay_d * np.eye(3)
            np.save(os.path.join(sd, "virial.npy"), vir.reshape(len(frames), 9))
        meta = {"category": cat, "formula": formula, "nframes": len(frames), "natoms": nat,
                "type_map": TYPE_MAP, "setting": frames[0]["setting"],
                "gpaw_version": frames[0].get("gpaw_version"),
                "units": ENERGY_UNITS, "virial_pulay_D_eV": pulay_d,
                "frames": [{**{k: r.get(k) for k in FRAME_KEYS}, **{k: r[k] for k in OPTIONAL_FRAME_KEYS if r.get(k)},
                            "energy_zero_width": r["energy"]} for r in frames]}
        with open(os.path.join(d, "meta.json"), "w") as f:
            json.dump(meta, f, indent=0)
    write_summary(systems, new_root)
    old = DATA_DIR + ".old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(DATA_DIR):
        os.rename(DATA_DIR, old)
    os.rename(new_root, DATA_DIR)
    shutil.rmtree(old, ignore_errors=True)
    print(open(os.path.join(DATA_DIR, "SUMMARY.md")).read())


def write_summary(systems, root):
    rows = {}
    for (cat, formula), frames in systems.items():
        c = rows.setdefault(cat, {"configs": 0, "atoms": 0, "cpu_s": 0.0, "systems": 0})
        c["systems"] += 1
        c["configs"] += len(frames)
        c["atoms"] += sum(len(r["symbols"]) for r in frames)
        c["cpu_s"] += sum(float(r.get("cpu_s") or 0) for r in frames)
    lines = ["# Labelled DFT dataset: summary (generated by `python3 -m factory.pack`)", "",
             f"Generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Setting: GPAW {SETTING['mode']} "
             f"{SETTING['ecut_eV']:.0f} eV, {SETTING['xc']}, k-spacing {SETTING['kspacing_invA']} 1/A, "
             f"{SETTING['smearing']} {SETTING['width_eV']} eV.", "",
             "| category | systems | configurations | atoms | CPU time (h) | mean CPU/config (s) |",
             "|---|---|---|---|---|---|"]
    tot = {"configs": 0, "atoms": 0, "cpu_s": 0.0, "systems": 0}
    for cat in CATEGORIES:
        if cat not in rows:
            lines.append(f"| {cat} | 0 | 0 | 0 | 0 | - |")
            continue
        c = rows[cat]
        for k in tot:
            tot[k] += c[k]
        lines.append(f"| {cat} | {c['systems']} | {c['configs']} | {c['atoms']} | {c['cpu_s']/3600:.2f} | {c['cpu_s']/c['configs']:.0f} |")
    lines.append(f"| **all** | {tot['systems']} | {tot['configs']} | {tot['atoms']} | {tot['cpu_s']/3600:.2f} | "
                 f"{(tot['cpu_s']/tot['configs']) if tot['configs'] else 0:.0f} |")
    with open(os.path.join(root, "SUMMARY.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(root, "summary.json"), "w") as f:
        json.dump({"by_category": rows, "total": tot}, f, indent=1)


if __name__ == "__main__":
    pack()
