#!/usr/bin/env bash
# `backaid serve --config FILE`: the packaged config file (packaging/backaid.conf)
# is read, a command-line option overrides the file, and a bad file (unknown
# key, section, value out of range, unreadable) is refused with exit 2 and a
# message naming the file and key, before anything is opened or listened on.
# Usage: serve_config_test.sh BACKAID_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
# shellcheck source=tests/check_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"
cd "$work"

# Starts serve in the background with the given arguments and waits for
# its ready file: sets $pid and $port (empty if it did not start).
pid=""
port=""
start() {
  rm -f ready
  port=""
  "$bin" serve "$@" >serve.log 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do
    [[ -s ready ]] && { port=$(tr -d '[:space:]' <ready); return 0; }
    kill -0 "$pid" 2>/dev/null || { cat serve.log; return 1; }
    sleep 0.05
  done
  return 1
}
stop() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }

# The packaged file, pointed at this directory: every key it sets is valid.
sed -e "s#sqlite:/var/lib/backaid/backaid.sqlite#sqlite:$work/packaged.sqlite#" \
    -e "s#/usr/share/backaid/web#$work/web#" "$src/packaging/backaid.conf" >packaged.conf
mkdir -p web && echo '<html>packaged web page</html>' >web/index.html
start --config packaged.conf --listen 127.0.0.1:0 --ready-file ready
check "the packaged config starts serve" test -n "$port"
check "its database path is used" test -s packaged.sqlite
check "its web directory is served" bash -c \
  "exec 3<>/dev/tcp/127.0.0.1/$port; printf 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' >&3; cat <&3 | grep -q 'packaged web page'"
stop

# Values from the file apply; the command line wins over the file.
printf 'listen = "127.0.0.1:1"\nready-file = "ready"\ndb = "sqlite:%s/from-file.sqlite"\nthreads = 3\n' "$work" >c.conf
start --config c.conf --listen 127.0.0.1:0
check "ready-file and db come from the file" bash -c "test -n '$port' && test -s from-file.sqlite"
check "--listen on the command line overrides the file (port $port, not 1)" \
  bash -c "test -n '$port' && test '$port' != 1"
stop

refused() {  # NAME FILE-CONTENT WANTED-IN-MESSAGE
  printf '%b' "$2" >bad.conf
  check "$1" bash -c "'$bin' serve --config bad.conf >out.txt 2>&1; rc=\$?; \
    [ \$rc = 2 ] && grep -q 'bad.conf' out.txt && grep -q -- '$3' out.txt"
}
refused "an unknown key is refused, naming it" 'listen = "127.0.0.1:0"\nlisten-adress = "x"\n' "listen-adress"
refused "a value out of range is refused, naming the key" 'threads = 9999\n' "threads"
refused "a section is refused" '[serve]\nthreads = 2\n' "sections are not used"
refused "a file cannot name another config" 'config = "other.conf"\n' "config"
check "a missing file is refused" bash -c \
  "'$bin' serve --config nonexistent.conf >out.txt 2>&1; [ \$? = 2 ] && grep -q nonexistent.conf out.txt"
check "nothing was created by the refused starts" bash -c "! ls data 2>/dev/null"

finish
