"""Loadable modules (src/loadable): what happens when one is missing or
broken. The binary is copied alone into a temporary directory, so the
modules built beside it are not found there (nor, on a machine where
backaid is not installed, in the install directory). Commands that need
no module still work; each module-backed feature fails with a message
naming its module file, never a crash.

usage: modules_test.py BACKAID_BIN SOURCE_DIR MODULE_INSTALL_DIR
"""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "server"))
from server_lib import Server, check, finish  # noqa: E402

BIN, SRC, INSTALL_DIR = sys.argv[1], sys.argv[2], sys.argv[3]
BUILD = os.path.dirname(os.path.abspath(BIN))
MODULES = ["backaid_pdf.so", "backaid_pg.so", "backaid_calendar.so",
           "backaid_jwt.so"]

installed = [m for m in MODULES if os.path.exists(os.path.join(INSTALL_DIR, m))]
if installed:
    check(False, f"modules are installed in {INSTALL_DIR} ({installed}): this "
          "test needs a machine where they are not (remove them or run it "
          "elsewhere)")
    finish("modules_test")

work = tempfile.mkdtemp(prefix="backaid-modules-")
alone = os.path.join(work, "alone")
os.makedirs(alone)
lone = os.path.join(alone, "backaid")
shutil.copy2(BIN, lone)
for m in MODULES:
    check(os.path.exists(os.path.join(BUILD, m)), f"{m} is built beside "
          "the binary")


def run(args, stdin=None):
    return subprocess.run([lone] + args, input=stdin, capture_output=True,
                          text=True, timeout=60)


# No module needed: --version, triage, kb info.
r = run(["--version"])
check(r.returncode == 0 and r.stdout.startswith("backaid "),
      f"--version without modules: {r.returncode} {r.stderr}")
case = open(os.path.join(SRC, "examples", "cases.jsonl")).readline()
r = run(["triage", "-"], stdin=case)
ref = subprocess.run([BIN, "triage", "-"], input=case, capture_output=True,
                     text=True)
check(r.returncode == ref.returncode == 0 and r.stdout == ref.stdout,
      f"triage without modules gives the same result ({r.returncode}, "
      f"{r.stderr.strip()})")
r = run(["kb", "info"])
check(r.returncode == 0 and "rules:" in r.stdout, "kb info without modules")

# PostgreSQL: exit 2 naming backaid_pg.so.
r = run(["db", "check", "--db", "postgresql://nobody@127.0.0.1:1/none"])
check(r.returncode == 2 and "backaid_pg.so" in r.stderr and
      "PostgreSQL" in r.stderr and "Traceback" not in r.stderr,
      f"db check on postgresql:// without the module: exit 2 naming the file "
      f"({r.returncode}: {r.stderr.strip()})")
r = run(["db", "check", "--db", f"sqlite:{work}/db/a.sqlite"])
check(r.returncode == 0, f"SQLite needs no module ({r.returncode}: "
      f"{r.stderr.strip()})")

# The calendar: `backaid plan` exits 2 naming backaid_calendar.so.
r = run(["plan", "--case", os.path.join(SRC, "examples", "cases.jsonl"),
         "--start", "2026-11-21T09:00", "--tz", "Europe/London"])
check(r.returncode == 2 and "backaid_calendar.so" in r.stderr,
      f"plan without the calendar module: exit 2 naming the file "
      f"({r.returncode}: {r.stderr.strip()})")

# A file that is not a module: refused with its path, not loaded.
with open(os.path.join(alone, "backaid_pg.so"), "w") as f:
    f.write("not a shared object\n")
r = run(["db", "check", "--db", "postgresql://nobody@127.0.0.1:1/none"])
check(r.returncode == 2 and os.path.join(alone, "backaid_pg.so") in r.stderr
      and "cannot load" in r.stderr,
      f"a broken module file is refused with its path ({r.returncode}: "
      f"{r.stderr.strip()})")
os.remove(os.path.join(alone, "backaid_pg.so"))

# The handover PDF: the server runs, the summary answers 500 naming
# backaid_pdf.so (with the calendar module beside it, which episodes need
# for their time zone), and the server keeps serving.
shutil.copy2(os.path.join(BUILD, "backaid_calendar.so"), alone)
srv = Server(lone, f"sqlite:{work}/data/m.sqlite", work,
             extra=["--rate", "0"]).start()
st, _, body = srv.json("GET", "/readyz")
check(st == 200, f"/readyz without the PDF module: {st}")
findings = {"bladder_dysfunction": False, "saddle_numbness": False,
            "leg_weakness": "none", "fever": False, "onset_days": 1,
            "pain_score": 5}
st, _, ep = srv.json("POST", "/v1/episodes",
                     {"findings": findings, "time_zone": "Europe/London"})
check(st == 201, f"episode opened with the calendar module: {st} {ep}")
if st == 201:
    st, h, data = srv.request(
        "GET", f"/v1/episodes/{ep['id']}/summary.pdf",
        headers={"Authorization": f"Bearer {ep['token']}"})
    check(st == 500 and b"backaid_pdf.so" in data,
          f"summary.pdf without the PDF module: 500 naming the file ({st} "
          f"{data[:300]!r})")
st, _, _ = srv.json("GET", "/readyz")
check(st == 200, "the server still serves after the failed summary")
check(srv.stop() == 0, "the server stops cleanly")

# CDS Hooks JWT verification (libcrypto): with a JWKS configured and no
# backaid_jwt.so, the server starts, says why on stderr, and refuses every
# CDS Hooks call (503, never open); the rest of the API still serves.
jwks = os.path.join(work, "jwks.json")
with open(jwks, "w") as f:
    f.write('{"keys": [{"kty": "EC", "crv": "P-384", "kid": "k1", '
            '"x": "AAAA", "y": "AAAA"}]}')
env = dict(os.environ, BACKAID_CDS_JWKS=jwks,
           BACKAID_CDS_ISSUERS="https://ehr.example.org",
           BACKAID_CDS_AUDIENCE="https://backaid.example.org/cds-services")
srv = Server(lone, f"sqlite:{work}/data/j.sqlite", work,
             extra=["--rate", "0"], env=env).start()
st, _, _ = srv.json("POST", "/cds-services/backaid-back-pain",
                    {"hook": "patient-view", "hookInstance": "x",
                     "context": {}})
check(st == 503, f"CDS Hooks call without the JWT module: 503 (got {st})")
st, _, _ = srv.json("GET", "/readyz")
check(st == 200, f"/readyz without the JWT module: {st}")
check(srv.stop() == 0, "the server stops cleanly")
err = open(srv.err_path).read()
check("backaid_jwt.so" in err,
      f"stderr names backaid_jwt.so: {err[-400:]!r}")
shutil.rmtree(work, ignore_errors=True)
finish("modules_test")
