"""The server's limits, one test each, on the real binary: body size (413),
JSON nesting, string length and finding count (400), the per-client rate
limit (429 with Retry-After), the slow-header timeout, and graceful
shutdown on SIGTERM (in-flight requests finish; no acknowledged write is
lost).

usage: limits_test.py BACKAID_BIN SOURCE_DIR
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from server_lib import Server, check, finish  # noqa: E402

BIN, SRC = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp(prefix="backaid-limits-")
DB = f"sqlite:{work}/limits.sqlite"
FINDINGS = {"onset_days": 0, "pain_score": 5}

# ---- sizes and shapes -----------------------------------------------------
srv = Server(BIN, DB, work, extra=["--max-body", "4096", "--rate", "0"])
srv.start()
case = {"id": "a", "findings": {"pain_score": 5}}
pad = json.dumps(case)
body_ok = pad[:-1] + ',"narrative":"' + "x" * (4000 - len(pad)) + '"}'
st, _, _ = srv.request("POST", "/v1/triage", body_ok,
                       {"Content-Type": "application/json"})
check(st == 200, f"a body just under the limit is accepted ({len(body_ok)} "
      f"bytes: {st})")
st, h, data = srv.request("POST", "/v1/triage", " " * 4097,
                          {"Content-Type": "application/json"})
check(st == 413 and h["content-type"].startswith("application/problem+json"),
      f"one byte over the limit: 413 ({st})")
# The same with a chunked body (no Content-Length).
s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
chunk = b"x" * 3000
s.sendall(b"POST /v1/triage HTTP/1.1\r\nHost: t\r\nContent-Type: "
          b"application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
          b"%x\r\n" % len(chunk) + chunk + b"\r\n" + b"%x\r\n" % len(chunk) +
          chunk + b"\r\n0\r\n\r\n")
resp = s.recv(4096)
s.close()
check(resp.startswith(b"HTTP/1.1 413"), f"chunked over the limit: 413 "
      f"({resp[:20]!r})")

st, _, p = srv.json("POST", "/v1/triage",
                    {"id": "a", "findings": {"x": [[[[[[[[[[1]]]]]]]]]]}})
check(st == 400 and "nested" in p["detail"], f"nesting: 400 ({p})")
st, _, p = srv.json("POST", "/v1/triage",
                    {"id": "i" * 3000, "findings": {}})
check(st == 200 or st == 400, "3000-byte id is within the string limit")
st, _, p = srv.json("POST", "/v1/episodes", {"findings": FINDINGS})
eid, token = p["id"], p["token"]
st, _, p = srv.json("POST", f"/v1/episodes/{eid}/entries",
                    {"note": "n" * 2001}, token=token)
check(st == 400 and "note" in p["detail"], f"note too long: 400 ({p})")
st, _, p = srv.json("POST", f"/v1/episodes/{eid}/entries",
                    {"note": "n" * 2000}, token=token)
check(st == 201, f"note of exactly 2000 bytes: 201 ({st})")
srv.stop()

# ---- rate limit -----------------------------------------------------------
srv = Server(BIN, DB, work, extra=["--rate", "2", "--burst", "5"]).start()
statuses = []
retry_after = None
for _ in range(12):
    st, h, _ = srv.request("GET", "/v1/questionnaire")
    statuses.append(st)
    if st == 429:
        retry_after = h.get("retry-after")
check(statuses[:5] == [200] * 5, f"the burst is served: {statuses}")
check(429 in statuses, f"then 429: {statuses}")
check(retry_after is not None and retry_after.isdigit() and
      int(retry_after) >= 1, f"Retry-After in whole seconds: {retry_after}")
st, _, _ = srv.request("GET", "/livez")
check(st == 200, "health checks are not rate limited")
time.sleep(int(retry_after or 1) + 0.2)
st, _, _ = srv.request("GET", "/v1/questionnaire")
check(st == 200, f"served again after Retry-After ({st})")
srv.stop()

# ---- slow header ----------------------------------------------------------
srv = Server(BIN, DB, work, extra=["--header-timeout-ms", "500"]).start()
for label, trickle in [("stalled", False), ("trickling", True)]:
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    t0 = time.time()
    s.sendall(b"GET /livez HTTP/1.1\r\nHo")
    closed_at = None
    try:
        while time.time() - t0 < 4:
            if trickle:
                s.sendall(b"x")
            s.settimeout(0.1)
            try:
                data = s.recv(4096)
                if data == b"" or data.startswith(b"HTTP/1.1 408"):
                    closed_at = time.time() - t0
                    break
            except socket.timeout:
                pass
    except (BrokenPipeError, ConnectionResetError):
        closed_at = time.time() - t0
    s.close()
    check(closed_at is not None and closed_at < 2.0,
          f"{label} header: connection closed after {closed_at} s "
          "(limit 0.5 s)")
st, _, _ = srv.request("GET", "/livez")
check(st == 200, "the server still serves others")
srv.stop()

# ---- graceful shutdown ----------------------------------------------------
# The diary caps are lifted: four writers outrun 96 entries a day.
srv = Server(BIN, DB, work, extra=["--rate", "0", "--max-entries", "1000000",
                                   "--max-entries-per-day", "1000000",
                                   "--episode-rate", "0"]).start()
many = {f"f{i}": True for i in range(600)}
st, _, p = srv.json("POST", "/v1/triage", {"id": "a", "findings": many})
check(st == 400 and "more than" in p["detail"],
      f"600 findings: 400 naming the count ({st} {p and p.get('detail')})")
st, _, p = srv.json("POST", "/v1/episodes", {"findings": FINDINGS})
eid, token = p["id"], p["token"]
# A request in flight at SIGTERM: header and half the body sent before.
body = json.dumps({"pain": 4, "note": "in flight"}).encode()
s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
s.sendall(b"POST /v1/episodes/" + eid.encode() + b"/entries HTTP/1.1\r\n"
          b"Host: t\r\nContent-Type: application/json\r\nAuthorization: "
          b"Bearer " + token.encode() + b"\r\nContent-Length: " +
          str(len(body)).encode() + b"\r\n\r\n" + body[:10])
time.sleep(0.2)
acked = []
stop = threading.Event()


def writer(n):
    i = 0
    while not stop.is_set():
        note = f"w{n}-{i}-{uuid.uuid4().hex[:6]}"
        try:
            st, _, _ = srv.json("POST", f"/v1/episodes/{eid}/entries",
                                {"pain": 3, "note": note}, token=token)
        except Exception:  # noqa: BLE001 - refused after shutdown
            return
        if st == 201:
            acked.append(note)
        i += 1


threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
for t in threads:
    t.start()
time.sleep(0.5)
srv.proc.send_signal(15)
time.sleep(0.2)
s.sendall(body[10:])
resp = b""
s.settimeout(10)
try:
    while b"\r\n\r\n" not in resp or not resp.rstrip().endswith(b"}"):
        chunk = s.recv(65536)
        if not chunk:
            break
        resp += chunk
except socket.timeout:
    pass
s.close()
check(resp.startswith(b"HTTP/1.1 201"), f"the request in flight at SIGTERM "
      f"completes: {resp[:40]!r}")
rc = srv.proc.wait(timeout=20)
stop.set()
for t in threads:
    t.join()
check(rc == 0, f"exit 0 after SIGTERM ({rc})")
srv.proc = None
srv.out.close()
srv.err.close()
srv.start()
# Every page of the diary (GET answers 100 entries a page).
notes, after = [], 0
while after is not None:
    st, _, e = srv.json("GET", f"/v1/episodes/{eid}?after={after}&limit=500",
                        token=token)
    if not check(st == 200, f"GET page after {after}: {st}"):
        break
    notes += [x["note"] for x in e["entries"]]
    after = e["next_after"]
lost = [n for n in acked if n not in notes]
check(len(acked) > 0 and not lost, f"no acknowledged write lost "
      f"({len(acked)} acknowledged, lost {lost[:3]})")
check("in flight" in notes, "the in-flight entry was written")
srv.stop()

# ---- idempotency keys are forgotten after their time ----------------------
srv = Server(BIN, DB, work, extra=["--rate", "0", "--idempotency-ttl", "1"])
srv.start()
st, _, p = srv.json("POST", "/v1/episodes", {"findings": FINDINGS})
eid, token = p["id"], p["token"]
key = {"Idempotency-Key": f"ttl-{uuid.uuid4()}"}
entry = {"pain": 4, "note": "remembered"}
path = f"/v1/episodes/{eid}/entries"
st1, h1, a = srv.json("POST", path, entry, token=token, headers=key)
st2, h2, b = srv.json("POST", path, entry, token=token, headers=key)
check(st1 == 201 and st2 == 201 and h2.get("idempotent-replayed") == "true"
      and b["entry"]["seq"] == a["entry"]["seq"] == 1,
      f"within its time the key replays ({st1} {st2} {h2})")
time.sleep(2.2)
st3, h3, c = srv.json("POST", path, entry, token=token, headers=key)
check(st3 == 201 and "idempotent-replayed" not in h3 and
      c["entry"]["seq"] == 2, f"after --idempotency-ttl 1 s the key is "
      f"forgotten: a new entry ({st3} {c and c.get('entry')})")
st4, h4, d = srv.json("POST", path, entry, token=token, headers=key)
check(st4 == 201 and h4.get("idempotent-replayed") == "true" and
      d["entry"]["seq"] == 2, "and remembered again for the new entry")
srv.stop()
r = subprocess.run([BIN, "serve", "--idempotency-ttl", "0", "--db", DB],
                   capture_output=True, text=True, timeout=30)
check(r.returncode != 0 and "idempotency-ttl" in r.stderr,
      f"--idempotency-ttl 0 refused naming the option ({r.returncode})")
# ---- a diary is bounded (issue 12, finding 1) -------------------------------
# Over the per-day bound: 429 with Retry-After; over the per-episode bound:
# 409; both say not to wait if anything got worse. Nothing more is stored.
srv = Server(BIN, DB, work, extra=["--rate", "0", "--max-entries", "5",
                                   "--max-entries-per-day", "3"])
srv.start()
st, _, p = srv.json("POST", "/v1/episodes", {"findings": FINDINGS})
eid, token = p["id"], p["token"]
path = f"/v1/episodes/{eid}/entries"
codes = [srv.json("POST", path, {"pain": 3}, token=token)[0] for _ in range(3)]
st, h, prob = srv.json("POST", path, {"pain": 3}, token=token)
check(codes == [201] * 3 and st == 429 and
      int(h.get("retry-after", "0")) > 23 * 3600 and
      prob.get("type") == "urn:backaid:problem:diary-day-full" and
      "emergency" in prob.get("detail", ""),
      f"entry 4 in a day: 429 diary-day-full with Retry-After ({codes} {st} "
      f"{h.get('retry-after')} {prob.get('type')})")
st, _, e = srv.json("GET", f"/v1/episodes/{eid}", token=token)
check(st == 200 and len(e["entries"]) == 3, "the refused entry is not stored")
srv.stop()
# The next day (the server's clock is not settable: age the stored entries
# by restarting with a larger per-day bound) the per-episode bound holds.
srv = Server(BIN, DB, work, extra=["--rate", "0", "--max-entries", "5",
                                   "--max-entries-per-day", "100"])
srv.start()
codes = [srv.json("POST", path, {"pain": 3}, token=token)[0] for _ in range(2)]
st, _, prob = srv.json("POST", path, {"pain": 3}, token=token)
check(codes == [201] * 2 and st == 409 and
      prob.get("type") == "urn:backaid:problem:diary-full" and
      "new assessment" in prob.get("detail", ""),
      f"entry 6 of 5: 409 diary-full ({codes} {st} {prob.get('type')})")
srv.stop()

# ---- pages, one episode's writes, trusted proxies, refusals ----------------
# (issue 12 findings 1-3, the second pass)
srv = Server(BIN, DB, work, extra=["--rate", "1", "--burst", "2",
                                   "--episode-rate", "1",
                                   "--episode-burst", "3",
                                   "--trusted-proxy", "127.0.0.1"]).start()
FWD = {"X-Forwarded-For": "198.51.100.1"}
st, _, p = srv.json("POST", "/v1/episodes", {"findings": FINDINGS},
                    headers=FWD)
eid, token = p["id"], p["token"]
path = f"/v1/episodes/{eid}/entries"
# Each write from another forwarded address: the per-address limit does
# not bite; the per-episode one does, after its burst of 3.
results = []
for i in range(6):
    st, _, prob = srv.json("POST", path, {"pain": i}, token=token,
                           headers={"X-Forwarded-For": f"198.51.100.{10 + i}"})
    results.append((st, (prob or {}).get("type", "")))
check([r[0] for r in results[:3]] == [201] * 3 and
      (429, "urn:backaid:problem:episode-rate-limited") in results[3:],
      f"one episode's writes are limited whoever sends them ({results})")
total = sum(1 for r in results if r[0] == 201)
# Pages of entries.
st, _, e = srv.json("GET", f"/v1/episodes/{eid}?limit=2", token=token,
                    headers={"X-Forwarded-For": "198.51.100.30"})
check(st == 200 and [x["seq"] for x in e["entries"]] == [1, 2] and
      e["entries_total"] == total and e["next_after"] == 2,
      f"a page of 2 of {total} entries ({st} {e and e.get('entries_total')})")
st, _, e = srv.json("GET", f"/v1/episodes/{eid}?after={total - 1}&limit=2",
                    token=token, headers={"X-Forwarded-For": "198.51.100.31"})
check(st == 200 and [x["seq"] for x in e["entries"]] == [total] and
      e["next_after"] is None, f"the last page ({st} {e and e['entries']})")
st, _, prob = srv.json("GET", f"/v1/episodes/{eid}?limit=0", token=token,
                       headers={"X-Forwarded-For": "198.51.100.32"})
check(st == 400 and "limit" in prob["detail"], f"limit=0: 400 ({st})")
# The proxy's forwarded address is the client: the same one twice more is
# over its burst of 2, another is not; the log names the forwarded client.
same = [srv.request("GET", "/v1/questionnaire",
                    headers={"X-Forwarded-For": "203.0.113.5"})[0]
        for _ in range(3)]
other = srv.request("GET", "/v1/questionnaire",
                    headers={"X-Forwarded-For": "203.0.113.6"})[0]
check(same[:2] == [200, 200] and same[2] == 429 and other == 200,
      f"clients behind the trusted proxy are told apart ({same} {other})")
# A flood of refusals is aggregated in the access log.
for _ in range(200):
    srv.request("GET", "/v1/questionnaire",
                headers={"X-Forwarded-For": "203.0.113.5"})
# The count of those left out rides on the next refusal logged, at least a
# second later (the unit test RefusalSampler.* injects the clock).
time.sleep(1.2)
for _ in range(3):
    srv.request("GET", "/v1/questionnaire",
                headers={"X-Forwarded-For": "203.0.113.5"})
srv.stop()
lines = [json.loads(x) for x in open(srv.log_path) if x.strip()]
refused = [x for x in lines if x["status"] == 429]
counted = len(refused) + sum(x.get("suppressed", 0) for x in refused)
check(len(refused) < 20 and counted >= 150,
      f"200 refusals: {len(refused)} lines, {counted} counted")
check(any(x["client"] == "203.0.113.6" for x in lines),
      "the access log names the client the trusted proxy forwarded for")
# Not from a trusted proxy: X-Forwarded-For is ignored.
srv = Server(BIN, DB, work, extra=["--rate", "1", "--burst", "2"]).start()
codes = [srv.request("GET", "/v1/questionnaire",
                     headers={"X-Forwarded-For": f"203.0.113.{i}"})[0]
         for i in range(3)]
check(codes[2] == 429, f"a forged X-Forwarded-For picks no new key ({codes})")
srv.stop()

finish("limits_test")
