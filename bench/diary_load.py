#!/usr/bin/env python3
"""Diary writes against other people's triage (issue 12 finding 1).

    bench/diary_load.py BACKAID_BINARY [--entries 10000] [--seconds 20]
                        [--old]

Starts `backaid serve` (SQLite in a temporary directory, rate limits and
diary caps lifted), opens one episode and appends ENTRIES entries to it as
fast as one client can (writes/s at the start and at the end of the fill).
Then, for SECONDS each:
  1. `POST /v1/triage` alone, one client back to back (the baseline);
  2. the same while another client keeps appending to the long episode;
and prints writes/s, triage p50/p99/max and `GET /livez` p99 under (2),
plus the cost of one `GET` of the episode (a page). --old runs a binary
from before the O(1) write (no --episode-rate option).
Standard library only.
"""

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

FINDINGS = {"onset_days": 1, "pain_score": 4, "bladder_dysfunction": False,
            "bowel_dysfunction": False, "saddle_numbness": False,
            "leg_weakness": "none", "heel_walk": "normal",
            "toe_walk": "normal", "fever": False, "onset_with_movement": True}
CASE = json.dumps({"id": "bench", "age": 45, "findings": FINDINGS})


def start(binary, work, old):
    ready = os.path.join(work, "ready")
    args = [binary, "serve", "--listen", "127.0.0.1:0", "--db",
            f"sqlite:{work}/bench.sqlite", "--ready-file", ready,
            "--access-log", os.path.join(work, "access.log"), "--rate", "0",
            "--max-entries", "1000000", "--max-entries-per-day", "1000000"]
    if not old:
        args += ["--episode-rate", "0"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(work, "err"), "wb"))
    deadline = time.time() + 30
    while time.time() < deadline:
        if os.path.exists(ready) and open(ready).read().strip():
            return proc, int(open(ready).read().strip())
        if proc.poll() is not None:
            sys.exit("backaid serve exited: " +
                     open(os.path.join(work, "err")).read())
        time.sleep(0.05)
    sys.exit("backaid serve did not start")


class Client:
    def __init__(self, port):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method, path, body=None, token=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        t0 = time.perf_counter()
        self.c.request(method, path, body=body, headers=headers)
        r = self.c.getresponse()
        data = r.read()
        return r.status, data, time.perf_counter() - t0


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def ms(x):
    return f"{x * 1000:.2f} ms"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--entries", type=int, default=10000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--old", action="store_true")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="backaid-diary-bench-")
    proc, port = start(a.binary, work, a.old)
    try:
        w = Client(port)
        st, body, _ = w.call("POST", "/v1/episodes",
                             json.dumps({"findings": FINDINGS}))
        assert st == 201, (st, body[:200])
        ep = json.loads(body)
        path = f"/v1/episodes/{ep['id']}/entries"
        n = 0

        def write():
            nonlocal n
            n += 1
            st, body, dt = w.call(
                "POST", path,
                json.dumps({"pain": n % 7 + 2, "note": f"entry {n}"}),
                ep["token"])
            assert st == 201, (st, body[:300])
            return dt, len(body)

        t_fill = time.perf_counter()
        first = [write()[0] for _ in range(min(200, a.entries))]
        while n < a.entries - 200:
            write()
        last, sizes = [], []
        while n < a.entries:
            dt, size = write()
            last.append(dt)
            sizes.append(size)
        fill_s = time.perf_counter() - t_fill
        print(f"fill: {a.entries} entries in {fill_s:.1f} s "
              f"({a.entries / fill_s:.0f} writes/s)")
        print(f"write at entries 1-200: {1 / statistics.mean(first):.0f}"
              f" writes/s, mean {ms(statistics.mean(first))}, "
              f"p99 {ms(pct(first, 99))}")
        print(f"write at entries {a.entries - 199}-{a.entries}: "
              f"{1 / statistics.mean(last):.0f} writes/s, mean "
              f"{ms(statistics.mean(last))}, p99 {ms(pct(last, 99))}, "
              f"response {statistics.mean(sizes) / 1024:.1f} KiB")
        st, body, dt = w.call("GET", f"/v1/episodes/{ep['id']}", None,
                              ep["token"])
        print(f"GET episode: {ms(dt)}, {len(body) / 1024:.1f} KiB")

        def triage_for(seconds):
            c = Client(port)
            lat = []
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                st, _, dt = c.call("POST", "/v1/triage", CASE)
                assert st == 200, st
                lat.append(dt)
            return lat

        base = triage_for(a.seconds)
        print(f"triage alone: {len(base) / a.seconds:.0f}/s, p50 "
              f"{ms(pct(base, 50))}, p99 {ms(pct(base, 99))}, "
              f"max {ms(max(base))}")

        stop = threading.Event()
        writes = [0]
        live = []

        def writer():
            while not stop.is_set():
                write()
                writes[0] += 1

        def liveness():
            c = Client(port)
            while not stop.is_set():
                _, _, dt = c.call("GET", "/livez")
                live.append(dt)
                time.sleep(0.01)

        threads = [threading.Thread(target=writer),
                   threading.Thread(target=liveness)]
        for t in threads:
            t.start()
        loaded = triage_for(a.seconds)
        stop.set()
        for t in threads:
            t.join()
        print(f"while one client appends to the {a.entries}-entry episode: "
              f"{writes[0] / a.seconds:.0f} writes/s; triage "
              f"{len(loaded) / a.seconds:.0f}/s, p50 {ms(pct(loaded, 50))}, "
              f"p99 {ms(pct(loaded, 99))}, max {ms(max(loaded))}; /livez p99 "
              f"{ms(pct(live, 99))}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
