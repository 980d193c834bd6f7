"""Sends well over 200 distinct bad requests to the real server and checks
that every one gets a 4xx application/problem+json body naming the problem,
that the server never answers 5xx or crashes, and that stored data is
unchanged afterwards.

usage: bad_input_test.py BACKAID_BIN SOURCE_DIR
"""

import json
import os
import socket
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from server_lib import Server, check, db_check, finish  # noqa: E402

BIN, SRC = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp(prefix="backaid-bad-")
DB = f"sqlite:{work}/bad.sqlite"
# Hundreds of bad writes to one episode: its write limit lifted (HAZ-072).
srv = Server(BIN, DB, work, extra=["--rate", "0", "--episode-rate", "0"]).start()

with open(os.path.join(SRC, "examples", "cases.jsonl")) as f:
    good_case = json.loads(f.readline())
findings = good_case["findings"]
st, _, ep = srv.json("POST", "/v1/episodes", {"findings": findings})
assert st == 201, st
EID, TOKEN = ep["id"], ep["token"]
st, _, _ = srv.json("POST", f"/v1/episodes/{EID}/entries", {"pain": 4},
                    token=TOKEN)
assert st == 201
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ENTRIES = f"/v1/episodes/{EID}/entries"
JSON = {"Content-Type": "application/json"}

requests = []  # (name, method, path, body bytes or None, headers, status)


def add(name, method, path, body, headers=None, status=None):
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    h = dict(JSON)
    h.update(headers or {})
    requests.append((name, method, path, body, h, status))


# 1. Malformed JSON, to every JSON route.
malformed = [
    "{", "}", "{\"id\":", "{\"id\":\"a\",}", "{'id':'a'}", "{id:\"a\"}",
    "{\"id\":\"a\" \"findings\":{}}", "{\"id\":NaN}", "{\"id\":Infinity}",
    "{\"id\":\"a\"} trailing", "{\"id\":\"a\"}{}", "[", "[1,2",
    "{\"a\":tru}", "{\"a\":nul}", "{\"a\":\"unterminated}",
    "{\"a\":\"bad \\q escape\"}", "{\"a\":\"\\u12\"}", "{\"a\":01}",
    "{\"a\":1.}", "{\"a\":-}", "{\"a\":+1}", "{\"a\":.5}", "{\"a\":1e}",
    "/* comment */ {}", "{\"a\":1 // comment\n}", "\"just a string\"", "42",
    "null", "true", "[]", "[{}]", "{\"a\":\"\x01control\"}",
    "{\"a\":\"tab\there\"}", "{,}", "{\"a\"::1}", "{\"a\" 1}",
    "{\"a\":[1,]}", "{\"a\":{\"b\":}}",
]
routes = ["/v1/triage", "/v1/assessments", "/v1/episodes", ENTRIES]
for i, body in enumerate(malformed):
    route = routes[i % len(routes)]
    add(f"malformed #{i} to {route}", "POST", route, body, AUTH, 400)

# 2. Invalid UTF-8 and bad Unicode escapes.
invalid_utf8 = [b"\xff", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1",
                b"\xe2\x82\x28", b"\xf0\x28\x8c\xbc", b"\xf8\xa1\xa1\xa1\xa1",
                b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80"]
for i, bad in enumerate(invalid_utf8):
    for route, member in [("/v1/triage", "id"), (ENTRIES, "note")]:
        body = b'{"' + member.encode() + b'":"x' + bad + b'y"}'
        add(f"invalid UTF-8 #{i} in {member}", "POST", route, body, AUTH, 400)
add("lone surrogate escape", "POST", ENTRIES, '{"note":"\\ud800"}', AUTH, 400)

# 3. Nesting, sizes and counts.
add("nested 10 deep", "POST", "/v1/triage",
    '{"id":"a","findings":' + "[" * 10 + "]" * 10 + "}", None, 400)
add("nested 1000 deep", "POST", "/v1/triage", "[" * 1000 + "]" * 1000,
    None, 400)
add("nested objects 50 deep", "POST", ENTRIES,
    '{"note":' + '{"a":' * 50 + "1" + "}" * 50 + "}", AUTH, 400)
add("id of 5000 bytes", "POST", "/v1/triage",
    json.dumps({"id": "x" * 5000, "findings": {}}), None, 400)
add("note of 2001 bytes", "POST", ENTRIES, json.dumps({"note": "n" * 2001}),
    AUTH, 400)
add("note of 2000 two-byte chars", "POST", ENTRIES,
    json.dumps({"note": "é" * 1500}, ensure_ascii=False), AUTH, 400)
add("600 findings", "POST", "/v1/triage",
    json.dumps({"id": "a", "findings": {f"k{i}": True for i in range(600)}}),
    None, 400)
add("entry with 300 findings", "POST", ENTRIES,
    json.dumps({"findings": {f"k{i}": True for i in range(300)}}), AUTH, 400)
add("done with 20 items", "POST", ENTRIES,
    json.dumps({"done": ["ice"] * 20}), AUTH, 400)
add("member name of 5000 bytes", "POST", "/v1/triage",
    json.dumps({"id": "a", "findings": {"k" * 5000: True}}), None, 400)

# 4. Wrong types, out of range, huge numbers: triage findings.
bad_findings = [
    ("pain_score", "7"), ("pain_score", 11), ("pain_score", -1),
    ("pain_score", 7.5), ("pain_score", True), ("pain_score", [7]),
    ("pain_score", {"v": 7}), ("pain_score", 1e400), ("pain_score", 10**30),
    ("pain_score", -(10**30)), ("onset_days", 3651), ("onset_days", -5),
    ("onset_days", 1e20), ("fever", 1), ("fever", "yes"), ("fever", "true"),
    ("fever", [True]), ("fever", 0), ("heel_walk", "perfect"),
    ("heel_walk", 1), ("heel_walk", True), ("rom_limitation", "MILD"),
    ("rom_limitation", ""), ("leg_pain", "three"), ("leg_weakness", 2),
    ("no_such_finding", True), ("Fever", True), ("", True),
    ("pain score", 5), ("fever ", True),
]
for key, value in bad_findings:
    body = json.dumps({"id": "bad", "findings": {key: value}})
    add(f"triage finding {key!r}={value!r}"[:80], "POST", "/v1/triage",
        body, None, 400)
bad_cases = [
    {"findings": {}}, {"id": 5, "findings": {}}, {"id": None, "findings": {}},
    {"id": "a", "findings": []}, {"id": "a", "findings": "x"},
    {"id": "a", "findings": {}, "age": -1}, {"id": "a", "findings": {},
                                            "age": 121},
    {"id": "a", "findings": {}, "age": "30"}, {"id": "a", "findings": {},
                                              "age": 30.5},
    {"id": "a", "findings": {}, "sex": "x"}, {"id": "a", "findings": {},
                                             "sex": 1},
    {"id": "a", "findings": {}, "extra": 1}, {"id": "a", "findings": {},
                                             "Findings": {}},
    {"id": "a", "findings": {}, "expected": {"triage": "soon"}},
    {"id": "a", "findings": {}, "age": 1e999},
]
for i, case in enumerate(bad_cases):
    add(f"bad case #{i}", "POST", "/v1/triage", json.dumps(case), None, 400)
add("duplicate key", "POST", "/v1/triage",
    '{"id":"a","findings":{"fever":true,"fever":false}}', None, 400)
add("duplicate id", "POST", "/v1/triage",
    '{"id":"a","id":"b","findings":{}}', None, 400)

# 5. Diary entries.
bad_entries = [
    {}, {"pain": 11}, {"pain": -1}, {"pain": "5"}, {"pain": 5.5},
    {"pain": None}, {"pain": True}, {"pain": [5]}, {"pain": 10**20},
    {"done": "ice"}, {"done": ["no_such_activity"]}, {"done": ["ice", "ice"]},
    {"done": [1]}, {"done": [None]}, {"done": {"ice": True}}, {"note": 5},
    {"note": ["a"]}, {"note": None}, {"findings": []},
    {"findings": {"nope": True}}, {"findings": {"fever": "yes"}},
    {"findings": {"fever": None}}, {"findings": {"pain_score": 12}},
    {"pain": 5, "mood": "ok"}, {"Pain": 5}, {"pain": 5, "at": "2026-01-01"},
    {"findings": {"saddle_numbness": 1}}, {"done": [""]}, {"note": "x", "seq": 3}, {"findings": "fever"},
]
for i, entry in enumerate(bad_entries):
    add(f"bad entry #{i}: {json.dumps(entry)[:50]}", "POST", ENTRIES,
        json.dumps(entry), AUTH, 400)

# 6. Episodes and assessments.
bad_starts = [
    {}, {"answers": {}, "findings": {}}, {"answers": []}, {"findings": []},
    {"answers": {"no_such_question": "x"}}, {"answers": {"sex": "robot"}},
    {"answers": {"age": 0}}, {"answers": {"age": 121}},
    {"answers": {"age": "old"}}, {"answers": {"emergency_signs": 5}},
    {"answers": {"emergency_signs": ["none", "chest_pain"]}},
    {"answers": {"emergency_signs": ["nope"]}},
    {"findings": {"fever": "x"}}, {"findings": {"nope": 1}},
    {"findings": {}, "time_zone": "Mars/Olympus_Mons"},
    {"findings": {}, "time_zone": 5}, {"findings": {}, "time_zone": ""},
    {"findings": {}, "region": "mars"}, {"findings": {}, "region": 1},
    {"findings": {}, "token": "x"}, {"findings": {}, "id": "x"},
]
for i, start in enumerate(bad_starts):
    add(f"bad episode #{i}: {json.dumps(start)[:50]}", "POST",
        "/v1/episodes", json.dumps(start), None, 400)
    add(f"bad assessment #{i}: {json.dumps(start)[:50]}", "POST",
        "/v1/assessments", json.dumps(start), None, 400)
add("open_episode not a bool", "POST", "/v1/assessments",
    json.dumps({"findings": {}, "open_episode": "yes"}), None, 400)

# 7. Content types and empty bodies.
for route in routes:
    for ct in [None, "text/plain", "application/xml", "multipart/form-data",
               "application/x-www-form-urlencoded", "json"]:
        h = dict(AUTH)
        h["Content-Type"] = ct if ct else ""
        add(f"content type {ct} to {route}", "POST", route, b'{"pain":3}',
            h, 415)
    add(f"empty body to {route}", "POST", route, b"", AUTH, 400)
    add(f"whitespace body to {route}", "POST", route, b"  \n ", AUTH, 400)

# 8. Unknown routes and methods.
for path in ["/v1/triage/x", "/v1/triages", "/V1/triage", "/v1//triage",
             "/v1/episodes/" + EID + "/entries/1", "/v1/episodes/" + EID +
             "/plan.pdf", "/admin", "/.env", "/v1/questionnaire/1",
             "/openapi", "/metrics/x", "/livez/", "/v1", "/v1/episode",
             "/%2e%2e/etc/passwd", "/v1/episodes/%zz", "/v1/%00"]:
    add(f"GET {path}", "GET", path, None, None, None)
for method, path in [("GET", "/v1/triage"), ("PUT", "/v1/triage"),
                     ("DELETE", "/v1/triage"), ("PATCH", ENTRIES),
                     ("GET", ENTRIES), ("PUT", f"/v1/episodes/{EID}"),
                     ("POST", f"/v1/episodes/{EID}"), ("POST", "/livez"),
                     ("DELETE", "/v1/questionnaire"), ("POST", "/metrics"),
                     ("OPTIONS", "/v1/triage"), ("PUT", "/v1/episodes"),
                     ("GET", "/v1/assessments"), ("POST", "/openapi.json")]:
    add(f"{method} {path}", method, path, b"{}", AUTH, 405)

# 9. Headers: idempotency keys, authorization.
add("idempotency key of 300 chars", "POST", ENTRIES, '{"pain":3}',
    dict(AUTH, **{"Idempotency-Key": "k" * 300}), 400)
for n, auth in enumerate(["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", f"Token {TOKEN}",
             f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", "Bearer ../../x",
             f"Bearer {'A' * 500}"]):
    add(f"authorization #{n} {auth[:12]!r}", "GET", f"/v1/episodes/{EID}", None,
        {"Authorization": auth}, 404)
for bad_id in ["x", "A" * 100, "..", "AAAAAAAA.AAAA", "AAAAAAAAAAAAAAAAAAAAAA"]:
    add(f"episode id {bad_id[:14]} ({len(bad_id)})", "GET", f"/v1/episodes/{bad_id}", None,
        AUTH, 404)

# Issue 12, finding 7: U+0000, underflowing numbers, other charsets.
add("U+0000 in a note", "POST", ENTRIES, '{"note":"a\\u0000b"}', AUTH, 400)
add("U+0000 in a case id", "POST", "/v1/triage",
    '{"id":"a\\u0000","findings":{}}', None, 400)
add("U+0000 in a member name", "POST", "/v1/triage",
    '{"id":"a","findings":{"x\\u0000":true}}', None, 400)
add("pain score 1e-400", "POST", "/v1/triage",
    '{"id":"a","findings":{"pain_score":1e-400}}', None, 400)
add("diary pain 1e-400", "POST", ENTRIES, '{"pain":1e-400}', AUTH, 400)
for cs in ["utf-16", "UTF-16LE", "latin1", "utf-8x"]:
    add(f"charset={cs}", "POST", "/v1/triage", '{"id":"a","findings":{}}',
        {"Content-Type": f"application/json; charset={cs}"}, 415)

# 10. Oversize bodies.
add("body over the limit", "POST", "/v1/triage", b" " * (70 * 1024), None,
    413)
add("entry over the limit", "POST", ENTRIES,
    json.dumps({"note": "x" * 80000}), AUTH, 413)

names = [r[0] for r in requests]
dups = sorted({n for n in names if names.count(n) > 1})
check(not dups, f"request names are distinct: {dups}")
check(len(requests) >= 200, f"at least 200 distinct bad requests "
      f"({len(requests)})")

for name, method, path, body, headers, want in requests:
    headers = {k: v for k, v in headers.items() if v != ""} if \
        headers.get("Content-Type") == "" else headers
    try:
        st, h, data = srv.request(method, path, body, headers)
    except Exception as e:  # noqa: BLE001
        check(False, f"{name}: no answer ({e})")
        continue
    ok = 400 <= st < 500 and (want is None or st == want)
    ctype = h.get("content-type", "")
    problem = None
    try:
        problem = json.loads(data)
    except ValueError:
        pass
    ok = ok and ctype.startswith("application/problem+json") and \
        isinstance(problem, dict) and problem.get("status") == st and \
        bool(problem.get("title")) and bool(problem.get("detail")) and \
        str(problem.get("type", "")).startswith("urn:backaid:problem:")
    check(ok, f"{name}: got {st} {ctype} {data[:160]!r}, want "
          f"{want or '4xx'} problem+json")

# A raw request with control characters in the path, and bad HTTP.
for raw in [b"GET /v1/\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET http://example.com/livez HTTP/1.1\r\nHost: x\r\n\r\n",
            b"BREW /livez HTTP/1.1\r\nHost: x\r\n\r\n"]:
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    s.sendall(raw)
    data = s.recv(4096)
    s.close()
    line = data.split(b"\r\n", 1)[0]
    check(line.startswith(b"HTTP/1.1 4"), f"raw {raw[:30]!r}: {line!r}")

# Strict framing (issue 12, finding 5): each is refused and the connection
# closed, never answered 200.
TE = b"POST /v1/triage HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
CASE = b'{"id":"f","findings":{}}'
CHUNK = b"%x\r\n%s\r\n0\r\n\r\n" % (len(CASE), CASE)
framing = [
    ("TE chunked, identity with Content-Length", TE +
     b"Transfer-Encoding: chunked, identity\r\nContent-Length: %d\r\n\r\n"
     % len(CHUNK) + CHUNK, b"400"),
    ("TE chunked with Content-Length", TE +
     b"Transfer-Encoding: chunked\r\nContent-Length: %d\r\n\r\n" % len(CHUNK) +
     CHUNK, b"400"),
    ("TE gzip", TE + b"Transfer-Encoding: gzip\r\n\r\n" + CASE, b"400"),
    ("TE gzip, chunked", TE + b"Transfer-Encoding: gzip, chunked\r\n\r\n" + CHUNK,
     b"400"),
    ("no Host", b"GET /livez HTTP/1.1\r\n\r\n", b"400"),
    ("two Host", b"GET /livez HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", b"400"),
    ("obs-fold", b"GET /livez HTTP/1.1\r\nHost: x\r\nX-A: one\r\n two\r\n\r\n",
     b"400"),
    ("two Authorization", b"GET /v1/episodes/" + EID.encode() +
     b" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode() +
     b"\r\nAuthorization: Bearer wrong\r\n\r\n", b"400"),
]
for name, raw, want in framing:
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    s.sendall(raw)
    data = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    s.close()
    line = data.split(b"\r\n", 1)[0]
    check(line.startswith(b"HTTP/1.1 " + want) and
          b"connection: close" in data.lower(),
          f"framing: {name}: {line!r}, want {want!r} and close")
for ct in ["application/json; charset=UTF-8", "application/json;charset=utf-8",
           'application/json; charset="utf-8"']:
    st, _, _ = srv.request("POST", "/v1/triage", '{"id":"a","findings":{}}',
                           {"Content-Type": ct})
    check(st == 200, f"{ct}: {st}, want 200")
# The auth scheme is case-insensitive (RFC 9110).
for scheme in ["BEARER", "bearer", "bEaReR"]:
    st, _, _ = srv.request("GET", f"/v1/episodes/{EID}", None,
                           {"Authorization": f"{scheme} {TOKEN}"})
    check(st == 200, f"scheme {scheme}: {st}, want 200")

st, _, _ = srv.json("GET", "/livez")
check(st == 200, "the server is still alive")
st, _, e = srv.json("GET", f"/v1/episodes/{EID}", token=TOKEN)
check(st == 200 and len(e["entries"]) == 1 and e["entries"][0]["pain"] == 4,
      "stored data unchanged by the bad requests")
rc = srv.stop()
check(rc == 0, "clean shutdown")
rc, out = db_check(BIN, DB)
check(rc == 0, f"database integrity: {out}")
check('"status":5' not in srv.logs(), "no 5xx in the access log")
finish("bad_input_test")
