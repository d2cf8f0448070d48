"""Spin check of the condensed labels: relabel spin-polarised, keep the lower free energy.

    /usr/bin/python3 -m factory.spin screen            one labelled representative per group, cheapest first
    /usr/bin/python3 -m factory.spin run [--groups G]  every labelled configuration of the magnetic groups
    /usr/bin/python3 -m factory.spin run --ids A,B     these configurations
    /usr/bin/python3 -m factory.spin status            the checks done, by group: moment and energy change
(from training/)

The condensed cells are labelled spin-paired (factory.dft).  That is right for MoS2 and its S-side defects, but an
under-coordinated Mo (an adatom or interstitial, a Mo-rich pore edge, a Mo cluster in a hot cell) keeps a moment:
a Mo adatom cell relabelled spin-polarised came out 1.8 eV lower (README, "Spin").  A check runs the same setting
spin-polarised from ferromagnetic initial moments on Mo (make_calc kind 'condensed-spin') and writes
work/spin/<id>.json at once (resumable like the labeller; claim files let two workers share a list).

factory.pack applies a check (`apply_check`): where the spin-polarised free energy is lower than the spin-paired
label's by more than SPIN_TOL_EV, the spin-polarised result replaces the label; either way the frame's meta records
the check (`spin_check`), so a fresh clone keeps the decision without work/.

A group is a category and a defect type (the note without its per-configuration numbers, cell size and 'thermal').
The screen checks one labelled configuration per group and cell, the cheapest; the groups where a moment survives
are listed in MAGNETIC_GROUPS, and `run` then checks all their configurations, in every cell.
"""
import argparse
import json
import os
import re
import time

from .label import RES_DIR, WORK, LOG_DIR, load_configs, write_atomic, claim, unclaim, label_one

SPIN_DIR = os.path.join(WORK, "spin")
# the spin-polarised result replaces the label if its free energy is lower by more than this (eV per cell): a state
# whose moment vanishes is the spin-paired one, equal to the SCF tolerance
SPIN_TOL_EV = 2e-3
# categories whose cells can hold an under-coordinated Mo (the bulk and monolayer cells are strained or rattled
# perfect crystals, and the isolated atoms and dimers are spin-polarised already)
CHECKED_CATEGORIES = ("vacancy", "substitution", "nanopore", "interstitial", "hot")
# groups (see group_of) where the screen found a surviving moment: every configuration of these is checked (screen
# of session 13, README section 1 "Spin"); the nanopores all are, their Mo edges being magnetic like the first one
MAGNETIC_GROUPS = (
    "interstitial|interstitial Mo",     # Mo adatom in 2x2: -82 meV/atom, 4.2 mu_B (in the dense 1x1 cell: -0.03)
    "substitution|antisite MoS",        # Mo on an S site, 2x2: -8.7 meV/atom, 2.0 mu_B
    "vacancy|VMoS3",                    # V_MoS3, 2x2: -2.0 meV/atom, 0.7 mu_B
)
MAGNETIC_CATEGORIES = ("nanopore",)             # pore Mo4S12 in 4x4: -7.1 meV/atom, 5.0 mu_B
# the same defect types among the report's defect cells (trainer.properties.DEFECTS): reference.py relaxes them
# spin-polarised
MAGNETIC_DEFECTS = ("Mo_S", "V_MoS3")


def group_of(at) -> str:
    """'category|defect type': the note without its per-configuration numbers ('rattle=0.153', 'dmin>=1.8'), the
    cell size and 'thermal' (the same defect, rattled less)."""
    note = " ".join(w for w in at.info.get("note", "").split()
                    if "=" not in w and w != "thermal" and not re.fullmatch(r"\d+x\d+", w))
    return f"{at.info['category']}|{note}"


def is_magnetic_group(at) -> bool:
    return group_of(at) in MAGNETIC_GROUPS or at.info["category"] in MAGNETIC_CATEGORIES


def needs_check(at) -> bool:
    return at.info.get("calc_kind", "condensed") == "condensed" and is_magnetic_group(at)


def labelled():
    """id -> the current label (result-like dict): packed frames, overlaid by work/results."""
    from .pack import read_packed, read_results
    out = read_packed()
    out.update(read_results())
    return out


def check_one(at, paired: dict) -> dict:
    """Spin-polarised SCF of `at`; the record holds the full result (to replace the label) and the comparison."""
    sp = at.copy()
    sp.info = dict(at.info, calc_kind="condensed-spin")
    res = label_one(sp, txt=os.path.join(LOG_DIR, f"{at.info['id']}.spin.txt"))
    f_paired = paired.get("free_energy")
    f_paired = float(f_paired if f_paired is not None else paired["energy"])
    return {"result": res, "paired_free_energy": f_paired,
            "dF_eV": res["free_energy"] - f_paired, "natoms": len(at),
            "magmom": res["magmom"], "abs_magmom": float(sum(abs(m) for m in res["magmoms"]))}


def apply_check(frame: dict, check: dict) -> dict:
    """The label after a spin check: the spin-polarised result if it is lower by more than SPIN_TOL_EV, else
    `frame`; either way with `spin_check` (the comparison) attached.  Depends only on `check`, so applying it again
    to its own output changes nothing."""
    summary = {"dF_eV": round(check["dF_eV"], 6), "paired_free_energy": check["paired_free_energy"],
               "magmom": round(check["magmom"], 4), "abs_magmom": round(check["abs_magmom"], 4),
               "cpu_s": round(check["result"]["cpu_s"], 1), "finished": check["result"]["finished"]}
    if check["dF_eV"] < -SPIN_TOL_EV:
        out = dict(check["result"])
        summary["kept"] = "spin-polarised"
    else:
        out = dict(frame)
        summary["kept"] = "spin-paired"
    out["spin_check"] = summary
    return out


def read_checks() -> dict:
    out = {}
    if os.path.isdir(SPIN_DIR):
        for fn in sorted(os.listdir(SPIN_DIR)):
            if fn.endswith(".json"):
                with open(os.path.join(SPIN_DIR, fn)) as f:
                    c = json.load(f)
                out[c["result"]["id"]] = c
    return out


def checked_ids(labels: dict) -> set:
    return set(read_checks()) | {cid for cid, r in labels.items() if r.get("spin_check")}


def run(ids):
    for d in (SPIN_DIR, LOG_DIR, RES_DIR):
        os.makedirs(d, exist_ok=True)
    configs = load_configs()
    for cid in ids:
        labels = labelled()
        if cid not in labels or cid in checked_ids(labels):
            continue
        if labels[cid].get("calc_kind", "condensed") != "condensed":
            continue
        if not claim(f"spin-{cid}"):
            continue
        at = configs[cid]
        print(f"{time.strftime('%H:%M:%S')} spin check {cid} ({len(at)} atoms, {group_of(at)})", flush=True)
        try:
            chk = check_one(at, labels[cid])
        except Exception as exc:  # an SCF that fails both ways: leave the label as it is, report it
            print(f"  FAILED {cid}: {exc!r}", flush=True)
            unclaim(f"spin-{cid}")
            continue
        write_atomic(os.path.join(SPIN_DIR, f"{cid}.json"), chk)
        unclaim(f"spin-{cid}")
        print(f"  {cid}: dF = {chk['dF_eV']*1000:+.1f} meV ({chk['dF_eV']*1000/len(at):+.2f} meV/atom), "
              f"M = {chk['magmom']:.2f}, sum|m| = {chk['abs_magmom']:.2f} mu_B, {chk['result']['cpu_s']:.0f} s CPU",
              flush=True)


def screen_ids(configs, labels):
    """One labelled configuration per group and cell of the checked categories, the cheapest, cheapest first."""
    best = {}
    for cid, at in configs.items():
        if at.info["category"] in CHECKED_CATEGORIES and cid in labels:
            g = (group_of(at), at.get_chemical_formula(mode="metal"))
            if g not in best or float(at.info["cost"]) < float(configs[best[g]].info["cost"]):
                best[g] = cid
    return sorted(best.values(), key=lambda c: float(configs[c].info["cost"]))


def group_ids(configs, labels, groups=None):
    """The labelled configurations of these groups (default: the magnetic ones), cheapest first."""
    ids = [cid for cid, at in configs.items() if cid in labels
           and (group_of(at) in groups if groups else is_magnetic_group(at))]
    return sorted(ids, key=lambda c: float(configs[c].info["cost"]))


def status():
    configs = load_configs()
    labels = labelled()
    checks = {cid: r["spin_check"] for cid, r in labels.items() if r.get("spin_check")}
    checks.update({cid: {"dF_eV": c["dF_eV"], "magmom": c["magmom"], "abs_magmom": c["abs_magmom"]}
                   for cid, c in read_checks().items()})
    print(f"{'id':20s} {'group':36s} {'cell':9s} {'dF (meV/atom)':>14s} {'M':>6s} {'sum|m|':>7s}")
    for cid in sorted(checks, key=lambda c: (group_of(configs[c]), c)):
        c, at = checks[cid], configs[cid]
        print(f"{cid:20s} {group_of(at):36s} {at.get_chemical_formula(mode='metal'):9s} "
              f"{c['dF_eV']*1000/len(at):14.2f} {c['magmom']:6.2f} "
              f"{c['abs_magmom']:7.2f}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["screen", "run", "status"])
    p.add_argument("--ids", default=None)
    p.add_argument("--groups", default=None, help="groups (category|defect type), ';' between them")
    a = p.parse_args()
    if a.cmd == "status":
        return status()
    configs, labels = load_configs(), labelled()
    if a.cmd == "screen":
        ids = screen_ids(configs, labels)
    elif a.ids:
        ids = a.ids.split(",")
    else:
        ids = group_ids(configs, labels, a.groups.split(";") if a.groups else None)
    run(ids)


if __name__ == "__main__":
    main()
