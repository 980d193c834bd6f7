#!/usr/bin/env python3
"""The vignette ratchet: both validation protocols on every case set.

  ratchet.py BACKAID RATCHET.json [--update] NAME=FILE ...

For each case set (a JSON Lines file; a set whose file does not exist is
skipped, so the external sets count once they are there) and each protocol
(`validate`, as given, and `validate --interview`), runs backaid and:
  - fails on any unreadable case, and on any under-triage in the own and
    public sets; in an external set (name starting with "external") the
    under-triaged cases are recorded in the ratchet by id, and any case
    under-triaged that is not in that list fails (the list may only
    shrink: the issue's target is an empty list);
  - compares the figures with RATCHET.json: a rate (exact, level and
    conditions, self-care exact, condition recall) may not drop, and a
    question count (median and maximum for non-emergency results, median
    for emergency results) may not rise;
  - fails when a set's case count differs from the ratchet's: the set
    changed, so its figures must be looked at and recorded again;
  - checks the person's path targets (issue 14) on the screens a person
    sees (questions shown together count once, `screen` in questions.yaml):
    median at most 15 screens for a non-emergency result and at most 5 to
    reach an emergency, on the own set, the public set and the external
    sets taken together (one external set alone may hold a single
    emergency case, which is no median).
With --update, writes the current figures instead (after the under-triage
check), for a change that was reviewed: `make ratchet`.
"""
import json
import os
import subprocess
import sys

HIGHER = ["exact_rate", "fully_exact_rate", "self_care_exact_rate",
          "condition_recall"]
LOWER = ["screens_not_emergency_median", "screens_not_emergency_max",
         "screens_emergency_median", "questions_not_emergency_median",
         "questions_not_emergency_max", "questions_emergency_median"]
# Issue 14's targets, on screens (median; emergency: to reach it).
TARGETS = {"screens_not_emergency_median": 15, "screens_emergency_median": 5}
EPS = 1e-9


def figures(backaid, path, interview):
    paths = path if isinstance(path, list) else [path]
    cmd = [backaid, "validate", "--format", "json"] + paths
    if interview:
        cmd.append("--interview")
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 1) or not p.stdout:
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr}")
    r = json.loads(p.stdout)
    out = {"cases": r["validated"], "under_triage": len(r["under_triage"]),
           "unreadable": r["unreadable"],
           "under_triage_ids": sorted(m["id"] for m in r["under_triage"])}
    for k in HIGHER:
        out[k] = round(r[k], 4)
    if interview:
        q = r["questions"]
        out["questions_not_emergency_median"] = q["not_emergency"]["median"]
        out["questions_not_emergency_max"] = q["not_emergency"]["max"]
        out["questions_emergency_median"] = q["emergency"]["median"]
        sc = r["screens"]
        out["screens_not_emergency_median"] = sc["not_emergency"]["median"]
        out["screens_not_emergency_max"] = sc["not_emergency"]["max"]
        out["screens_emergency_median"] = sc["emergency"]["median"]
    return out, r


def check_targets(name, got, problems):
    for k, limit in TARGETS.items():
        if got.get(k, -1) > limit:
            problems.append(f"{name}: {k} is {got[k]}, the target is at most "
                            f"{limit}")


def main():
    args = sys.argv[1:]
    if len(args) < 3:
        sys.exit(__doc__)
    backaid, ratchet_path = args[0], args[1]
    update = "--update" in args
    sets = [a for a in args[2:] if a != "--update"]
    try:
        with open(ratchet_path) as f:
            ratchet = json.load(f)
    except FileNotFoundError:
        ratchet = {}
    problems = []
    current = dict(ratchet) if update else {}
    external = []
    for spec in sets:
        name, _, path = spec.partition("=")
        if not os.path.exists(path):
            print(f"{name}: {path} not there yet, skipped")
            continue
        if name.startswith("external"):
            external.append(path)
        for protocol in ("as_given", "interview"):
            key = f"{name}/{protocol}"
            got, raw = figures(backaid, path, protocol == "interview")
            line = ", ".join(f"{k} {v}" for k, v in got.items()
                             if k != "under_triage_ids")
            print(f"{key}: {line}")
            if protocol == "interview" and not name.startswith("external"):
                check_targets(key, got, problems)
            old = ratchet.get(key)
            known = set()
            if name.startswith("external") and old is not None and not update:
                known = set(old.get("under_triage_ids", []))
            if name.startswith("external") and update:
                known = set(got["under_triage_ids"])
            for m in raw["under_triage"]:
                if m["id"] in known:
                    continue
                problems.append(f"{key}: under-triage {m['id']}: expected "
                                f"{m['expected']}, got {m['got']}")
            for e in raw["errors"]:
                problems.append(f"{key}: unreadable {e['id']}: {e['error']}")
            if update:
                current[key] = got
                continue
            if old is None:
                problems.append(f"{key}: not in {ratchet_path} (make ratchet)")
                continue
            if old["cases"] != got["cases"]:
                problems.append(f"{key}: {got['cases']} cases, the ratchet has "
                                f"{old['cases']}: the set changed; review its "
                                "figures and record them (make ratchet)")
                continue
            for k in HIGHER:
                if got[k] < old[k] - EPS:
                    problems.append(f"{key}: {k} fell from {old[k]} to {got[k]}")
            for k in LOWER:
                if k in old and old[k] >= 0 and got.get(k, -1) > old[k]:
                    problems.append(f"{key}: {k} rose from {old[k]} to {got[k]}")
    if external:
        got, _ = figures(backaid, external, True)
        print("external (all)/interview: " + ", ".join(
            f"{k} {got[k]}" for k in TARGETS))
        check_targets("external (all)/interview", got, problems)
    if update:
        with open(ratchet_path, "w") as f:
            json.dump(current, f, indent=2, sort_keys=True)
            f.write("\n")
        print(f"wrote {ratchet_path}")
    for p in problems:
        print("FAIL " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
