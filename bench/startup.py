#!/usr/bin/env python3
"""Start-up time of the backaid binary (issue 9, "a fast start").

    bench/startup.py [--runs N] [--json FILE] BIN

Three figures, each the median of N runs (default 20) after 3 warm-up runs,
with /bin/true timed the same way as the floor:

  version  `BIN --version > /dev/null`, exec to exit
  triage   `BIN triage CASE > /dev/null` with one case, exec to exit
  serve    `BIN serve --listen 127.0.0.1:PORT --db sqlite:...`, exec to the
           first 200 from GET /readyz (polled every 0.2 ms over a new TCP
           connection); the server is then stopped with SIGTERM. The SQLite
           file is made by the warm-up runs, so this is a restart, not the
           first start of a new database.

Every run is started with os.posix_spawn and reaped with os.waitpid, so the
floor carries the same spawn and wait costs as the figures. Python standard
library only. Prints one line per figure with the target and MET/MISSED,
and for the commands that exit, the median CPU time (user + system, from
wait4), which a busy machine disturbs less than wall time;
exits 1 if a command fails (never because a target was missed: figures on a
busy machine are noise, not a test).
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import time

CASE = (
    '{"id":"bench-1","findings":{"bladder_dysfunction":false,'
    '"saddle_numbness":false,"leg_weakness":"none","fever":false,'
    '"onset_days":1,"pain_score":6}}\n'
)

TARGETS_MS = {"version": 5.0, "triage": 15.0, "serve": 100.0}


def spawn(argv, stdout_fd):
    return os.posix_spawn(
        argv[0], argv, os.environ,
        file_actions=[(os.POSIX_SPAWN_DUP2, stdout_fd, 1),
                      (os.POSIX_SPAWN_DUP2, stdout_fd, 2)])


CPU = {}  # figure -> CPU times (user + system, ms) of the exit-type runs


def time_exit(argv, devnull, figure):
    t0 = time.perf_counter_ns()
    pid = spawn(argv, devnull)
    _, status, usage = os.wait4(pid, 0)
    t1 = time.perf_counter_ns()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"startup.py: {' '.join(argv)} failed "
                         f"(status {os.waitstatus_to_exitcode(status)})")
    CPU.setdefault(figure, []).append(
        (usage.ru_utime + usage.ru_stime) * 1e3)
    return (t1 - t0) / 1e6


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def readyz(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /readyz HTTP/1.1\r\nHost: b\r\n"
                      b"Connection: close\r\n\r\n")
            head = s.recv(64)
            return head.startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def time_serve(binary, db, devnull):
    port = free_port()
    argv = [binary, "serve", "--listen", f"127.0.0.1:{port}", "--db",
            f"sqlite:{db}", "--threads", "2"]
    t0 = time.perf_counter_ns()
    pid = spawn(argv, devnull)
    try:
        while True:
            if readyz(port):
                t1 = time.perf_counter_ns()
                break
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                pid = 0
                raise SystemExit(f"startup.py: serve exited early (status "
                                 f"{os.waitstatus_to_exitcode(status)})")
            if time.perf_counter_ns() - t0 > 10e9:
                raise SystemExit("startup.py: serve not ready after 10 s")
            time.sleep(0.0002)
    finally:
        if pid:
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
    return (t1 - t0) / 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--json")
    ap.add_argument("bin")
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    true = shutil.which("true") if not os.path.exists("/bin/true") else "/bin/true"
    tmp = tempfile.mkdtemp(prefix="backaid-startup-")
    try:
        case = os.path.join(tmp, "case.jsonl")
        with open(case, "w") as f:
            f.write(CASE)
        db = os.path.join(tmp, "db", "backaid.sqlite")
        devnull = os.open(os.devnull, os.O_WRONLY)
        runs = {
            "floor": lambda: time_exit([true], devnull, "floor"),
            "version": lambda: time_exit([binary, "--version"], devnull,
                                         "version"),
            "triage": lambda: time_exit([binary, "triage", case], devnull,
                                        "triage"),
            "serve": lambda: time_serve(binary, db, devnull),
        }
        samples = {k: [] for k in runs}
        for _ in range(3):  # warm-up: page cache, the SQLite file
            for fn in runs.values():
                fn()
        CPU.clear()
        # Interleaved, so a burst of load on the machine hits every figure.
        for _ in range(args.runs):
            for k, fn in runs.items():
                samples[k].append(fn())
        med = {k: statistics.median(v) for k, v in samples.items()}
        floor = med["floor"]
        print(f"== start-up (median of {args.runs} runs; load "
              f"{open('/proc/loadavg').read().split()[0]})")
        print(f"  floor (/bin/true)              {floor:7.2f} ms"
              f"{'':44s}[CPU {statistics.median(CPU['floor']):5.2f} ms]")
        result = {"runs": args.runs, "floor_ms": floor}
        for k, label in (("version", "backaid --version"),
                         ("triage", "backaid triage (1 case)"),
                         ("serve", "backaid serve to /readyz 200")):
            above = med[k] - floor
            ok = above <= TARGETS_MS[k]
            cpu = ""
            if k in CPU:
                cpu = f"  [CPU {statistics.median(CPU[k]):5.2f} ms]"
            print(f"  {label:30s} {med[k]:7.2f} ms  = floor + {above:6.2f} ms"
                  f"  (target <= {TARGETS_MS[k]:g})  "
                  f"{'MET' if ok else 'MISSED'}{cpu}")
            result[k] = {"median_ms": med[k], "above_floor_ms": above,
                         "min_ms": min(samples[k]), "max_ms": max(samples[k]),
                         "target_ms": TARGETS_MS[k], "met": ok}
            if k in CPU:
                result[k]["cpu_median_ms"] = statistics.median(CPU[k])
        if args.json:
            with open(args.json, "w") as f:
                json.dump(result, f, indent=1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
