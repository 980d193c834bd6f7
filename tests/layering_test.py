"""The module order of ARCHITECTURE.md ("Modules and their edges"), checked
on the #include lines of src/ and include/backaid/ (issue 11): a module may
include its own files and those of modules in a lower layer, never a higher
one. Layers, lowest first (a layer's modules may include each other):

  0 knowledge, loadable, sanitizer      (the core knowledge base; helpers)
  1 engine
  2 caseio, plan, calendar, assess     (results, plan, assessment)
  3 triage                              (batch and validation)
  4 diary                               (the follow-up diary)
  5 handover, storage
  6 fhir, cdshooks                      (interop)
  7 bundle                              (lists every module's extension)
  8 api, cli, kbc                       (fronts, build tools)

A public header include/backaid/X.h belongs to the module that implements
it (HEADER_OWNER). Besides the layers:
  - src/server (the HTTP transport) includes no backaid module but itself
    and backaid/status.h;
  - above the core (layer 5 and up) the expression internals
    (src/knowledge/expr.h, eval.h) are not used: the public
    FindingValueText / KnowledgeBase calls are.
Tests (*_test.cc, src/knowledge/test_kb.h) are not checked.

usage: layering_test.py SOURCE_DIR            (exit 1 on any violation)
       layering_test.py --self-test SOURCE_DIR (the check catches the
                                                 edges issue 11 removed)
"""

import os
import re
import sys

LAYERS = [
    ["knowledge", "loadable", "sanitizer"],
    ["engine"],
    ["caseio", "plan", "calendar", "assess"],
    ["triage"],
    ["diary"],
    ["handover", "storage"],
    ["fhir", "cdshooks"],
    ["bundle"],
    ["api", "cli", "kbc"],
]
LAYER = {m: i for i, ms in enumerate(LAYERS) for m in ms}

HEADER_OWNER = {
    "status": "knowledge", "case": "knowledge", "knowledge_base": "knowledge",
    "version": "knowledge", "engine": "engine", "case_json": "caseio",
    "report": "caseio", "plan": "plan", "calendar": "calendar",
    "assess": "assess", "batch": "triage", "diary": "diary",
    "vocabulary": "diary", "handover": "handover",
}

EXPR_INTERNALS = {"src/knowledge/expr.h", "src/knowledge/eval.h"}
# The build-time rule compiler renders the expression trees themselves.
EXPR_USERS = {"kbc"}
SERVER_MAY_INCLUDE = {"backaid/status.h"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module_of_include(path):
    """The module an include path names, or None (not a backaid file)."""
    m = re.match(r"src/([a-z_]+)/", path)
    if m:
        return m.group(1)
    m = re.match(r"backaid/([a-z_]+)\.h$", path)
    if m:
        return HEADER_OWNER.get(m.group(1), "?" + m.group(1))
    return None


def violations_of(module, name, text):
    """Violations of the rules for one file `name` of `module`."""
    out = []
    for inc in INCLUDE.findall(text):
        target = module_of_include(inc)
        if target is None or target == module:
            continue
        if target.startswith("?"):
            out.append(f"{name}: includes {inc}, a public header with no "
                       "owner in tests/layering_test.py (HEADER_OWNER)")
            continue
        if module == "server":
            if inc not in SERVER_MAY_INCLUDE:
                out.append(f"{name}: includes {inc}: the HTTP transport "
                           "includes no backaid module")
            continue
        if target == "server":
            if LAYER.get(module, 0) < LAYER["fhir"]:
                out.append(f"{name}: includes {inc}: only fronts use the "
                           "HTTP transport")
            continue
        if module not in LAYER or target not in LAYER:
            out.append(f"{name}: module {module if module not in LAYER else target}"
                       " has no layer in tests/layering_test.py")
            continue
        if LAYER[target] > LAYER[module]:
            out.append(f"{name}: includes {inc}: {module} (layer "
                       f"{LAYER[module]}) may not include {target} (layer "
                       f"{LAYER[target]})")
        if (inc in EXPR_INTERNALS and LAYER[module] >= LAYER["handover"]
                and module not in EXPR_USERS):
            out.append(f"{name}: includes {inc}: the expression internals "
                       "are not used above the core (use FindingValueText "
                       "or the KnowledgeBase calls)")
    return out


def is_test_file(name):
    """Test sources and their fixtures: left out of the layering and the
    module graph (scripts/module_graph.py)."""
    return name.endswith(("_test.cc", "_test_util.h")) or name == "test_kb.h"


def source_files(src_dir):
    """(module, rel, text) of every non-test .cc/.h under src_dir/src."""
    out = []
    for root, _, files in os.walk(os.path.join(src_dir, "src")):
        for f in sorted(files):
            if not f.endswith((".cc", ".h")) or is_test_file(f):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, src_dir)
            with open(path, encoding="utf-8") as fh:
                out.append((rel.split(os.sep)[1], rel, fh.read()))
    return out


def scan(src_dir):
    found = []
    for module, rel, text in source_files(src_dir):
        found += violations_of(module, rel, text)
    inc_dir = os.path.join(src_dir, "include", "backaid")
    for f in sorted(os.listdir(inc_dir)):
        if not f.endswith(".h"):
            continue
        owner = HEADER_OWNER.get(f[:-2])
        rel = os.path.join("include", "backaid", f)
        if owner is None:
            found.append(f"{rel}: no owner in tests/layering_test.py "
                         "(HEADER_OWNER)")
            continue
        with open(os.path.join(inc_dir, f), encoding="utf-8") as fh:
            found += violations_of(owner, rel, fh.read())
    return found


def self_test():
    """Each edge issue 11 removed is caught if it comes back."""
    cases = [
        ("assess", "src/assess/vocabulary.cc",
         '#include "src/diary/diary_model.h"\n'),
        ("assess", "src/assess/vocabulary.cc", '#include "backaid/diary.h"\n'),
        ("handover", "src/handover/handover.cc",
         '#include "src/knowledge/expr.h"\n'),
        ("server", "src/server/http_server.cc",
         '#include "backaid/engine.h"\n'),
        ("engine", "src/engine/engine.cc", '#include "src/plan/plan_model.h"\n'),
    ]
    bad = 0
    for module, name, text in cases:
        if not violations_of(module, name, text):
            print(f"FAIL self-test: {name} with {text.strip()} passes")
            bad += 1
    if violations_of("diary", "src/diary/x.cc",
                     '#include "src/assess/questionnaire_model.h"\n'):
        print("FAIL self-test: diary -> assess (downward) is refused")
        bad += 1
    return bad


def main():
    if sys.argv[1] == "--self-test":
        bad = self_test()
        src_dir = sys.argv[2]
    else:
        bad = 0
        src_dir = sys.argv[1]
    problems = scan(src_dir)
    for p in problems:
        print("FAIL", p)
    if problems or bad:
        sys.exit(1)
    print("layering: ok")


if __name__ == "__main__":
    main()
