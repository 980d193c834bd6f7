"""FHIR front end to end, over the real `backaid serve` binary.

For every case of knowledge/vignettes/own.jsonl: walk the adaptive path of
POST /v1/assessments, answering each question the server asks from the
case's findings (through the options' `sets` in knowledge/questions.yaml;
"not sure" where the case does not say), then send the same answers as a
FHIR QuestionnaireResponse to POST /fhir/$triage and
/fhir/QuestionnaireResponse/$extract and check that the Bundle's triage
level and conditions equal /v1/assessments', that every reference resolves
inside the Bundle, that pain is LOINC 72514-3, and that an emergency (and
only an emergency) has a DetectedIssue and a Communication. Then the
errors: each an OperationOutcome with the right status, never a 5xx.

Every resource received (the Questionnaire, the CapabilityStatement, a
sample of Bundles including emergencies, the OperationOutcomes) is then
validated against the FHIR R4 JSON schema by a pinned npm package
(tests/fhir/node/validate.cjs), and R4's FHIRPath invariants are evaluated
over them by the `fhirpath` package (tests/fhir/node/invariants.cjs).

Usage: fhir_test.py BACKAID_BINARY SOURCE_DIR NODE_MODULES_DIR
"""

import json
import os
import subprocess
import sys
import tempfile
import urllib.parse

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "server"))
from server_lib import Server, check, finish  # noqa: E402

FHIR = "application/fhir+json"
BASE = "https://backaid.invalid/fhir"
OPTION_SYSTEM = BASE + "/CodeSystem/backaid-answer-option"
LEVEL_SYSTEM = BASE + "/CodeSystem/backaid-triage-level"
CONDITION_SYSTEM = BASE + "/CodeSystem/backaid-condition"


class Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 booleans (true/false only), as yaml-cpp reads them: an
    option id `yes` stays the string "yes"."""


Yaml12Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", __import__("re").compile(r"^(?:true|false)$"),
    list("tf"))


def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or a == b and type(a) is type(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-9
    return a == b


def reply_for(q, case):
    """The answer the case gives to question q, in /v1/assessments' form."""
    kind = q["kind"]
    unsure = next((o["id"] for o in q.get("options", [])
                   if o.get("role") == "unsure"), None)
    if kind == "number":
        v = case.get(q["finding"])
        return v if isinstance(v, (int, float)) and not isinstance(
            v, bool) else "unsure"
    options = q["options"]
    if kind == "single":
        best, best_n = None, 0
        for o in options:
            if o.get("role") in ("unsure", "none"):
                continue
            sets = o.get("sets", {})
            if any(k in case and not same(case[k], v) for k, v in sets.items()):
                continue
            n = sum(1 for k, v in sets.items() if k in case)
            if n > best_n:
                best, best_n = o["id"], n
        return best or unsure
    # checklist
    ticked, keys = [], set()
    for o in options:
        sets = o.get("sets", {})
        keys.update(sets.keys()) if o.get("role") is None else None
        if o.get("role") is not None or not sets:
            continue
        if all(k in case and same(case[k], v) for k, v in sets.items()):
            ticked.append(o["id"])
    missing = any(k not in case for k in keys)
    none = next(o["id"] for o in options if o.get("role") == "none")
    if not ticked:
        return [unsure] if missing else [none]
    return ticked + ([unsure] if missing else [])


def qr_from_answers(questionnaire, answers):
    """A QuestionnaireResponse in the Questionnaire's group structure."""
    groups = []
    for g in questionnaire["item"]:
        items = []
        for it in g["item"]:
            a = answers.get(it["linkId"])
            if a is None:
                continue
            if a == "unsure" and it["type"] in ("integer", "decimal"):
                # Asked, left open: "not sure" (no answer element).
                items.append({"linkId": it["linkId"]})
                continue
            if it["type"] == "integer":
                vals = [{"valueInteger": int(a)}]
            elif it["type"] == "decimal":
                vals = [{"valueDecimal": float(a)}]
            else:
                codes = a if isinstance(a, list) else [a]
                vals = [{"valueCoding": {"system": OPTION_SYSTEM, "code": c}}
                        for c in codes]
            items.append({"linkId": it["linkId"], "answer": vals})
        if items:
            groups.append({"linkId": g["linkId"], "item": items})
    return {"resourceType": "QuestionnaireResponse",
            "questionnaire": questionnaire["url"] + "|" +
            questionnaire["version"],
            "status": "completed", "item": groups}


def bundle_triage(bundle):
    ra = [e["resource"] for e in bundle["entry"]
          if e["resource"]["resourceType"] == "RiskAssessment"]
    if len(ra) != 1:
        return None, None
    level, conditions = None, set()
    for p in ra[0]["prediction"]:
        c = p["outcome"]["coding"][0]
        if c["system"] == LEVEL_SYSTEM:
            level = c["code"]
        elif c["system"] == CONDITION_SYSTEM:
            conditions.add(c["code"])
    return level, conditions


def references(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "reference" and isinstance(v, str):
                yield v
            else:
                yield from references(v)
    elif isinstance(node, list):
        for v in node:
            yield from references(v)


def check_bundle(name, bundle, level):
    check(bundle.get("resourceType") == "Bundle" and
          bundle.get("type") == "collection", f"{name}: a collection Bundle")
    urls = {e["fullUrl"] for e in bundle["entry"]}
    check(len(urls) == len(bundle["entry"]), f"{name}: fullUrls unique")
    for ref in references(bundle):
        check(ref in urls, f"{name}: reference {ref} resolves in the Bundle")
    types = [e["resource"]["resourceType"] for e in bundle["entry"]]
    for t in ("QuestionnaireResponse", "RiskAssessment", "CarePlan"):
        check(types.count(t) == 1, f"{name}: one {t}")
    emergency = level == "emergency"
    check(("DetectedIssue" in types) == emergency and
          ("Communication" in types) == emergency,
          f"{name}: DetectedIssue/Communication iff emergency")
    cp = next(e["resource"] for e in bundle["entry"]
              if e["resource"]["resourceType"] == "CarePlan")
    ra_url = next(e["fullUrl"] for e in bundle["entry"]
                  if e["resource"]["resourceType"] == "RiskAssessment")
    check(cp["supportingInfo"] == [{"reference": ra_url}],
          f"{name}: CarePlan.supportingInfo -> RiskAssessment")


def main():
    binary, src = sys.argv[1], sys.argv[2]
    with open(os.path.join(src, "knowledge", "questions.yaml")) as f:
        questions = {q["id"]: q for q in yaml.load(f, Loader=Yaml12Loader)["questions"]}
    cases = []
    with open(os.path.join(src, "knowledge", "vignettes", "own.jsonl")) as f:
        for line in f:
            if line.strip():
                cases.append(json.loads(line))
    work = tempfile.mkdtemp(prefix="backaid-fhir-")
    saved = []

    def save(resource):
        path = os.path.join(work, f"r{len(saved):04d}.json")
        with open(path, "w") as f:
            json.dump(resource, f)
        saved.append(path)

    srv = Server(binary, "sqlite:" + os.path.join(work, "db.sqlite"),
                 extra=["--rate", "0"]).start()
    try:
        st, hdrs, questionnaire = srv.json(
            "GET", "/fhir/Questionnaire/backaid-assessment")
        check(st == 200 and hdrs.get("content-type", "").startswith(FHIR),
              "Questionnaire served as application/fhir+json")
        st, _, meta = srv.json("GET", "/fhir/metadata")
        check(st == 200 and meta["resourceType"] == "CapabilityStatement" and
              meta["fhirVersion"] == "4.0.1", "metadata: CapabilityStatement")
        save(questionnaire)
        save(meta)
        # Every operation the CapabilityStatement names whose definition is
        # ours is served at its canonical id (R4 schema and FHIRPath
        # invariants below check it like every saved resource).
        ours = [o["definition"] for r in meta["rest"] for o in
                r.get("operation", []) +
                [o for res in r.get("resource", [])
                 for o in res.get("operation", [])]
                if o["definition"].startswith("https://backaid.invalid/")]
        check(len(ours) == 1, f"one operation of our own: {ours}")
        for canon in ours:
            oid = canon.rsplit("/", 1)[1]
            st, _, opdef = srv.json("GET", f"/fhir/OperationDefinition/{oid}")
            check(st == 200 and opdef.get("resourceType") ==
                  "OperationDefinition" and opdef.get("url") == canon and
                  opdef.get("code") == "triage" and opdef.get("system") is
                  True and {p["name"] for p in opdef["parameter"]} ==
                  {"response", "return"},
                  f"OperationDefinition/{oid} served ({st})")
            save(opdef)
        q = urllib.parse.quote(questionnaire["url"], safe="")
        st, _, found = srv.json("GET", f"/fhir/Questionnaire?url={q}")
        check(st == 200 and found["total"] == 1, "search by url finds it")
        st, _, found = srv.json("GET", "/fhir/Questionnaire?url=x")
        check(st == 200 and found["total"] == 0, "search by other url: none")

        levels, pain_seen, emergencies = {}, 0, 0
        nexts = [0]
        for case in cases:
            facts = dict(case.get("findings", {}))
            for k in ("age", "sex"):
                if k in case:
                    facts[k] = case[k]
            answers, v1 = {}, None
            for _ in range(100):
                st, _, v1 = srv.json("POST", "/v1/assessments",
                                     {"answers": answers})
                if not check(st == 200, f"{case['id']}: /v1/assessments "
                             f"{st} {v1}"):
                    break
                if not v1["next_screen"]:
                    break
                for nq in v1["next_screen"]:  # a screen at a time
                    answers[nq["id"]] = reply_for(questions[nq["id"]], facts)
            if st != 200:
                continue
            # SDC $next-question walks the same path: at every step its new
            # items are the screen /v1/assessments shows.
            if int(case["id"].split("-")[-1]) % 3 == 0:
                walk = {}
                for _ in range(100):
                    partial = qr_from_answers(questionnaire, walk)
                    st, _, nq = srv.json(
                        "POST", "/fhir/Questionnaire/$next-question",
                        {"resourceType": "Parameters", "parameter": [
                            {"name": "questionnaire-response",
                             "resource": partial}]},
                        headers={"Content-Type": FHIR})
                    st1, _, ref = srv.json("POST", "/v1/assessments",
                                           {"answers": walk})
                    if not check(st == 200 and st1 == 200,
                                 f"{case['id']}: $next-question {st} {nq}"):
                        break
                    want = [q["id"] for q in ref["next_screen"]]
                    asked = nq["contained"][0]["item"]
                    got = ([it["linkId"] for it in asked[len(walk):]]
                           if nq["status"] == "in-progress" else [])
                    if not check(got == want, f"{case['id']}: $next-question "
                                 f"{got} == /v1 {want}"):
                        break
                    if not got:
                        check(walk == answers, f"{case['id']}: same path")
                        if len(saved) < 35:
                            save(nq)
                        break
                    for link in got:
                        walk[link] = answers.get(link, "unsure")
                nexts[0] += 1
            level = v1["triage"]["triage"]
            conditions = set(v1["triage"]["conditions"])
            levels[level] = levels.get(level, 0) + 1
            qr = qr_from_answers(questionnaire, answers)
            st, hdrs, bundle = srv.json(
                "POST", "/fhir/$triage",
                {"resourceType": "Parameters",
                 "parameter": [{"name": "response", "resource": qr}]},
                headers={"Content-Type": FHIR})
            if not check(st == 200 and hdrs["content-type"].startswith(FHIR),
                         f"{case['id']}: $triage {st} {bundle}"):
                continue
            if level == "emergency" or len(saved) < 30:
                save(bundle)
            got = bundle_triage(bundle)
            check(got == (level, conditions),
                  f"{case['id']}: $triage {got} == /v1/assessments "
                  f"{(level, conditions)}")
            check_bundle(case["id"], bundle, level)
            if level == "emergency":
                emergencies += 1
            for e in bundle["entry"]:
                r = e["resource"]
                if r["resourceType"] == "Observation" and any(
                        c["code"] == "72514-3" and
                        c["system"] == "http://loinc.org"
                        for c in r["code"]["coding"]):
                    pain_seen += 1
                    check(r["valueInteger"] == facts.get("pain_score"),
                          f"{case['id']}: pain Observation value")
            st, _, bundle2 = srv.json("POST",
                                      "/fhir/QuestionnaireResponse/$extract",
                                      qr, headers={"Content-Type": FHIR})
            check(st == 200 and bundle_triage(bundle2) == (level, conditions),
                  f"{case['id']}: $extract equals $triage")
        check(nexts[0] > 40, f"$next-question walked {nexts[0]} vignettes")
        print(f"vignettes: {len(cases)}, $next-question walks {nexts[0]}, "
              f"levels {levels}, "
              f"pain observations {pain_seen}, emergencies {emergencies}")
        # Unstated findings are answered "not sure", so self_care (which
        # needs a complete screen) is rare on this path; three levels at least.
        check(len(levels) >= 3, "the vignettes reach three levels or more")
        check(pain_seen > 0 and emergencies > 0, "pain and emergency seen")

        # Errors: OperationOutcome, right status, never 5xx.
        def outcome(method, path, body, status, ctype=FHIR, what=""):
            st, hdrs, data = srv.request(method, path, body,
                                         {"Content-Type": ctype})
            try:
                parsed = json.loads(data)
            except ValueError:
                parsed = {}
            if parsed.get("resourceType") == "OperationOutcome":
                save(parsed)
            check(st == status and parsed.get("resourceType") ==
                  "OperationOutcome" and
                  hdrs.get("content-type", "").startswith(FHIR),
                  f"{what or path}: {status} OperationOutcome (got {st} "
                  f"{data[:200]!r})")

        good = qr_from_answers(questionnaire, {"age": 30})
        params = lambda r: json.dumps(  # noqa: E731
            {"resourceType": "Parameters",
             "parameter": [{"name": "response", "resource": r}]})
        outcome("GET", "/fhir/Questionnaire/nope", None, 404)
        outcome("POST", "/fhir/$triage", "{not json", 400, what="not JSON")
        outcome("POST", "/fhir/$triage", "[]", 400, what="not Parameters")
        outcome("POST", "/fhir/$triage", params(good), 415, "text/plain",
                what="text/plain")
        outcome("POST", "/fhir/$triage",
                json.dumps({"resourceType": "Parameters", "parameter": []}),
                400, what="no response parameter")
        bad = json.loads(json.dumps(good))
        bad["item"][0]["item"][0]["linkId"] = "no_such_question"
        outcome("POST", "/fhir/$triage", params(bad), 422, what="unknown linkId")
        bad = qr_from_answers(questionnaire, {"sex": "not_an_option"})
        outcome("POST", "/fhir/$triage", params(bad), 422, what="bad option")
        bad = qr_from_answers(questionnaire, {"age": 500})
        outcome("POST", "/fhir/$triage", params(bad), 422, what="out of range")
        bad = dict(good, questionnaire=questionnaire["url"] + "|0.0.0")
        outcome("POST", "/fhir/$triage", params(bad), 422, what="old version")
        bad = dict(good, questionnaire="http://example.org/Questionnaire/x")
        outcome("POST", "/fhir/$triage", params(bad), 422,
                what="other questionnaire")
        bad = {k: v for k, v in good.items() if k != "status"}
        outcome("POST", "/fhir/QuestionnaireResponse/$extract",
                json.dumps(bad), 400, what="$extract without status")
        outcome("POST", "/fhir/QuestionnaireResponse/$extract",
                json.dumps({"resourceType": "Patient"}), 400,
                what="$extract of a Patient")
    finally:
        srv.stop()
    if len(sys.argv) > 3:
        # Third-party checks of every saved resource (tests/fhir/node).
        for script, claim in (
                ("validate.cjs", "valid against the R4 JSON schema"),
                ("invariants.cjs", "hold R4's FHIRPath invariants (que-*, "
                 "qrs-*, bdl-*, references resolve in the Bundle)")):
            run = subprocess.run(
                ["node", os.path.join(src, "tests", "fhir", "node", script),
                 sys.argv[3]] + saved, capture_output=True, text=True)
            sys.stdout.write(run.stdout)
            sys.stderr.write(run.stderr[-6000:])
            check(run.returncode == 0 and len(saved) > 40,
                  f"{len(saved)} resources {claim}")
    else:
        check(False, "no NODE_MODULES_DIR: the schema validation did not run")
    finish("fhir_e2e")


if __name__ == "__main__":
    main()
