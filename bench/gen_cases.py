#!/usr/bin/env python3
"""Writes synthetic but realistic backaid cases as JSON Lines.

Each case is a copy of a vignette case (shared/vignettes/public.jsonl and
knowledge/vignettes/own.jsonl) with a few findings changed, removed or added.
Values stay in range and of the right type (per knowledge/findings.yaml), so
every line is a valid case. Ids are unique ("syn-0000001", ...). The output
is deterministic for a given seed, vignette files and findings vocabulary.

Usage: bench/gen_cases.py [--count N] [--seed S] [--complete] OUTPUT

--complete answers every finding a case leaves out with its normal answer
(false for yes/no findings, none for sides, the `normal` of findings.yaml
otherwise; numbers without one stay out), so the red-flag screen of every case is complete:
the other end of the batch's output size from the sparse default.

Python 3 standard library only.
"""

import argparse
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FINDINGS_YAML = os.path.join(ROOT, "knowledge", "findings.yaml")
VIGNETTES = [
    os.path.join(ROOT, "..", "shared", "vignettes", "public.jsonl"),
    os.path.join(ROOT, "knowledge", "vignettes", "own.jsonl"),
]
TOP_LEVEL = ("age", "sex")  # findings that cases carry at the top level


def _list(text):
    """Parses a flow list such as "[a, b]" or "[0, 120]"."""
    inner = text.strip()
    if not (inner.startswith("[") and inner.endswith("]")):
        raise ValueError("expected a [list], got %r" % text)
    return [item.strip().strip("'\"") for item in inner[1:-1].split(",")
            if item.strip()]


normals = {}  # key -> the normal answer (load_findings fills it)


def complete(case):
    """Answers every finding the case leaves out with its normal answer."""
    for key, value in normals.items():
        if key in TOP_LEVEL:
            continue
        case["findings"].setdefault(key, value)
    return case


def load_findings(path):
    """Reads the findings vocabulary: {key: (type, spec)}.

    A small line-based reader for the simple layout of findings.yaml
    ("- key:", then "type:", "range:", "values:" lines), so the script needs
    no YAML library.
    """
    findings = {}
    current = None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split("#", 1)[0].rstrip()  # no '#' in keys/types
            m = re.match(r"^\s*-\s+key:\s*(\S+)\s*$", line)
            if m:
                current = {"key": m.group(1)}
                findings[current["key"]] = current
                continue
            if current is None:
                continue
            m = re.match(r"^\s+(type|range|values|normal):\s*(.+)$", line)
            if m:
                current[m.group(1)] = m.group(2).strip()
    out = {}
    normals.clear()
    for key, d in findings.items():
        t = d.get("type")
        if "normal" in d:
            v = d["normal"].strip().strip("'\"")
            if t == "bool":
                normals[key] = v == "true"
            elif t == "int":
                normals[key] = int(v)
            elif t == "number":
                normals[key] = float(v)
            else:
                normals[key] = v
        elif t == "bool":
            normals[key] = False
        elif t == "side":
            normals[key] = "none"
        t = d.get("type")
        if t == "bool":
            out[key] = ("bool", None)
        elif t in ("int", "number"):
            lo, hi = (float(x) for x in _list(d["range"]))
            out[key] = (t, (lo, hi))
        elif t == "side":
            out[key] = ("enum", ["none", "one", "both"])
        elif t == "enum":
            out[key] = ("enum", _list(d["values"]))
        else:
            raise ValueError("finding %s: unsupported type %r" % (key, t))
    return out


def load_vignettes(paths):
    cases = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    cases.append(json.loads(line))
    if not cases:
        raise SystemExit("gen_cases.py: no vignette cases found")
    return cases


def random_value(rng, kind, spec, current=None):
    """A random in-range value of the right type, often near `current`."""
    if kind == "bool":
        if current is not None and rng.random() < 0.7:
            return not current
        return rng.random() < 0.35
    if kind == "enum":
        return rng.choice(spec)
    lo, hi = spec
    if kind == "int":
        lo, hi = int(lo), int(hi)
        if current is not None and rng.random() < 0.6:
            step = max(1, (hi - lo) // 20)
            return min(hi, max(lo, int(current) + rng.randint(-step, step)))
        if hi - lo > 100 and rng.random() < 0.7:
            return rng.randint(lo, lo + 100)
        return rng.randint(lo, hi)
    # number: one decimal place
    if current is not None and rng.random() < 0.6:
        v = float(current) + rng.uniform(-1.5, 1.5)
    else:
        v = rng.uniform(lo, hi)
    return round(min(hi, max(lo, v)), 1)


def perturb(rng, base, vocab, keys, n):
    case = {"id": "syn-%07d" % n, "age": base["age"], "sex": base["sex"],
            "findings": dict(base.get("findings", {}))}
    findings = case["findings"]
    for _ in range(rng.randint(0, 4)):
        roll = rng.random()
        if roll < 0.15 and findings:  # forget an answer
            del findings[rng.choice(sorted(findings))]
        elif roll < 0.55 and findings:  # change an answer
            key = rng.choice(sorted(findings))
            kind, spec = vocab[key]
            findings[key] = random_value(rng, kind, spec, findings[key])
        else:  # answer another question
            key = rng.choice(keys)
            kind, spec = vocab[key]
            findings[key] = random_value(rng, kind, spec, findings.get(key))
    if rng.random() < 0.3:
        kind, spec = vocab["age"]
        case["age"] = random_value(rng, kind, spec, case["age"])
    if rng.random() < 0.05:
        case["sex"] = rng.choice(vocab["sex"][1])
    return case


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("output", help="file to write (JSON Lines)")
    p.add_argument("--count", type=int, default=1_000_000,
                   help="number of cases (default 1,000,000)")
    p.add_argument("--seed", type=int, default=20261121)
    p.add_argument("--complete", action="store_true",
                   help="answer every left-out finding with its normal answer")
    args = p.parse_args()

    vocab = load_findings(FINDINGS_YAML)
    for key in TOP_LEVEL:
        if key not in vocab:
            raise SystemExit("gen_cases.py: finding %r missing" % key)
    keys = sorted(k for k in vocab if k not in TOP_LEVEL)
    vignettes = load_vignettes(VIGNETTES)
    for v in vignettes:
        for key in v.get("findings", {}):
            if key not in vocab:
                raise SystemExit("gen_cases.py: vignette %s uses unknown "
                                 "finding %r" % (v.get("id"), key))

    rng = random.Random(args.seed)
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        batch = []
        for n in range(1, args.count + 1):
            case = perturb(rng, rng.choice(vignettes), vocab, keys, n)
            if args.complete:
                complete(case)
            batch.append(json.dumps(case))
            if len(batch) == 10000:
                out.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            out.write("\n".join(batch) + "\n")
    os.replace(tmp, args.output)
    print("gen_cases.py: wrote %d cases to %s" % (args.count, args.output),
          file=sys.stderr)


if __name__ == "__main__":
    main()
