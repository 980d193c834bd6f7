"""Crash durability: SIGKILLs the real server at random moments during
concurrent diary writes, restarts it, and checks after every restart that
every acknowledged entry is present, nothing is duplicated (also when the
unacknowledged requests are retried with their Idempotency-Key), and the
database's integrity check passes.

usage: crash_test.py BACKAID_BIN sqlite|postgres ROUNDS [SEED]
"""

import os
import random
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from server_lib import Server, check, db_check, finish, pg_url  # noqa: E402

BIN, BACKEND, ROUNDS = sys.argv[1], sys.argv[2], int(sys.argv[3])
SEED = int(sys.argv[4]) if len(sys.argv) > 4 else int(time.time())
rng = random.Random(SEED)
print(f"crash_test: backend {BACKEND}, {ROUNDS} rounds, seed {SEED}")
work = tempfile.mkdtemp(prefix="backaid-crash-")
DB = f"sqlite:{work}/crash.sqlite" if BACKEND == "sqlite" else pg_url()
if not check(bool(DB), "a database URL"):
    finish("crash_test")

FINDINGS = {"onset_days": 0, "pain_score": 6, "bladder_dysfunction": False,
            "bowel_dysfunction": False, "saddle_numbness": False,
            "leg_weakness": "none", "heel_walk": "normal",
            "toe_walk": "normal"}
WRITERS = 4

# Hundreds of entries per episode within seconds: lift the diary's bounds
# (HAZ-051), which api_limits tests.
srv = Server(BIN, DB, work, extra=["--rate", "0", "--threads", "2",
                                   "--max-entries", "1000000",
                                   "--max-entries-per-day", "1000000",
                                   "--episode-rate", "0"]).start()
episodes = []
for _ in range(2):
    st, _, ep = srv.json("POST", "/v1/episodes", {"findings": FINDINGS})
    assert st == 201, st
    episodes.append((ep["id"], ep["token"]))

acked = {}        # note -> episode id (acknowledged with 201)
uncertain = {}    # note -> (episode, token, body): no answer before the kill
lock = threading.Lock()


def writer(round_no, n, stop):
    i = 0
    while not stop.is_set():
        eid, token = episodes[(n + i) % len(episodes)]
        note = f"r{round_no}-w{n}-{i}-{uuid.uuid4().hex[:6]}"
        body = {"pain": (n + i) % 11, "note": note}
        with lock:
            uncertain[note] = (eid, token, body)
        try:
            st, _, r = srv.json("POST", f"/v1/episodes/{eid}/entries", body,
                                token=token, headers={"Idempotency-Key": note})
        except Exception:  # noqa: BLE001 - the server was killed
            return
        with lock:
            if st == 201:
                acked[note] = eid
                del uncertain[note]
            elif st == 503:
                pass  # not written; stays uncertain and is retried
            else:
                check(False, f"unexpected status {st} for {note}")
                del uncertain[note]
        i += 1


def verify(label):
    """Every acknowledged entry present once; returns notes seen."""
    seen = {}
    for eid, token in episodes:
        # Every page of entries (GET is paginated: ?after=SEQ&limit=N).
        entries, after = [], 0
        while after is not None:
            st, _, e = srv.json(
                "GET", f"/v1/episodes/{eid}?after={after}&limit=1000",
                token=token)
            if not check(st == 200, f"{label}: episode readable ({st})"):
                return
            entries += e["entries"]
            after = e["next_after"]
        seqs = [x["seq"] for x in entries]
        check(seqs == list(range(1, len(seqs) + 1)),
              f"{label}: seq 1..n without gaps")
        for x in entries:
            seen[x["note"]] = seen.get(x["note"], 0) + 1
    missing = [n for n in acked if n not in seen]
    dup = [n for n, c in seen.items() if c > 1]
    check(not missing, f"{label}: acknowledged entries lost: {missing[:5]}")
    check(not dup, f"{label}: duplicated entries: {dup[:5]}")
    return seen


total_acked_before = 0
for round_no in range(ROUNDS):
    stop = threading.Event()
    threads = [threading.Thread(target=writer, args=(round_no, n, stop))
               for n in range(WRITERS)]
    for t in threads:
        t.start()
    time.sleep(rng.uniform(0.15, 0.8))
    srv.kill()
    stop.set()
    for t in threads:
        t.join()
    srv.start()
    label = f"round {round_no}"
    verify(label)
    # Retry what was in flight: each must be written at most once.
    for note, (eid, token, body) in list(uncertain.items()):
        st, _, _ = srv.json("POST", f"/v1/episodes/{eid}/entries", body,
                            token=token, headers={"Idempotency-Key": note})
        if check(st == 201, f"{label}: retry of {note} answered 201 ({st})"):
            acked[note] = eid
            del uncertain[note]
    verify(label + " after retries")
    rc, out = db_check(BIN, DB)
    check(rc == 0, f"{label}: integrity check: {out.strip()}")
    check(len(acked) > total_acked_before,
          f"{label}: some writes were acknowledged")
    total_acked_before = len(acked)

srv.stop()
print(f"crash_test: {len(acked)} acknowledged entries over {ROUNDS} kills")
finish(f"crash_test[{BACKEND}]")
