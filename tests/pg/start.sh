#!/usr/bin/env bash
# Starts a private PostgreSQL 15 server for the tests (ctest fixture `pg`).
#   start.sh FIXTURE_DIR
# Data directory and unix socket live in a fresh /tmp/backaid-pg.XXXXXX
# (short socket path; readable by the postgres user). FIXTURE_DIR receives:
#   url      the libpq URL, one line (BACKAID_PG_URL_FILE in cmake)
#   datadir  the data directory, for stop.sh
# The server log is $base/log (copied to FIXTURE_DIR/log if start fails).
# Runs as root (the server itself then runs as user postgres) or as any
# other user. A server left over from an earlier run of this fixture dir is
# stopped first.
set -euo pipefail

fixture_dir=${1:?usage: start.sh FIXTURE_DIR}
bindir=/usr/lib/postgresql/15/bin
here=$(cd "$(dirname "$0")" && pwd)

if [ ! -x "$bindir/postgres" ]; then
  echo "pg_start: $bindir/postgres not found (install postgresql-15)" >&2
  exit 1
fi

bash "$here/stop.sh" "$fixture_dir" || true
mkdir -p "$fixture_dir"
rm -f "$fixture_dir/url"

as_db() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

base=$(mktemp -d /tmp/backaid-pg.XXXXXX)
echo "$base" > "$fixture_dir/datadir"
mkdir -p "$base/data" "$base/sock"
if [ "$(id -u)" -eq 0 ]; then
  chown -R postgres:postgres "$base"
fi
chmod 700 "$base/data"

as_db "$bindir/initdb" -D "$base/data" -U backaid --auth=trust \
  --encoding=UTF8 --locale=C.UTF-8 >"$base/initdb.log" 2>&1 || {
  cat "$base/initdb.log" >&2; exit 1; }

free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

log="$base/log"
# A free port can be taken between choosing and binding it: try a few.
for attempt in 1 2 3 4 5; do
  port=$(free_port)
  if as_db "$bindir/pg_ctl" -D "$base/data" -l "$log" -w -t 60 \
      -o "-p $port -k $base/sock -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=100" \
      start >/dev/null; then
    url="postgresql:///postgres?host=$base/sock&port=$port&user=backaid"
    echo "$url" > "$fixture_dir/url"
    echo "pg_start: server on port $port, socket dir $base/sock"
    exit 0
  fi
  echo "pg_start: start on port $port failed (attempt $attempt)" >&2
done
cp "$log" "$fixture_dir/log" 2>/dev/null || true
cat "$log" >&2
exit 1
