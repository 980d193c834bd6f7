"""Starts the real `backaid serve` binary and talks to it over real HTTP.

Shared by the end-to-end tests in tests/server/. Standard library only, so
the tests run on a fresh Debian machine with just python3.
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid

FAILURES = []
PASSES = [0]


def check(cond, what):
    """Records one assertion; the script exits 1 at the end if any failed."""
    if cond:
        PASSES[0] += 1
    else:
        FAILURES.append(what)
        print(f"FAIL: {what}", file=sys.stderr)
    return cond


def finish(name):
    print(f"{name}: {PASSES[0]} passed, {len(FAILURES)} failed")
    sys.exit(1 if FAILURES else 0)


def pg_url():
    """The URL of the private PostgreSQL server started by the pg fixture."""
    url = os.environ.get("BACKAID_TEST_PG_URL", "")
    path = os.environ.get("BACKAID_PG_URL_FILE", "")
    if not url and path and os.path.exists(path):
        with open(path) as f:
            url = f.read().strip()
    return url


class Server:
    """One `backaid serve` process on a free port."""

    def __init__(self, binary, db, workdir=None, extra=(), env=None):
        self.binary = binary
        self.db = db
        self.workdir = workdir or tempfile.mkdtemp(prefix="backaid-srv-")
        self.extra = list(extra)
        self.env = env
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.workdir, "access.log")
        self.out_path = os.path.join(self.workdir, "stdout.txt")
        self.err_path = os.path.join(self.workdir, "stderr.txt")

    def start(self, timeout=20):
        ready = os.path.join(self.workdir, f"ready-{uuid.uuid4().hex}")
        args = [self.binary, "serve", "--listen", "127.0.0.1:0", "--db",
                self.db, "--ready-file", ready, "--access-log",
                self.log_path] + self.extra
        self.out = open(self.out_path, "ab")
        self.err = open(self.err_path, "ab")
        self.proc = subprocess.Popen(args, stdout=self.out, stderr=self.err,
                                     env=self.env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"backaid serve exited {self.proc.returncode}: "
                    + open(self.err_path).read()[-2000:])
            if os.path.exists(ready):
                with open(ready) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    return self
            time.sleep(0.02)
        raise RuntimeError("backaid serve did not become ready")

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Stops the server; returns its exit status."""
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        self.out.close()
        self.err.close()
        return rc

    def kill(self):
        return self.stop(signal.SIGKILL)

    def request(self, method, path, body=None, headers=None, timeout=30):
        """Returns (status, headers dict (lower-case names), body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=timeout)
        h = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
            return (resp.status,
                    {k.lower(): v for k, v in resp.getheaders()}, data)
        finally:
            conn.close()

    def json(self, method, path, body=None, token=None, headers=None):
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        status, hdrs, data = self.request(method, path, body, h)
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return status, hdrs, parsed

    def logs(self):
        """Everything the server wrote: access log, stdout and stderr."""
        text = ""
        for p in (self.log_path, self.out_path, self.err_path):
            if os.path.exists(p):
                with open(p, "rb") as f:
                    text += f.read().decode("utf-8", "replace")
        return text


def db_check(binary, db):
    """Runs `backaid db check`; returns (exit status, output)."""
    p = subprocess.run([binary, "db", "check", "--db", db],
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr
