#!/usr/bin/env bash
# The Debian package as a new user meets it: `apt-get install ./backaid_*.deb`
# in a brand-new bookworm root (nothing but debootstrap's minbase), then the
# packaged service started as the `backaid` user with the packaged config.
#
#   tests/deb/deb_test.sh BACKAID_DEB        (as root; CI runs it from .ci/run)
#
# Checks, each printed as ok/FAIL, closing with 'N passed, N failed':
#   - apt-get resolves every Depends (dpkg-shlibdeps) from Debian alone, and
#     every installed ELF file (binary and on-demand modules) finds all its
#     libraries (ldd), before anything else is installed into the root;
#   - the files: binary, web page, man page, conffile, unit, copyright;
#   - the `backaid` system user, its 0700 state directory;
#   - `backaid serve --config /etc/backaid/backaid.conf` as that user
#     (--listen/--ready-file on the command line override the file):
#     /readyz 200, a triage, the web page, an episode and its summary PDF,
#     the SQLite file created 0600 in /var/lib/backaid;
#   - an unknown key in a config file is refused, naming it;
#   - `systemd-analyze verify` accepts the unit; lintian reports no error.
# The root comes from the fresh-debian tool's cached minbase (built by it
# once per machine; built here with ../shared/tools/fresh-debian if absent).
set -uo pipefail
deb=$(realpath "${1:?usage: deb_test.sh BACKAID_DEB}")
[[ $(id -u) == 0 ]] || { echo "deb_test: needs root" >&2; exit 2; }
here=$(cd "$(dirname "$0")/../.." && pwd)
base=/var/cache/fresh-debian/bookworm-minbase.tar
if [[ ! -s $base ]]; then
  (cd "$here" && ../shared/tools/fresh-debian true) >/dev/null || {
    echo "deb_test: could not build the bookworm base" >&2; exit 2; }
fi

passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

root=$(mktemp -d /var/tmp/backaid-deb.XXXXXX)
mounted=()
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null; done
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT
tar -C "$root" -xf "$base"
chmod 755 "$root"
cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/" 2>/dev/null && : >"$root/etc/apt/sources.list"
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt" 2>/dev/null || true
for m in proc sys dev dev/pts; do
  mkdir -p "$root/$m"
  case $m in
    proc) mount -t proc proc "$root/proc" ;;
    sys) mount -t sysfs sys "$root/sys" ;;
    dev) mount --bind /dev "$root/dev" ;;
    dev/pts) mount -t devpts devpts "$root/dev/pts" ;;
  esac
  mounted+=("$root/$m")
done
cp "$deb" "$root/tmp/"
name=$(basename "$deb")
in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -c "$1"
}

echo "deb_test: installing $name into a fresh bookworm root"
in_root "apt-get update -qq" >/dev/null 2>&1
check "apt-get install ./$name resolves its Depends" \
  in_root "apt-get install -y -qq --no-install-recommends /tmp/$name >/tmp/apt.log 2>&1 || { tail -20 /tmp/apt.log; exit 1; }"
depends=$(dpkg-deb -f "$deb" Depends)
echo "     Depends: $depends"
check "Depends came from dpkg-shlibdeps (libc6, libstdc++6, libsqlite3)" \
  bash -c "grep -q 'libc6' <<<'$depends' && grep -q 'libstdc++6' <<<'$depends' && grep -q 'libsqlite3' <<<'$depends'"
check "every installed ELF file finds its libraries" in_root '
  bad=0
  for f in $(dpkg -L backaid); do
    [ -f "$f" ] && head -c4 "$f" | grep -q ELF || continue
    if ldd "$f" | grep -q "not found"; then echo "     $f: $(ldd "$f" | grep "not found" | tr -s " " | head -3)"; bad=1; fi
  done
  exit $bad'
check "backaid --version runs" in_root "backaid --version | grep -q '^backaid '"
check "a triage on the command line" in_root \
  "echo '{\"id\":\"t\",\"age\":30,\"sex\":\"male\",\"findings\":{\"pain_score\":5,\"onset_days\":1}}' | backaid triage - | grep -q '\"triage\"'"
for f in /usr/bin/backaid /usr/share/backaid/web/index.html /usr/share/man/man1/backaid.1.gz \
         /etc/backaid/backaid.conf /lib/systemd/system/backaid.service \
         /usr/share/doc/backaid/copyright /usr/share/doc/backaid/changelog.gz; do
  check "installed $f" test -s "$root$f"
done
check "the config is a conffile" in_root "dpkg-query -W -f='\${Conffiles}' backaid | grep -q /etc/backaid/backaid.conf"
check "the man page names every subcommand" in_root \
  "zcat /usr/share/man/man1/backaid.1.gz | grep -q 'backaid serve' && zcat /usr/share/man/man1/backaid.1.gz | grep -q 'backaid triage'"
check "system user backaid exists" in_root "getent passwd backaid | grep -q ':/var/lib/backaid:'"
check "state directory is backaid's, 0700" in_root "[ \"\$(stat -c %U:%a /var/lib/backaid)\" = backaid:700 ]"

# The service as systemd would start it (ExecStart, WorkingDirectory and
# UMask from the unit), as its user; the command line overrides the packaged
# listen address (a free port).
in_root "rm -f /tmp/ready; umask 077; cd /var/lib/backaid && { setpriv --reuid=backaid --regid=backaid --init-groups \
  backaid serve --config /etc/backaid/backaid.conf --listen 127.0.0.1:0 --ready-file /tmp/ready \
  </dev/null >/tmp/serve.log 2>&1 & echo \$! >/tmp/serve.pid; }"
server_pid=$(cat "$root/tmp/serve.pid" 2>/dev/null)
port=""
for _ in $(seq 1 100); do
  port=$(cat "$root/tmp/ready" 2>/dev/null | tr -d '[:space:]')
  [[ -n $port ]] && break
  sleep 0.1
done
check "serve started as backaid with the packaged config" test -n "$port"
[[ -n $port ]] || sed 's/^/     /' "$root/tmp/serve.log"
http() {  # METHOD PATH [BODY] [TOKEN] -> "STATUS\nBODY" (bash /dev/tcp: no curl in minbase)
  local method=$1 path=$2 body=${3:-} token=${4:-} auth=""
  [[ -n $token ]] && auth="Authorization: Bearer $token"$'\r\n'
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf '%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%sContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
    "$method" "$path" "$auth" "${#body}" "$body" >&3
  cat <&3 | tr -d '\r' >"$root/tmp/response"
  exec 3<&-
  awk 'NR==1{print $2}' "$root/tmp/response"
}
body() { awk 'f{print} /^$/{f=1}' "$root/tmp/response"; }
if [[ -n $port ]]; then
  check "/readyz is 200" test "$(http GET /readyz)" = 200
  check "POST /v1/triage answers a level" bash -c "[ \"\$1\" = 200 ] && grep -q '\"triage\"' '$root/tmp/response'" _ \
    "$(http POST /v1/triage '{"id":"d","age":30,"sex":"male","findings":{"pain_score":5,"onset_days":1}}')"
  check "the web page is served from /usr/share/backaid/web" bash -c "[ \"\$1\" = 200 ] && grep -qi '<html' '$root/tmp/response'" _ "$(http GET /)"
  st=$(http POST /v1/episodes '{"findings":{"pain_score":5,"onset_days":1,"bladder_dysfunction":false,"saddle_numbness":false,"bowel_dysfunction":false,"leg_weakness":"none"},"time_zone":"Europe/London"}')
  id=$(body | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
  token=$(body | grep -o '"token":"[^"]*"' | head -1 | cut -d'"' -f4)
  check "an episode is stored (201)" test "$st" = 201
  check "its summary PDF renders (the on-demand PDF code loads)" bash -c \
    "[ \"\$1\" = 200 ] && grep -q '%PDF-' '$root/tmp/response'" _ "$(http GET "/v1/episodes/$id/summary.pdf" "" "$token")"
  check "the SQLite file is backaid's and 0600" in_root \
    "[ \"\$(stat -c %U:%a /var/lib/backaid/backaid.sqlite)\" = backaid:600 ]"
fi
stop_server() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null
  local i
  for i in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  server_pid=""
}
stop_server
check "SIGTERM stops the service cleanly" grep -q "backaid serve: stopped" "$root/tmp/serve.log"
printf 'listen = "127.0.0.1:0"\nno-such-option = 1\n' >"$root/tmp/bad.conf"
check "an unknown config key is refused, naming it" in_root \
  "! backaid serve --config /tmp/bad.conf >/tmp/bad.log 2>&1 && grep -q 'no-such-option' /tmp/bad.log"

# Tools for the last two checks go in only now, after the run above.
in_root "apt-get install -y -qq --no-install-recommends systemd lintian >/dev/null 2>&1"
check "systemd-analyze verify accepts backaid.service" in_root \
  "systemd-analyze verify /lib/systemd/system/backaid.service 2>&1 | tee /tmp/verify.log | grep -v -e '^\$' -e 'Failed to open /etc/machine-id' -e 'bus' ; ! grep -qi 'error\|invalid\|unknown' /tmp/verify.log"
lintian_out=$(in_root "lintian --fail-on error /tmp/$name 2>&1; echo exit=\$?")
echo "$lintian_out" | sed 's/^/     lintian: /'
check "lintian reports no error" grep -q '^exit=0$' <<<"$lintian_out"

echo "deb_test: $passed passed, $failed failed"
[[ $failed == 0 ]]
