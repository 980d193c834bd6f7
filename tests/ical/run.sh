#!/usr/bin/env bash
# Writes a care plan calendar with the real binary and parses it with
# ical.js. Usage: run.sh BACKAID_BIN SOURCE_DIR [WORK_DIR]
# ical.js is installed (npm ci, pinned by package-lock.json) into WORK_DIR
# once and reused while the lock file is unchanged.
set -euo pipefail
bin=$1
src=$2
work=${3:-$(dirname "$bin")/ical-node}
here="$src/tests/ical"

mkdir -p "$work"
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" ||
   [ ! -f "$work/node_modules/ical.js/package.json" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
fi
cp "$here/check.mjs" "$work/check.mjs"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/case.json" <<'JSON'
{"id":"ical-1","age":38,"findings":{"onset_days":0,"onset_with_movement":true,"pain_score":5,"bladder_dysfunction":false,"saddle_numbness":false,"leg_weakness":"none"}}
JSON
"$bin" plan --case "$tmp/case.json" --start 2026-11-21T09:00 \
  --tz America/New_York --awake 07:00-22:00 --ics "$tmp/plan.ics" >/dev/null
# 09:00 EST is 14:00 UTC.
node "$work/check.mjs" "$tmp/plan.ics" America/New_York 2026-11-21T14:00:00.000Z
