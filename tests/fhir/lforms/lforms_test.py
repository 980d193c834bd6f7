"""backaid's Questionnaire in LHC-Forms, a real third-party FHIR form renderer.

The pinned LHC-Forms browser files (fetch.sh) and a bare test page are
served by the real `backaid serve --web` (no CDN). For a published plain
spasm, a published cauda equina case and the first own vignette of each
level, this test walks POST /v1/assessments (answers from the case, as
tests/fhir/fhir_test.py does), then has Chromium fill the rendered form
with the same answers in the same order (lforms_fill.mjs: clicks and typing)
and takes the QuestionnaireResponse that LHC-Forms builds. Checks:
  * every control the adaptive path needed was on the page: enableWhen
    never hides a question the adaptive path asks;
  * LHC-Forms' QuestionnaireResponse carries exactly the answers given;
  * POST /fhir/$triage of it gives the level and conditions of
    /v1/assessments.

Usage: lforms_test.py BACKAID_BIN SOURCE_DIR LFORMS_DIR NODE_MODULES_DIR OUT_DIR
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "server"))
sys.path.insert(0, os.path.join(HERE, ".."))
from server_lib import Server, check, finish  # noqa: E402
from fhir_test import (FHIR, OPTION_SYSTEM, Yaml12Loader, bundle_triage,  # noqa: E402
                       reply_for)


def load_cases(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def pick_cases(src):
    ext = os.path.join(src, "knowledge", "vignettes", "external")
    chosen = []
    spasm = next(c for c in load_cases(os.path.join(ext, "selfcare.jsonl"))
                 if c["expected"]["triage"] == "self_care")
    ces = next(c for f in ("serious.jsonl", "msk.jsonl")
               for c in load_cases(os.path.join(ext, f))
               if "cauda_equina_syndrome" in c["expected"].get("conditions", []))
    chosen += [spasm, ces]
    own = load_cases(os.path.join(src, "knowledge", "vignettes", "own.jsonl"))
    for level in ("self_care", "routine", "urgent", "emergency"):
        chosen.append(next(c for c in own
                           if c["expected"]["triage"] == level))
    return chosen


def qr_answers(qr):
    """linkId -> list of answer values (codes or numbers) in a QR."""
    got = {}

    def walk(items):
        for it in items or []:
            vals = []
            for a in it.get("answer", []):
                if "valueCoding" in a:
                    vals.append(a["valueCoding"]["code"])
                elif "valueInteger" in a:
                    vals.append(a["valueInteger"])
                elif "valueDecimal" in a:
                    vals.append(a["valueDecimal"])
                walk(a.get("item"))
            if vals:
                got[it["linkId"]] = vals
            walk(it.get("item"))
    walk(qr.get("item"))
    return got


def main():
    binary, src, lforms, node_modules, out_dir = sys.argv[1:6]
    with open(os.path.join(src, "knowledge", "questions.yaml")) as f:
        questions = {q["id"]: q for q in
                     yaml.load(f, Loader=Yaml12Loader)["questions"]}
    work = tempfile.mkdtemp(prefix="backaid-lforms-")
    root = os.path.join(work, "web")
    shutil.copytree(os.path.join(lforms, "assets"),
                    os.path.join(root, "assets"))
    shutil.copy(os.path.join(HERE, "page.html"),
                os.path.join(root, "index.html"))
    srv = Server(binary, "sqlite:" + os.path.join(work, "db.sqlite"),
                 extra=["--rate", "0", "--web", root]).start()
    try:
        cases, expected = [], {}
        for case in pick_cases(src):
            facts = dict(case.get("findings", {}))
            for k in ("age", "sex"):
                if k in case:
                    facts[k] = case[k]
            answers, order, v1 = {}, [], None
            for _ in range(100):
                st, _, v1 = srv.json("POST", "/v1/assessments",
                                     {"answers": answers})
                if not check(st == 200, f"{case['id']}: /v1/assessments {st}"):
                    break
                nq = v1["next_question"]
                if nq is None:
                    break
                reply = reply_for(questions[nq["id"]], facts)
                answers[nq["id"]] = reply
                number = questions[nq["id"]]["kind"] == "number"
                order.append([nq["id"],
                              None if number and reply == "unsure" else reply])
            expected[case["id"]] = (v1["triage"]["triage"],
                                    set(v1["triage"]["conditions"]), answers)
            cases.append({"id": case["id"], "answers": order})
        job = os.path.join(work, "job.json")
        with open(job, "w") as f:
            json.dump({"base": f"http://127.0.0.1:{srv.port}",
                       "option_system": OPTION_SYSTEM, "cases": cases}, f)
        result = os.path.join(work, "out.json")
        r = subprocess.run(
            ["node", os.path.join(HERE, "lforms_fill.mjs"),
             "--node-modules", node_modules, "--job", job, "--out", result,
             "--shots", out_dir], capture_output=True, text=True, timeout=900)
        if not check(r.returncode == 0, f"lforms_fill.mjs: {r.returncode} "
                     f"{r.stderr[-3000:]}"):
            return
        with open(result) as f:
            filled = json.load(f)
        levels = set()
        for cid, (level, conditions, answers) in expected.items():
            got = filled[cid]
            check(got["lforms_version"] == "40.1.3",
                  f"{cid}: rendered by LHC-Forms 40.1.3 "
                  f"({got['lforms_version']})")
            check(not got["page_errors"],
                  f"{cid}: no script error on the page {got['page_errors']}")
            check(not got["missing"], f"{cid}: every control the adaptive "
                  f"path needed was on the page (hidden: {got['missing']})")
            qr = got["qr"]
            want = {k: (v if isinstance(v, list) else [v])
                    for k, v in answers.items() if v != "unsure" or
                    questions[k]["kind"] != "number"}
            have = qr_answers(qr)
            check(have == want, f"{cid}: LHC-Forms' QuestionnaireResponse "
                  f"holds exactly the answers given: {have} != {want}")
            st, _, bundle = srv.json(
                "POST", "/fhir/$triage",
                {"resourceType": "Parameters",
                 "parameter": [{"name": "response", "resource": qr}]},
                headers={"Content-Type": FHIR})
            if not check(st == 200, f"{cid}: $triage of LHC-Forms' response "
                         f"{st} {json.dumps(bundle)[:600]}"):
                continue
            check(bundle_triage(bundle) == (level, conditions),
                  f"{cid}: $triage {bundle_triage(bundle)} == "
                  f"/v1/assessments {(level, conditions)}")
            levels.add(level)
        check(len(levels) == 4, f"all four levels were filled in ({levels})")
    finally:
        srv.stop()
        shutil.rmtree(work, ignore_errors=True)
    finish("fhir_lforms")


if __name__ == "__main__":
    main()
