"""The order-select service (backaid-imaging-advice) over real HTTP.

A CDS client of our own sends what an EHR sends when a clinician selects a
spine imaging order (context.selections + draftOrders, the R4 Bundle of
draft orders) with the patient's latest assessment prefetched. The
assessments come from published cases (knowledge/vignettes/external),
answered through POST /v1/assessments by the interview protocol
(tests/fhir/fhir_test.py's reply_for) and sent as a QuestionnaireResponse.
Checks, each able to fail:
  * discovery lists the service for order-select with the prefetch;
  * a plain spasm with a complete, clear red-flag screen: a warning card
    advising against the order, with a delete suggestion naming the order
    and selectionBehavior (CDS Hooks 2.0, cds-resp-6);
  * a cauda equina case: no advice against imaging, a critical card naming
    the condition;
  * an incomplete screen: no advice against, the unanswered questions
    listed;
  * no assessment: an info card with a link to the assessment;
  * an order the knowledge base says nothing about: no card;
  * malformed contexts: 400 naming the problem, never a 5xx.

Usage: order_select_test.py BACKAID_BINARY SOURCE_DIR
"""

import json
import os
import sys
import tempfile
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
sys.path.insert(0, os.path.join(HERE, "..", "fhir"))
from server_lib import Server, check, finish  # noqa: E402
from fhir_test import Yaml12Loader, qr_from_answers, reply_for  # noqa: E402

import yaml  # noqa: E402

CPT = "http://www.ama-assn.org/go/cpt"
SERVICE = "/cds-services/backaid-imaging-advice"


def load_cases(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def normals(src):
    """Every finding's normal answer (knowledge/findings.yaml): what the
    vignette-study protocol answers where a case is silent."""
    with open(os.path.join(src, "knowledge", "findings.yaml")) as f:
        findings = yaml.load(f, Loader=Yaml12Loader)["findings"]
    out = {}
    for d in findings:
        if "normal" in d:
            out[d["key"]] = d["normal"]
        elif d["type"] == "bool":
            out[d["key"]] = False
        elif d["type"] == "side":
            out[d["key"]] = "none"
    return out


def interview(srv, questions, case, normal):
    """Answers the case gives through /v1/assessments (the normal answer
    where it is silent), and the last result."""
    facts = dict(normal)
    facts.update(case.get("findings", {}))
    for k in ("age", "sex"):
        if k in case:
            facts[k] = case[k]
    answers, v1 = {}, None
    for _ in range(100):
        st, _, v1 = srv.json("POST", "/v1/assessments", {"answers": answers})
        if st != 200 or v1["next_question"] is None:
            break
        qid = v1["next_question"]["id"]
        answers[qid] = reply_for(questions[qid], facts)
    return answers, v1


def quantity(value, unit):
    return {"value": value, "unit": unit, "system": "http://unitsofmeasure.org",
            "code": unit}


def observations(temp, pulse, systolic):
    def obs(oid, code, **rest):
        return {"resource": dict({"resourceType": "Observation", "id": oid,
                                  "status": "final",
                                  "subject": {"reference": "Patient/p1"},
                                  "code": {"coding": [{
                                      "system": "http://loinc.org",
                                      "code": code}]}}, **rest)}
    return {"resourceType": "Bundle", "type": "searchset", "entry": [
        obs("t2", "8310-5", valueQuantity=quantity(temp, "Cel")),
        # An older, feverish reading after it: the newest one counts.
        obs("t1", "8310-5", valueQuantity=quantity(39.5, "Cel")),
        obs("hr", "8867-4", valueQuantity=quantity(pulse, "/min")),
        obs("bp", "85354-9", component=[
            {"code": {"coding": [{"system": "http://loinc.org",
                                  "code": "8480-6"}]},
             "valueQuantity": quantity(systolic, "mm[Hg]")},
            {"code": {"coding": [{"system": "http://loinc.org",
                                  "code": "8462-4"}]},
             "valueQuantity": quantity(80, "mm[Hg]")}])]}


def order(rid, system, code, display):
    return {"resourceType": "ServiceRequest", "id": rid, "status": "draft",
            "intent": "order", "subject": {"reference": "Patient/p1"},
            "code": {"coding": [{"system": system, "code": code,
                                 "display": display}], "text": display}}


def request(orders, selections, assessment=None, vitals=None):
    body = {"hook": "order-select", "hookInstance": str(uuid.uuid4()),
            "context": {"userId": "Practitioner/1", "patientId": "p1",
                        "selections": selections,
                        "draftOrders": {"resourceType": "Bundle",
                                        "type": "collection",
                                        "entry": [{"resource": o}
                                                  for o in orders]}}}
    if assessment is not None:
        body["prefetch"] = {"assessment": assessment}
        if vitals is not None:
            body["prefetch"]["observations"] = vitals
    return body


def main():
    binary, src = sys.argv[1], sys.argv[2]
    with open(os.path.join(src, "knowledge", "questions.yaml")) as f:
        questions = {q["id"]: q for q in
                     yaml.load(f, Loader=Yaml12Loader)["questions"]}
    ext = os.path.join(src, "knowledge", "vignettes", "external")
    normal = normals(src)
    with open(os.path.join(src, "knowledge", "orders.yaml")) as f:
        advice = yaml.load(f, Loader=Yaml12Loader)["advice"][0]
    serious = set(advice["unless_conditions"])
    work = tempfile.mkdtemp(prefix="backaid-order-select-")
    srv = Server(binary, "sqlite:" + os.path.join(work, "db.sqlite"),
                 extra=["--rate", "0"]).start()
    try:
        st, _, disc = srv.json("GET", "/cds-services")
        svc = next((s for s in (disc or {}).get("services", [])
                    if s.get("id") == "backaid-imaging-advice"), {})
        check(st == 200 and svc.get("hook") == "order-select" and
              "{{context.patientId}}" in svc.get("prefetch", {}).get(
                  "assessment", ""),
              f"discovery lists the order-select service: {disc}")
        st, _, questionnaire = srv.json(
            "GET", "/fhir/Questionnaire/backaid-assessment")
        check(st == 200, "the Questionnaire is served")

        def call(body):
            return srv.json("POST", SERVICE, body,
                            headers={"Content-Type": "application/json"})

        mri = order("mri1", CPT, "72148", "MRI lumbar spine")
        other = order("lab1", "http://loinc.org", "2345-7", "Glucose")

        # A published non-serious case aged 60 or more (from 60 the
        # questionnaire asks the belly check, so with the EHR's vital signs
        # the red-flag screen can be complete and clear).
        spasm = next(c for f in ("selfcare.jsonl", "msk.jsonl")
                     for c in load_cases(os.path.join(ext, f))
                     if c["expected"]["triage"] in ("self_care", "routine")
                     and not set(c["expected"].get("conditions", [])) &
                     serious and c.get("age", 0) >= 60)
        answers, v1 = interview(srv, questions, spasm, normal)
        # The case's own vital signs, as the EHR holds them (a searchset
        # Bundle, newest first; systolic pressure as a panel component).
        f = dict(normal)
        f.update(spasm["findings"])
        vitals = observations(f["temperature_c"], f["heart_rate"],
                              f["systolic_bp"])
        check(v1["triage"]["triage"] in ("self_care", "routine"),
              f"{spasm['id']}: the interview ends low "
              f"({v1['triage']['triage']})")
        qr = qr_from_answers(questionnaire, answers)
        # Without the vital signs the screen is incomplete: no advice
        # against the order, and what is missing is listed.
        st, _, out = call(request([mri], ["ServiceRequest/mri1"], qr))
        card = ((out or {}).get("cards") or [{}])[0]
        check(st == 200 and "suggestions" not in card and
              "not checked" in card.get("summary", "") and
              "measured pulse" in card.get("detail", ""),
              f"plain spasm without vital signs: incomplete ({out})")
        st, _, out = call(request([mri, other], ["ServiceRequest/mri1"], qr,
                                  vitals))
        cards = (out or {}).get("cards", [])
        card = cards[0] if cards else {}
        sugg = card.get("suggestions", [{}])[0]
        action = (sugg.get("actions") or [{}])[0]
        check(st == 200 and len(cards) == 1 and
              card.get("indicator") == "warning" and
              "not advised" in card.get("summary", "") and
              len(card["summary"]) <= 140 and
              card.get("selectionBehavior") == "at-most-one" and
              action.get("type") == "delete" and
              action.get("resourceId") == "ServiceRequest/mri1" and
              "NICE NG59" in card.get("detail", "") and
              f"temperature_c {f['temperature_c']}" in card.get("detail", ""),
              f"plain spasm: advise against with a delete suggestion "
              f"({st} {out})")

        # A published cauda equina case: the advice does not apply.
        ces = next(c for f in ("serious.jsonl", "msk.jsonl")
                   for c in load_cases(os.path.join(ext, f))
                   if c["expected"]["triage"] == "emergency" and
                   "cauda_equina_syndrome" in c["expected"].get(
                       "conditions", []))
        answers, v1 = interview(srv, questions, ces, normal)
        check(v1["triage"]["triage"] == "emergency",
              f"{ces['id']}: emergency through /v1 ({v1['triage']['triage']})")
        st, _, out = call(request([mri], ["ServiceRequest/mri1"],
                                  qr_from_answers(questionnaire, answers)))
        card = ((out or {}).get("cards") or [{}])[0]
        check(st == 200 and card.get("indicator") == "critical" and
              "suggestions" not in card and
              "not advised" not in card.get("summary", "") and
              "Cauda equina" in card.get("detail", "") + card.get(
                  "summary", "").capitalize(),
              f"cauda equina: warning signs, no advice against ({out})")

        # An incomplete screen: neither advice against nor a false alarm.
        partial = {"age": 30, "sex": "male", "emergency_signs": ["none"]}
        st, _, v1 = srv.json("POST", "/v1/assessments", {"answers": partial})
        check(not v1["triage"]["screen"]["complete"],
              "three answers leave the screen incomplete")
        st, _, out = call(request([mri], ["ServiceRequest/mri1"],
                                  qr_from_answers(questionnaire, partial)))
        card = ((out or {}).get("cards") or [{}])[0]
        check(st == 200 and "suggestions" not in card and
              "not advised" not in card.get("summary", "") and
              "Could not rule out" in card.get("detail", ""),
              f"partial answers: no advice against ({out})")

        # No assessment: an info card that links to it.
        st, _, out = call(request([mri], ["ServiceRequest/mri1"]))
        card = ((out or {}).get("cards") or [{}])[0]
        check(st == 200 and card.get("indicator") == "info" and
              "suggestions" not in card and
              card.get("links", [{}])[0].get("type") == "absolute",
              f"no assessment: info card with a link ({out})")

        # Orders the knowledge base says nothing about, or not selected.
        for what, body in (
                ("a lab order", request([other], ["ServiceRequest/lab1"], qr)),
                ("an unselected MRI", request([mri, other],
                                              ["ServiceRequest/lab1"], qr)),
                ("no selection", request([mri], [], qr))):
            st, _, out = call(body)
            check(st == 200 and out == {"cards": []},
                  f"{what}: no card ({st} {out})")

        # Malformed contexts: 400 naming the problem.
        good = request([mri], ["ServiceRequest/mri1"], qr)
        bad_cases = []
        for key, value in (("selections", None), ("selections", "x"),
                           ("selections", [1]), ("draftOrders", None),
                           ("draftOrders", []),
                           ("draftOrders", {"resourceType": "Patient"})):
            b = json.loads(json.dumps(good))
            if value is None:
                del b["context"][key]
            else:
                b["context"][key] = value
            bad_cases.append((f"{key}={value}", b, key))
        wrong_hook = dict(good, hook="patient-view")
        bad_cases.append(("patient-view to the order service", wrong_hook,
                          "order-select"))
        for what, body, word in bad_cases:
            st, _, out = call(body)
            check(st == 400 and word in (out or {}).get("error", ""),
                  f"{what}: 400 naming {word} ({st} {out})")
        st, _, _ = srv.json("POST", "/cds-services/backaid-back-pain", good)
        check(st == 400, "order-select to the patient-view service: 400")
        check(" 500 " not in srv.logs() and '"status":500' not in srv.logs(),
              "no 5xx in the access log")
    finally:
        srv.stop()
    finish("cdshooks_order_select")


if __name__ == "__main__":
    main()
