"""Two `backaid serve` processes on one PostgreSQL database serve the same
episodes consistently: writes through either are seen by both, concurrent
writes through both keep every entry once and in order, and an erase
through one is seen by the other.

usage: two_servers_test.py BACKAID_BIN
"""

import os
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(__file__))
from server_lib import Server, check, db_check, finish, pg_url  # noqa: E402

BIN = sys.argv[1]
DB = pg_url()
if not check(bool(DB), "the PostgreSQL fixture gives a URL"):
    finish("two_servers_test")
a = Server(BIN, DB, tempfile.mkdtemp(prefix="backaid-a-"),
           extra=["--rate", "0"])
b = Server(BIN, DB, tempfile.mkdtemp(prefix="backaid-b-"),
           extra=["--rate", "0"])
# Started together: the migrations must not trip over each other.
ta = threading.Thread(target=a.start)
tb = threading.Thread(target=b.start)
ta.start(); tb.start(); ta.join(); tb.join()
check(a.port and b.port and a.port != b.port, "both servers up")

FINDINGS = {"onset_days": 0, "pain_score": 5}
st, _, ep = a.json("POST", "/v1/episodes", {"findings": FINDINGS})
eid, token = ep["id"], ep["token"]
st, _, e = b.json("GET", f"/v1/episodes/{eid}", token=token)
check(st == 200 and e["id"] == eid, "an episode opened on A is read on B")
st, _, _ = b.json("GET", f"/v1/episodes/{eid}", token="W" * 43)
check(st == 404, "B checks the token too")

key = "same-key-on-both"
st1, _, r1 = a.json("POST", f"/v1/episodes/{eid}/entries", {"pain": 4},
                    token=token, headers={"Idempotency-Key": key})
st2, h2, r2 = b.json("POST", f"/v1/episodes/{eid}/entries", {"pain": 4},
                     token=token, headers={"Idempotency-Key": key})
check(st1 == st2 == 201 and r1["entry"]["seq"] == r2["entry"]["seq"] == 1
      and h2.get("idempotent-replayed") == "true",
      "a retry through the other server is recognised")

statuses = []


def writer(srv, n):
    for i in range(15):
        s, _, _ = srv.json("POST", f"/v1/episodes/{eid}/entries",
                           {"pain": (i + n) % 11, "note": f"{n}-{i}"},
                           token=token)
        statuses.append(s)


threads = [threading.Thread(target=writer, args=(srv, n))
           for n, srv in enumerate([a, b, a, b])]
for t in threads:
    t.start()
for t in threads:
    t.join()
check(statuses.count(201) == 60, f"60 concurrent writes acknowledged "
      f"({statuses.count(201)})")
_, _, ea = a.json("GET", f"/v1/episodes/{eid}", token=token)
_, _, eb = b.json("GET", f"/v1/episodes/{eid}", token=token)
check(ea["entries"] == eb["entries"], "A and B see the same entries")
check([x["seq"] for x in ea["entries"]] == list(range(1, 62)),
      "seq 1..61 without gaps or repeats")
check(ea["review"]["level"] == eb["review"]["level"], "and the same level")
notes = [x["note"] for x in ea["entries"] if x.get("note")]
check(len(notes) == len(set(notes)) == 60, "every entry once")

st, _, r = b.json("POST", f"/v1/episodes/{eid}/entries",
                  {"findings": {"bladder_dysfunction": True}}, token=token)
st, _, e = a.json("GET", f"/v1/episodes/{eid}", token=token)
check(e["review"]["level"] == "emergency",
      "an escalation written on B is the level on A")
st, _, _ = b.json("DELETE", f"/v1/episodes/{eid}", token=token)
check(st == 204, "erased on B")
st, _, _ = a.json("GET", f"/v1/episodes/{eid}", token=token)
check(st == 404, "gone on A")
check(a.stop() == 0 and b.stop() == 0, "both stop cleanly")
rc, out = db_check(BIN, DB)
check(rc == 0, f"integrity: {out.strip()}")
finish("two_servers_test")
