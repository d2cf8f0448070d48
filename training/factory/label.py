"""Resumable, checkpointed DFT labeller.

    /usr/bin/python3 -m factory.label run [--max N] [--only CAT,...]   (from training/)
    /usr/bin/python3 -m factory.label status

* Every configuration in configs/*.extxyz (and the active-learning ones, configs/explore/*.extxyz) has a
  stable id.  The active-learning frames come first (oldest iteration, cheapest first), then the rest
  round-robin over categories (dimers twice per round, the short-range dimers for the pair table first, the
  expensive 4x4 nanopores every seventh round), cheapest first within a category.
* Each finished configuration is written at once to work/results/<id>.json (temp file +
  os.replace, so a kill at any moment leaves either the complete file or nothing).
* On (re)start, ids found in work/results/ or already packed in data/*/*/meta.json are
  skipped.  A configuration whose SCF fails is recorded as work/results/<id>.failed.json and
  not retried unless --retry-failed is given.
* factory.pack turns the results into DeePMD-kit npy systems under data/.
"""
import argparse
import glob
import json
import os
import signal
import socket
import sys
import time
import traceback

import numpy as np
from ase.io import read

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONF_DIR = os.path.join(HERE, "configs")
WORK = os.path.join(HERE, "work")
RES_DIR = os.path.join(WORK, "results")
LOG_DIR = os.path.join(WORK, "logs")
DATA_DIR = os.path.join(HERE, "data")

from .generate import CATEGORIES  # noqa: E402


def load_configs():
    """The generator's configurations (configs/<category>.extxyz), then the active-learning ones
    (configs/explore/iterNN.extxyz, written by explore.py)."""
    out = {}
    files = [os.path.join(CONF_DIR, f"{cat}.extxyz") for cat in CATEGORIES]
    files += sorted(glob.glob(os.path.join(CONF_DIR, "explore", "iter*.extxyz")))
    for fn in files:
        if not os.path.exists(fn):
            continue
        for at in read(fn, ":"):
            out[at.info["id"]] = at
    return out


def packed_ids():
    ids = set()
    for fn in glob.glob(os.path.join(DATA_DIR, "*", "*", "meta.json")):
        with open(fn) as f:
            ids.update(fr["id"] for fr in json.load(f)["frames"])
    return ids


def done_ids(include_failed=True):
    ids = set()
    for fn in os.listdir(RES_DIR) if os.path.isdir(RES_DIR) else []:
        if fn.endswith(".failed.json"):
            if include_failed:
                ids.add(fn[:-len(".failed.json")])
        elif fn.endswith(".json"):
            ids.add(fn[:-5])
    return ids | packed_ids()


def queue_order(configs):
    # the active-learning frames (explore.py: where the ensemble disagrees) come first, oldest iteration and
    # cheapest first: they are the most informative; then the generator's configurations, round robin
    al = sorted((at for at in configs.values() if "al_iter" in at.info),
                key=lambda at: (int(at.info["al_iter"]), float(at.info["cost"]), at.info["id"]))
    by_cat = {c: [] for c in CATEGORIES}
    for cid, at in configs.items():
        if "al_iter" not in at.info:
            by_cat[at.info["category"]].append(at)

    def key(at):
        if at.info["category"] == "dimer":
            r = float(at.info["r"])
            # short-range dimers (pair-table window) first, then increasing r
            return (0 if r <= 1.6 else 1, r, at.info["id"])
        # the thermal (near-equilibrium) cells lead their category: the accuracy target is judged on such frames;
        # so do the thick compressed layers, which the energy-strain collapse check needs
        lead = {"thermal", "thick"} & set(at.info["note"].split())
        return (0 if lead else 1, float(at.info["cost"]), at.info["id"])

    for c in by_cat:
        by_cat[c].sort(key=key)
    # configurations per round: dimers twice, the expensive 4x4 nanopores (~20 CPU-minutes each, half the CPU time
    # of the whole queue) every seventh round, so that the cheap categories fill up first
    weights = {c: 1.0 for c in CATEGORIES}
    weights["dimer"] = 2.0
    weights["nanopore"] = 1.0 / 7.0
    credit = {c: 0.0 for c in CATEGORIES}
    order = [at.info["id"] for at in al]
    while any(by_cat.values()):
        for c in CATEGORIES:
            credit[c] += weights[c]
            while credit[c] >= 1.0 - 1e-9 and by_cat[c]:
                order.append(by_cat[c].pop(0).info["id"])
                credit[c] -= 1.0
            if not by_cat[c]:
                credit[c] = 0.0
    return order


def write_atomic(path, obj):
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def claim(cid):
    """Create work/results/<id>.claim exclusively; False if a live process already holds it.

    Lets a second labeller (e.g. `label.sh table-dimers`) share the queue safely."""
    fn = os.path.join(RES_DIR, f"{cid}.claim")
    for _ in range(2):
        try:
            fd = os.open(fn, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            return True
        except FileExistsError:
            try:
                pid = int(open(fn).read().strip() or 0)
                os.kill(pid, 0)
                return False          # held by a live process
            except (ValueError, ProcessLookupError, PermissionError, FileNotFoundError):
                try:
                    os.remove(fn)     # stale claim of a dead process
                except FileNotFoundError:
                    pass
    return False


def unclaim(cid):
    try:
        os.remove(os.path.join(RES_DIR, f"{cid}.claim"))
    except FileNotFoundError:
        pass


def label_one(at, txt=None, scan_moments=False):
    """Run the DFT setting on one configuration; returns the result dict.

    If the SCF does not converge, it is retried once with conservative mixing, or, for a dimer, converged at fixed
    total moments (scan_moments: straight away, for dimers known to oscillate)."""
    import gpaw
    from gpaw import KohnShamConvergenceError
    from .dft import make_calc, SETTING, kpts_for
    at0 = at
    kind = at.info.get("calc_kind", "condensed")
    t0, c0 = time.time(), time.process_time()
    retried = False
    scan = None
    try:
        if scan_moments and kind == "dimer":
            raise KohnShamConvergenceError("fixed-moment scan requested")
        at = at0.copy()
        calc = make_calc(at, kind=kind, txt=txt)
        at.calc = calc
        e = at.get_potential_energy()
    except KohnShamConvergenceError:
        if kind == "dimer":
            # a dimer whose free-moment SCF fails oscillates between spin states (Mo-S at 1.3-1.4 A; slower mixing
            # did not help there): converge it at fixed total moments instead
            at, calc, e, scan = fixed_moment_scan(at0, txt)
        else:
            retried = True
            at = at0.copy()
            calc = make_calc(at, kind=kind, txt=txt.replace(".txt", ".retry.txt") if txt else None,
                             conservative=True)
            at.calc = calc
            e = at.get_potential_energy()
    f = at.get_forces()
    try:
        stress = at.get_stress(voigt=False)
        virial = (-stress * at.get_volume()).tolist()
    except Exception:  # stress not available for this calculation
        virial = None
    res = {
        "id": at.info["id"], "category": at.info["category"], "note": at.info.get("note", ""),
        "calc_kind": kind,
        "symbols": at.get_chemical_symbols(), "positions": at.positions.tolist(),
        "cell": at.cell.array.tolist(), "pbc": at.pbc.tolist(),
        "energy": float(e), "free_energy": float(calc.get_potential_energy(force_consistent=True)),
        "forces": f.tolist(), "virial": virial,
        "magmom": float(calc.get_magnetic_moment()) if kind != "condensed" else 0.0,
        "magmoms": [round(float(m), 4) for m in calc.get_magnetic_moments()] if kind != "condensed" else None,
        "kpts": kpts_for(at) if kind.startswith("condensed") else [1, 1, 1],
        "setting": SETTING, "gpaw_version": gpaw.__version__,
        "niter": int(calc.scf.niter) if getattr(calc, "scf", None) is not None else None,
        "scf_retry_conservative_mixing": retried,
        "fixed_moment_scan": scan,
        "cpu_s": time.process_time() - c0, "wall_s": time.time() - t0,
        "host": socket.gethostname(), "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    return res


FIXED_MOMENTS = (0.0, 2.0, 4.0, 6.0)  # mu_B; every Mo/S dimer has an even number of valence electrons


def fixed_moment_scan(at0, txt=None):
    """A dimer whose free-moment SCF oscillates between spin states: converge it at each fixed total moment and keep
    the lowest energy (the ground state among integer moments). Returns (atoms, calc, energy, {moment: E or None})."""
    from gpaw import KohnShamConvergenceError
    from .dft import make_calc
    best, scan = None, {}
    for m in FIXED_MOMENTS:
        at = at0.copy()
        at.calc = make_calc(at, kind="dimer", txt=txt.replace(".txt", f".m{m:g}.txt") if txt else None,
                            fixed_moment=m)
        try:
            e = at.get_potential_energy()
        except KohnShamConvergenceError:
            scan[f"{m:g}"] = None
            continue
        scan[f"{m:g}"] = float(e)
        if best is None or e < best[2]:
            best = (at, at.calc, e)
    if best is None:
        raise KohnShamConvergenceError(f"no fixed moment in {FIXED_MOMENTS} converged")
    return best[0], best[1], best[2], scan


_stop = False


def _on_term(signum, frame):
    # finish nothing half-way: results are only ever written complete, so just exit now
    print(f"signal {signum}: stopping (the configuration in progress is dropped)", flush=True)
    sys.exit(0)


def run(max_n=None, only=None, retry_failed=False, ids=None, until=None, max_r=None, scan_moments=False):
    os.makedirs(RES_DIR, exist_ok=True)
    os.makedirs(LOG_DIR, exist_ok=True)
    signal.signal(signal.SIGTERM, _on_term)
    configs = load_configs()
    order = ids if ids else queue_order(configs)
    n = 0
    for cid in order:
        if max_n is not None and n >= max_n:
            break
        at = configs[cid]
        if only and at.info["category"] not in only:
            continue
        done = done_ids(include_failed=not retry_failed)
        if until is not None and len(done) >= until:
            print(f"{len(done)} configurations done (--until {until}): pausing the queue", flush=True)
            return
        if cid in done:
            continue
        if max_r is not None and at.info["category"] == "dimer" and float(at.info["r"]) > max_r:
            continue
        if not claim(cid):
            continue
        path = os.path.join(RES_DIR, f"{cid}.json")
        print(f"{time.strftime('%H:%M:%S')} start {cid} ({len(at)} atoms, {at.info.get('note','')})", flush=True)
        try:
            res = label_one(at, txt=os.path.join(LOG_DIR, f"{cid}.txt"), scan_moments=scan_moments)
        except Exception as exc:
            write_atomic(os.path.join(RES_DIR, f"{cid}.failed.json"),
                         {"id": cid, "error": repr(exc), "traceback": traceback.format_exc(),
                          "finished": time.strftime("%Y-%m-%dT%H:%M:%S")})
            print(f"  FAILED {cid}: {exc!r}", flush=True)
            unclaim(cid)
            n += 1
            continue
        write_atomic(path, res)
        unclaim(cid)
        n += 1
        from .spin import needs_check, run as spin_run
        if needs_check(at):     # a group where a moment survives: label it spin-polarised too, keep the lower
            spin_run([cid])
        print(f"  done {cid}: E={res['energy']:.6f} eV, {res['cpu_s']:.1f} s CPU, "
              f"|F|max={np.abs(res['forces']).max():.3f}", flush=True)
    print("queue finished" if max_n is None or n < max_n else f"stopped after {n}", flush=True)


def status():
    configs = load_configs()
    done = done_ids(include_failed=False)
    failed = {fn[:-12] for fn in os.listdir(RES_DIR) if fn.endswith(".failed.json")} if os.path.isdir(RES_DIR) else set()
    packed = packed_ids()
    cats = {}
    for cid, at in configs.items():
        c = cats.setdefault(at.info["category"], [0, 0, 0])
        c[0] += 1
        c[1] += cid in done
        c[2] += cid in failed
    print(f"{'category':14s} {'total':>6s} {'done':>6s} {'failed':>6s}")
    for c in CATEGORIES:
        if c in cats:
            print(f"{c:14s} {cats[c][0]:6d} {cats[c][1]:6d} {cats[c][2]:6d}")
    print(f"{'all':14s} {len(configs):6d} {len(done & set(configs)):6d} {len(failed):6d}   (packed in data/: {len(packed)})")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["run", "status"])
    p.add_argument("--max", type=int, default=None)
    p.add_argument("--only", default=None)
    p.add_argument("--retry-failed", action="store_true")
    p.add_argument("--max-r", type=float, default=None, help="only dimers with r <= this")
    p.add_argument("--until", type=int, default=None, help="stop once this many are done in total")
    p.add_argument("--ids", default=None, help="only these configuration ids (comma-separated), in this order")
    p.add_argument("--scan-moments", action="store_true",
                   help="dimers: go straight to the fixed-moment scan (for dimers whose free-moment SCF oscillates)")
    a = p.parse_args()
    if a.cmd == "run":
        run(a.max, a.only.split(",") if a.only else None, a.retry_failed, ids=a.ids.split(",") if a.ids else None,
            until=a.until, max_r=a.max_r, scan_moments=a.scan_moments)
    else:
        status()


if __name__ == "__main__":
    main()
