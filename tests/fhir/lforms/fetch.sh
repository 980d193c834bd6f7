#!/usr/bin/env bash
# Fetches the pinned LHC-Forms tarball with `npm pack` (npm's registry and
# cache; no CDN), checks its sha512 against tests/fhir/lforms/lforms.pin and
# unpacks the browser files the test serves into WORK_DIR/assets. Again only
# when the pin changes. Usage: fetch.sh SOURCE_DIR WORK_DIR
set -euo pipefail
pin_file="$1/tests/fhir/lforms/lforms.pin"
work=$2
read -r name version integrity < <(grep -v '^#' "$pin_file" | grep .)
mkdir -p "$work"
if cmp -s "$pin_file" "$work/lforms.pin" && [ -f "$work/assets/lhc-forms.js" ]; then
  touch "$work/stamp"
  exit 0
fi
rm -rf "$work/assets" "$work/pack"
mkdir -p "$work/pack" "$work/assets"
(cd "$work/pack" && npm pack "$name@$version" --silent --no-audit --no-fund \
   --loglevel=error >/dev/null)
tarball=$(ls "$work/pack"/*.tgz)
got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$got" != "$integrity" ]; then
  echo "fetch.sh: $tarball has integrity $got, the pin says $integrity" >&2
  exit 1
fi
d=package/dist/lforms
tar -xzf "$tarball" -C "$work/pack" "$d/webcomponent/styles.css" \
  "$d/webcomponent/assets/lib/zone.min.js" "$d/webcomponent/runtime.js" \
  "$d/webcomponent/polyfills.js" "$d/webcomponent/main.js" \
  "$d/fhir/R4/lformsFHIR.min.js" "$d/LICENSE.md"
cp "$work/pack/$d/webcomponent/styles.css" "$work/pack/$d/webcomponent/runtime.js" \
   "$work/pack/$d/webcomponent/polyfills.js" "$work/pack/$d/webcomponent/main.js" \
   "$work/pack/$d/webcomponent/assets/lib/zone.min.js" \
   "$work/pack/$d/fhir/R4/lformsFHIR.min.js" "$work/assets/"
cp "$work/pack/$d/LICENSE.md" "$work/assets/LFORMS-LICENSE.md"
rm -rf "$work/pack"
cp "$pin_file" "$work/lforms.pin"
touch "$work/stamp"
