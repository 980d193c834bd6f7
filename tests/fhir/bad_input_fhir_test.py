"""The bad-input suite for the FHIR and CDS Hooks routes, over the real
`backaid serve`: malformed and non-UTF-8 JSON, deep nesting, huge bodies,
wrong resource types and shapes, out-of-range and unknown answers, wrong
content types, unknown methods and paths. Every request must get a 4xx
(never a 5xx, never a hang) whose body names the problem: an
OperationOutcome (severity error, a diagnostics text) on the FHIR routes,
a JSON object with an "error" text on the CDS Hooks routes, problem+json
elsewhere. Afterwards the server still triages and its access log holds no
5xx.

usage: bad_input_fhir_test.py BACKAID_BIN SOURCE_DIR
"""

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "server"))
from server_lib import Server, check, finish  # noqa: E402

BIN, SRC = sys.argv[1], sys.argv[2]
FHIR = {"Content-Type": "application/fhir+json"}
JSON = {"Content-Type": "application/json"}
OPT = "https://backaid.invalid/fhir/CodeSystem/backaid-answer-option"
work = tempfile.mkdtemp(prefix="backaid-bad-fhir-")
srv = Server(BIN, f"sqlite:{work}/bad.sqlite", work,
             extra=["--rate", "0"]).start()
st, _, QN = srv.json("GET", "/fhir/Questionnaire/backaid-assessment")
assert st == 200, st
CANON = QN["url"] + "|" + QN["version"]

requests = []  # (name, method, path, body bytes or None, headers, status)


def add(name, method, path, body, headers, status=None):
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    requests.append((name, method, path, body, headers, status))


def qr(items, questionnaire=None):
    return {"resourceType": "QuestionnaireResponse",
            "questionnaire": CANON if questionnaire is None else questionnaire,
            "status": "completed", "item": items}


def params(resource, name="response"):
    return {"resourceType": "Parameters",
            "parameter": [{"name": name, "resource": resource}]}


def coded(link, *codes):
    return {"linkId": link,
            "answer": [{"valueCoding": {"system": OPT, "code": c}}
                       for c in codes]}


FHIR_POSTS = {"/fhir/$triage": "response",
              "/fhir/QuestionnaireResponse/$extract": None,
              "/fhir/Questionnaire/$next-question": "questionnaire-response"}


def wrap(path, resource):
    """The body a route takes: a Parameters, or the resource itself."""
    name = FHIR_POSTS[path]
    return params(resource, name) if name else resource


# 1. Malformed JSON and bad UTF-8 to every POST route.
malformed = ["{", "}", "[", "{\"resourceType\":", "{'a':1}", "{\"a\":1,}",
             "{\"a\":NaN}", "{\"a\":01}", "\"str\"", "42", "null", "[]",
             "{\"a\":1} trailing", "{\"a\":\"\x01\"}", "{\"a\":\"\\ud800\"}"]
posts = list(FHIR_POSTS) + ["/cds-services/backaid-back-pain"]
for i, body in enumerate(malformed):
    for path in posts:
        h = JSON if path.startswith("/cds") else FHIR
        add(f"malformed #{i} to {path}", "POST", path, body, h, 400)
for i, bad in enumerate([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xc0\xaf"]):
    for path in posts:
        h = JSON if path.startswith("/cds") else FHIR
        add(f"invalid UTF-8 #{i} to {path}", "POST", path,
            b'{"resourceType":"Parameters","x":"a' + bad + b'"}', h, 400)

# 2. Nesting and size.
for path in posts:
    h = JSON if path.startswith("/cds") else FHIR
    add(f"nested 2000 deep to {path}", "POST", path, "[" * 2000 + "]" * 2000,
        h, 400)
    add(f"body over the limit to {path}", "POST", path,
        json.dumps({"resourceType": "Parameters", "x": "y" * 200000}), h,
        413)

# 3. Wrong resource types and shapes.
shapes = [
    {"resourceType": "Patient"}, {"resourceType": "Parameters"},
    {"resourceType": "Parameters", "parameter": "x"},
    {"resourceType": "Parameters", "parameter": [{"name": "response"}]},
    {"resourceType": "Parameters", "parameter": [
        {"name": "response", "resource": {"resourceType": "Observation"}}]},
    {"resourceType": "Parameters", "parameter": [
        {"name": "other", "resource": qr([])}]},
    {"resourceType": 5}, {"resourceType": "QuestionnaireResponse",
                          "item": "x"},
]
for i, body in enumerate(shapes):
    for path in FHIR_POSTS:
        add(f"shape #{i} to {path}", "POST", path, body, FHIR)

# 4. A QuestionnaireResponse with bad content (422 or 400, never 5xx).
bad_items = [
    [coded("no_such_question", "x")],
    [coded("sex", "robot")],
    [coded("sex", "female", "male")],
    [{"linkId": "age", "answer": [{"valueInteger": 200}]}],
    [{"linkId": "age", "answer": [{"valueInteger": -1}]}],
    [{"linkId": "age", "answer": [{"valueString": "forty"}]}],
    [{"linkId": "age", "answer": [{"valueInteger": 10 ** 30}]}],
    [{"linkId": "age", "answer": [{"valueDecimal": 1e400}]}],
    [{"linkId": "pain_score", "answer": [{"valueInteger": 11}]}],
    [{"linkId": "pain_score", "answer": [{"valueBoolean": True}]}],
    [coded("emergency_signs", "none", "chest_pain")],
    [coded("emergency_signs", "nope")],
    [{"linkId": "emergency_signs", "answer": [{"valueCoding": {
        "system": "http://example.org/other", "code": "none"}}]}],
    [{"linkId": 5}], [{"answer": []}], ["x"],
    [{"linkId": "sex", "answer": "female"}],
    [coded("sex", "female"), coded("sex", "male")],
]
for i, items in enumerate(bad_items):
    for path in FHIR_POSTS:
        add(f"bad answer #{i} to {path}", "POST", path,
            wrap(path, qr(items)), FHIR)
for i, q in enumerate(["https://example.org/Questionnaire/other",
                       QN["url"] + "|0.0.1", "", 5]):
    for path in FHIR_POSTS:
        add(f"other questionnaire #{i} to {path}", "POST", path,
            wrap(path, qr([coded("sex", "female")], q)), FHIR)

# 5. Content types.
for path in FHIR_POSTS:
    for ct in ["text/plain", "application/xml", "application/fhir+xml",
               "multipart/form-data"]:
        add(f"content type {ct} to {path}", "POST", path,
            wrap(path, qr([])), {"Content-Type": ct}, 415)
    add(f"empty body to {path}", "POST", path, b"", FHIR, 400)

# 6. CDS Hooks requests.
cds = "/cds-services/backaid-back-pain"
for i, body in enumerate([
        {}, {"hook": 5}, {"hook": "patient-view"},
        {"hook": "patient-view", "hookInstance": 5, "context": {}},
        {"hook": "patient-view", "hookInstance": "x", "context": "p1"},
        {"hook": "patient-view", "hookInstance": "x", "context": {},
         "fhirServer": 5},
        {"hook": "patient-view", "hookInstance": "x", "context": {},
         "prefetch": "x"}]):
    add(f"cds body #{i}", "POST", cds, body, JSON)
# A malformed prefetch may also be answered with a card that asks for the
# assessment (CDS Hooks: the service degrades, it does not fail).
CARD_OK = {"cds body #5", "cds body #6"}
add("cds unknown service", "POST", "/cds-services/no-such-service",
    {"hook": "patient-view", "hookInstance": "x", "context": {}}, JSON, 404)

# 7. Unknown methods and paths.
for method, path in [("DELETE", "/fhir/metadata"),
                     ("POST", "/fhir/metadata"),
                     ("PUT", "/fhir/Questionnaire/backaid-assessment"),
                     ("DELETE", "/fhir/Questionnaire/backaid-assessment"),
                     ("GET", "/fhir/$triage"),
                     ("PUT", "/cds-services"), ("DELETE", cds)]:
    add(f"{method} {path}", method, path, b"{}", JSON, 405)
for path in ["/fhir/Questionnaire/other", "/fhir/Questionnaire/..",
             "/fhir/Patient/1", "/fhir/", "/fhir/Questionnaire/a/b",
             "/cds-services/x/y"]:
    add(f"GET {path}", "GET", path, None, {}, 404)
add("GET /fhir/%00", "GET", "/fhir/%00", None, {}, 400)
# /fhir is a whole segment: /fhirx is not the FHIR front's (problem+json).
add("GET /fhirx/metadata", "GET", "/fhirx/metadata", None, {}, 404)

names = [r[0] for r in requests]
dups = sorted({n for n in names if names.count(n) > 1})
check(not dups, f"request names are distinct: {dups}")
check(len(requests) >= 150, f"at least 150 bad requests ({len(requests)})")


def names_problem(path, ctype, data):
    try:
        body = json.loads(data)
    except ValueError:
        return False
    if not isinstance(body, dict):
        return False
    if body.get("resourceType") == "OperationOutcome":
        issues = body.get("issue") or [{}]
        return issues[0].get("severity") in ("error", "fatal") and bool(
            issues[0].get("diagnostics"))
    if path.startswith("/fhir/"):
        # The transport's own answers (400 bad target, 413) come before any
        # route; everything else under /fhir/ must be an OperationOutcome
        # (checked below).
        return "problem+json" in ctype and bool(body.get("detail"))
    if path.startswith("/fhirx"):
        return "problem+json" in ctype and bool(body.get("detail"))
    if path.startswith("/cds-services"):
        return isinstance(body.get("error"), str) and bool(body["error"]) or \
            "problem+json" in ctype and bool(body.get("detail"))
    return False


for name, method, path, body, headers, want in requests:
    try:
        st, h, data = srv.request(method, path, body, headers)
    except Exception as e:  # noqa: BLE001
        check(False, f"{name}: no answer ({e})")
        continue
    ctype = h.get("content-type", "")
    if name in CARD_OK and st == 200:
        cards = json.loads(data).get("cards", [])
        check(len(cards) == 1 and cards[0].get("indicator") == "info",
              f"{name}: an info card ({data[:200]!r})")
        continue
    ok = 400 <= st < 500 and (want is None or st == want)
    ok = ok and names_problem(path, ctype, data)
    if path.startswith("/fhir/") and st not in (400, 413):
        # 400 bad target and 413 are the transport's, before any route.
        ok = ok and b'"OperationOutcome"' in data and \
            ctype.startswith("application/fhir+json")
    if st == 405:
        ok = ok and bool(h.get("allow"))
    check(ok, f"{name}: got {st} {ctype} {data[:200]!r}, want "
          f"{want or '4xx'} naming the problem")

st, _, v1 = srv.json("POST", "/v1/triage", {"id": "after", "findings": {}})
check(st == 200, f"the server still triages ({st})")
st, _, _ = srv.json("GET", "/fhir/metadata")
check(st == 200, f"the FHIR front still answers ({st})")
check(srv.stop() == 0, "clean shutdown")
check('"status":5' not in srv.logs(), "no 5xx in the access log")
finish("bad_input_fhir")
