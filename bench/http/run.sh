#!/usr/bin/env bash
# HTTP benchmarks: backaid's HttpServer (POST /v1/triage doing the real work)
# against nginx serving a static JSON file of the same size, then 10,000
# idle keep-alive connections against the backaid server.
#
#   bench/http/run.sh BUILD_DIR     (BUILD_DIR has http_bench_server: a
#                                    release build with BACKAID_BENCH=ON)
#
# Builds nothing. Installs wrk and nginx-light with apt-get if missing.
# Environment: HTTP_BENCH_RUNS (default 3), HTTP_BENCH_DURATION (10s),
# HTTP_BENCH_CONNECTIONS (64), HTTP_BENCH_HOLD (10000), HTTP_BENCH_THREADS
# (server threads, default 2), HTTP_BENCH_BASELINE (path of another
# http_bench_server, e.g. built from an earlier commit: it joins the
# alternation as a third contender, so a change is compared under the same
# machine load).
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
BUILD_DIR=${1%/}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUNS=${HTTP_BENCH_RUNS:-3}
DURATION=${HTTP_BENCH_DURATION:-10s}
CONNS=${HTTP_BENCH_CONNECTIONS:-64}
HOLD=${HTTP_BENCH_HOLD:-10000}
THREADS=${HTTP_BENCH_THREADS:-2}
SERVER="$BUILD_DIR/http_bench_server"
BASELINE=${HTTP_BENCH_BASELINE:-}

if [[ ! -x "$SERVER" ]]; then
  echo "$0: $SERVER not found; configure with -DBACKAID_BENCH=ON and build" \
       "the http_bench_server target" >&2
  exit 1
fi

missing=()
command -v wrk > /dev/null || missing+=(wrk)
command -v nginx > /dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v curl > /dev/null || missing+=(curl)
if ((${#missing[@]})); then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y \
    --no-install-recommends "${missing[@]}"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# 10,000 client sockets in one process and as many in the server.
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
if (( $(ulimit -n) < HOLD + 100 )); then
  echo "warning: ulimit -n is $(ulimit -n); holding fewer connections" >&2
  HOLD=$(( $(ulimit -n) - 100 ))
fi

TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_port() {
  for _ in $(seq 100); do
    if (echo > "/dev/tcp/127.0.0.1/$1") 2> /dev/null; then return 0; fi
    sleep 0.05
  done
  echo "$0: nothing listening on port $1" >&2
  exit 1
}

echo "== machine"
echo "cpu:   $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "cores: $(nproc)"
echo "load:  $(cut -d' ' -f1-3 /proc/loadavg) (benchmarks want this near 0)"
echo

# ---- the backaid bench server -------------------------------------------------
BPORT=$(free_port)
"$SERVER" "$BPORT" "$THREADS" > "$TMP/server.out" 2> /dev/null &
SPID=$!
PIDS+=("$SPID")
wait_port "$BPORT"

if [[ -n "$BASELINE" ]]; then
  APORT=$(free_port)
  "$BASELINE" "$APORT" "$THREADS" > /dev/null 2> /dev/null &
  PIDS+=($!)
  wait_port "$APORT"
fi

# The request body: the first sample case (a realistic, complete case).
head -n 1 "$ROOT/examples/cases.jsonl" | tr -d '\n' > "$TMP/case.json"
mkdir -p "$TMP/www"
curl -sf -X POST -H 'Content-Type: application/json' \
  --data-binary @"$TMP/case.json" "http://127.0.0.1:$BPORT/v1/triage" \
  > "$TMP/www/triage.json"
RESP_BYTES=$(wc -c < "$TMP/www/triage.json")
if ((RESP_BYTES < 100)); then
  echo "$0: the bench server's triage response looks wrong:" >&2
  cat "$TMP/www/triage.json" >&2
  exit 1
fi

# ---- nginx: static file of the same size, 2 workers, no access log ------------
NPORT=$(free_port)
mkdir -p "$TMP/nginx/logs"
cat > "$TMP/nginx.conf" <<EOF
worker_processes 2;
daemon off;
master_process on;
user $(id -un) $(id -gn);
pid $TMP/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 600s;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  server {
    listen 127.0.0.1:$NPORT;
    location / { root $TMP/www; default_type application/json; }
  }
}
EOF
"$NGINX" -c "$TMP/nginx.conf" -p "$TMP/nginx" -e "$TMP/nginx/error.log" &
PIDS+=($!)
wait_port "$NPORT"
NGINX_BYTES=$(curl -sf "http://127.0.0.1:$NPORT/triage.json" | wc -c)

# wrk: POST the case to backaid.
{
  echo 'wrk.method = "POST"'
  echo 'wrk.headers["Content-Type"] = "application/json"'
  printf 'wrk.body = [==[%s]==]\n' "$(cat "$TMP/case.json")"
} > "$TMP/post.lua"

# Prints "requests_per_s p99_ms" from wrk's output.
parse_wrk() {
  awk '
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" {
      v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
      if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000
      p99 = v
    }
    END { printf "%s %s\n", rps, p99 }' "$1"
}

echo "== wrk -t2 -c$CONNS -d$DURATION --latency, $RUNS alternating runs each"
echo "   backaid: POST /v1/triage ($(wc -c < "$TMP/case.json") B case, $RESP_BYTES B response, $THREADS server threads)"
echo "   nginx:   GET a static $NGINX_BYTES B JSON file (2 workers)"
for ((i = 1; i <= RUNS; i++)); do
  wrk -t2 -c"$CONNS" -d"$DURATION" --latency \
    "http://127.0.0.1:$NPORT/triage.json" > "$TMP/nginx_$i.txt"
  read -r rps p99 < <(parse_wrk "$TMP/nginx_$i.txt")
  printf '  run %d nginx    %10.0f req/s  p99 %6.2f ms\n' "$i" "$rps" "$p99"
  echo "$rps $p99" >> "$TMP/nginx.results"
  wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s "$TMP/post.lua" \
    "http://127.0.0.1:$BPORT/v1/triage" > "$TMP/backaid_$i.txt"
  if grep -q "Non-2xx" "$TMP/backaid_$i.txt"; then
    echo "$0: backaid answered non-2xx:" >&2
    cat "$TMP/backaid_$i.txt" >&2
    exit 1
  fi
  read -r rps p99 < <(parse_wrk "$TMP/backaid_$i.txt")
  printf '  run %d backaid  %10.0f req/s  p99 %6.2f ms\n' "$i" "$rps" "$p99"
  echo "$rps $p99" >> "$TMP/backaid.results"
  if [[ -n "$BASELINE" ]]; then
    wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s "$TMP/post.lua" \
      "http://127.0.0.1:$APORT/v1/triage" > "$TMP/baseline_$i.txt"
    read -r rps p99 < <(parse_wrk "$TMP/baseline_$i.txt")
    printf '  run %d baseline %10.0f req/s  p99 %6.2f ms\n' "$i" "$rps" "$p99"
    echo "$rps $p99" >> "$TMP/baseline.results"
  fi
  echo "  load: $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo

# ---- 10,000 idle keep-alive connections ----------------------------------------
printf 'POST /v1/triage HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
  "$(wc -c < "$TMP/case.json")" "$(cat "$TMP/case.json")" > "$TMP/request.http"
echo "== $HOLD keep-alive connections held open against backaid"
HOLD_OUT=$(python3 "$HERE/hold_connections.py" "$BPORT" "$HOLD" "$SPID" \
  "$TMP/request.http")
echo "  $HOLD_OUT"
echo

# ---- summary --------------------------------------------------------------------
python3 - "$TMP/nginx.results" "$TMP/backaid.results" "$HOLD_OUT" \
  "$TMP/baseline.results" <<'EOF'
import os
import statistics, sys

def load(p):
    rows = [tuple(map(float, l.split())) for l in open(p) if l.strip()]
    return (statistics.median(r[0] for r in rows),
            statistics.median(r[1] for r in rows))

n_rps, n_p99 = load(sys.argv[1])
b_rps, b_p99 = load(sys.argv[2])
hold = dict(kv.split("=", 1) for kv in sys.argv[3].split() if "=" in kv)
ratio = b_rps / n_rps if n_rps else 0
verdict = lambda ok: "MET" if ok else "MISSED"
print("== summary (medians)")
print(f"  nginx static        {n_rps:10.0f} req/s  p99 {n_p99:.2f} ms")
print(f"  backaid /v1/triage  {b_rps:10.0f} req/s  p99 {b_p99:.2f} ms")
print(f"  ratio backaid/nginx {ratio:10.2f}")
if os.path.exists(sys.argv[4]):
    a_rps, a_p99 = load(sys.argv[4])
    print(f"  baseline /v1/triage {a_rps:10.0f} req/s  p99 {a_p99:.2f} ms"
          f"  (ratio {a_rps / n_rps if n_rps else 0:.2f})")
print(f"  idle connections    {hold.get('open')} open, "
      f"{hold.get('kb_per_connection')} KB RSS each "
      f"({hold.get('rss_before_kb')} -> {hold.get('rss_after_kb')} KB)")
print()
print("== targets")
print(f"  >= 0.7x nginx req/s     : {ratio:.2f}x     {verdict(ratio >= 0.7)}")
print(f"  p99 <= 3 ms at 64 conns : {b_p99:.2f} ms  {verdict(b_p99 <= 3)}")
EOF
