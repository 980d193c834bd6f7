#!/usr/bin/env python3
"""The module include graph of a source tree, derived from the #include
lines (issue 11's before/after picture; ARCHITECTURE.md "The include graph").

A module is a directory src/<module>/; a public header include/backaid/X.h
belongs to the module that implements it (tests/layering_test.py's
HEADER_OWNER, the one table). An edge A -> B counts the #include lines of
A's files that name a file of B (tests and their fixtures are left out,
as in the layering test: layering_test.is_test_file).

usage:
  module_graph.py [--root DIR] [--owner HEADER=MODULE ...] [--mermaid]
      print the graph of DIR (default: this repository) as a Markdown table
      (or a Mermaid flowchart); --owner overrides a header's owner, for a
      tree where a header lived elsewhere (before issue 11: vocabulary=assess)
  module_graph.py --check FILE    exit 1 when FILE's generated block (between
                                  the module-graph markers) is not the table
  module_graph.py --update FILE   rewrite that block
"""

import argparse
import collections
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests"))
import layering_test  # noqa: E402  (HEADER_OWNER, LAYER, INCLUDE)

BEGIN = "<!-- module-graph begin (generated: python3 scripts/module_graph.py --update ARCHITECTURE.md) -->"
END = "<!-- module-graph end -->"


def files_of(root):
    """(module, rel, text) of every non-test source file of the tree at root."""
    out = layering_test.source_files(root)
    inc = os.path.join(root, "include", "backaid")
    for f in sorted(os.listdir(inc)):
        if f.endswith(".h"):
            with open(os.path.join(inc, f), encoding="utf-8") as fh:
                out.append((owner_of(f[:-2]), "include/backaid/" + f,
                            fh.read()))
    return out


OWNER = dict(layering_test.HEADER_OWNER)


def owner_of(header):
    return OWNER.get(header, "?" + header)


def target_of(inc):
    m = re.match(r"src/([a-z_]+)/", inc)
    if m:
        return m.group(1)
    m = re.match(r"backaid/([a-z_]+)\.h$", inc)
    if m:
        return owner_of(m.group(1))
    return None


def graph(root):
    """{(from, to): include lines}, the number of files per module, and the
    files above the core that include the expression internals."""
    edges = collections.Counter()
    files = collections.Counter()
    internals = []
    layer = layering_test.LAYER
    for module, rel, text in files_of(root):
        files[module] += 1
        for inc in layering_test.INCLUDE.findall(text):
            t = target_of(inc)
            if t is not None and t != module:
                edges[(module, t)] += 1
            if (inc in layering_test.EXPR_INTERNALS
                    and layer.get(module, 0) >= layer["handover"]
                    and module not in layering_test.EXPR_USERS):
                internals.append(rel)
    return edges, files, internals


def order(modules):
    layer = layering_test.LAYER
    return sorted(modules, key=lambda m: (layer.get(m, 99), m))


def upward(edges):
    layer = layering_test.LAYER
    return [e for e in edges
            if e[0] in layer and e[1] in layer and layer[e[1]] > layer[e[0]]]


def table(edges, files, internals):
    mods = order(set(files) | {m for e in edges for m in e})
    lines = ["| module | files | includes (module: #include lines) |",
             "|---|---|---|"]
    for m in mods:
        outs = [(t, n) for (f, t), n in edges.items() if f == m]
        outs = sorted(outs, key=lambda x: (-x[1], x[0]))
        lines.append(f"| {m} | {files.get(m, 0)} | "
                     + (", ".join(f"{t}: {n}" for t, n in outs) or "—")
                     + " |")
    up = upward(edges)
    lines.append("")
    lines.append(f"{len(mods)} modules, {len(edges)} edges, "
                 f"{sum(edges.values())} #include lines between modules; "
                 f"{len(up)} upward edges against the layering test's order"
                 + (": " + ", ".join(f"{a}→{b}" for a, b in sorted(up))
                    if up else "") + "; "
                 f"{len(internals)} files above the core include the "
                 "expression internals"
                 + (" (" + ", ".join(sorted(set(internals))) + ")"
                    if internals else "") + ".")
    return "\n".join(lines)


def mermaid(edges):
    lines = ["flowchart BT"]
    for (a, b), n in sorted(edges.items(),
                            key=lambda e: (order([e[0][0]]), e[0])):
        lines.append(f"  {a} -->|{n}| {b}")
    return "\n".join(lines)


def block(root):
    return BEGIN + "\n" + table(*graph(root)) + "\n" + END


def replace_block(text, new):
    i, j = text.find(BEGIN), text.find(END)
    if i < 0 or j < 0:
        return None
    return text[:i] + new + text[j + len(END):]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", default=REPO)
    p.add_argument("--owner", action="append", default=[])
    p.add_argument("--mermaid", action="store_true")
    p.add_argument("--check")
    p.add_argument("--update")
    a = p.parse_args()
    for o in a.owner:
        h, m = o.split("=", 1)
        OWNER[h] = m
    if a.check or a.update:
        path = a.check or a.update
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        new = replace_block(text, block(a.root))
        if new is None:
            print(f"{path}: no module-graph markers")
            return 1
        if a.update:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(new)
            return 0
        if new != text:
            print(f"{path}: the include graph is stale; run python3 "
                  "scripts/module_graph.py --update ARCHITECTURE.md")
            return 1
        print("module graph: up to date")
        return 0
    edges, files, internals = graph(a.root)
    print(mermaid(edges) if a.mermaid else table(edges, files, internals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
