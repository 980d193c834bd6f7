# Shared helpers for the end-to-end shell tests. Source it after setting
# `set -uo pipefail`; it creates $work (removed on exit) and defines
#   check NAME COMMAND...   counts a pass when COMMAND succeeds, else prints
#                           its output as a failure
#   finish                  prints "N passed, N failed" and sets the status
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

check() {
  local name=$1
  shift
  if "$@" >"$work/out" 2>"$work/err"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $name"
    sed 's/^/  | /' "$work/out" "$work/err" | head -20
  fi
}

finish() {
  echo "$passed passed, $failed failed"
  test "$failed" -eq 0
}
