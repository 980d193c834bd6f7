#!/usr/bin/env bash
# Stops the server started by start.sh for FIXTURE_DIR and removes its data
# directory and URL file. Quiet and successful when nothing is running.
set -uo pipefail

fixture_dir=${1:?usage: stop.sh FIXTURE_DIR}
bindir=/usr/lib/postgresql/15/bin
[ -f "$fixture_dir/datadir" ] || exit 0
base=$(cat "$fixture_dir/datadir")
case "$base" in
  /tmp/backaid-pg.*) ;;
  *) echo "pg_stop: refusing to remove '$base'" >&2; exit 1 ;;
esac

if [ -f "$base/data/postmaster.pid" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$bindir/pg_ctl" -D "$base/data" -m fast -w -t 60 stop >/dev/null
  else
    "$bindir/pg_ctl" -D "$base/data" -m fast -w -t 60 stop >/dev/null
  fi
fi
rm -rf "$base"
rm -f "$fixture_dir/datadir" "$fixture_dir/url"
echo "pg_stop: stopped and removed $base"
