#!/usr/bin/env bash
# Builds the web page. Usage: build.sh SOURCE_DIR WORK_DIR OUT_DIR
#   SOURCE_DIR  the repository (web/ is read from it)
#   WORK_DIR    where npm ci installs the pinned tools (package-lock.json),
#               once, and again only when the lock file changes
#   OUT_DIR     the built page, for `backaid serve --web OUT_DIR`
# Needs node and npm (Debian's nodejs); npm reaches only the npm registry.
set -euo pipefail
src=$1
work=$2
out=$3
web="$src/web"

mkdir -p "$work"
if ! cmp -s "$web/package-lock.json" "$work/package-lock.json" ||
   [ ! -f "$work/node_modules/esbuild/package.json" ]; then
  cp "$web/package.json" "$web/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
fi
# build.mjs resolves esbuild from its own directory.
cp "$web/build.mjs" "$work/build.mjs"
# Type check first (esbuild only strips types).
"$work/node_modules/.bin/tsc" -p "$web/tsconfig.json"
rm -rf "$out.tmp"
node "$work/build.mjs" --src "$web" --out "$out.tmp"
rm -rf "$out"
mv "$out.tmp" "$out"
