#!/usr/bin/env bash
# The long crash-durability run: 100 SIGKILL rounds on SQLite, and on
# PostgreSQL when BACKAID_TEST_PG_URL names a server.
# usage: tests/server/crash_long.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-build/release}"
rounds="${2:-100}"
python3 "$here/crash_test.py" "$build/backaid" sqlite "$rounds"
if [ -n "${BACKAID_TEST_PG_URL:-}" ]; then
  python3 "$here/crash_test.py" "$build/backaid" postgres "$rounds"
fi
