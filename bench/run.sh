#!/usr/bin/env bash
# Runs the backaid benchmarks against an existing build and prints a summary.
#
#   bench/run.sh BUILD_DIR        (make bench runs it on build/release)
#
# Builds nothing. Needs BUILD_DIR/engine_bench and BUILD_DIR/backaid. Writes
# BUILD_DIR/bench/engine_bench.json and, once, a 1,000,000-case input
# BUILD_DIR/bench/cases_1m.jsonl (about 360 MB; delete it to regenerate).
# Environment: BENCH_MIN_TIME (seconds per micro-benchmark, default 0.5),
# BENCH_RUNS (batch repetitions, default 3), BENCH_CASES (default 1000000),
# BENCH_STARTUP_RUNS (start-up runs per figure, default 20; bench/startup.py).
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
BUILD_DIR=${1%/}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MIN_TIME=${BENCH_MIN_TIME:-0.5}
RUNS=${BENCH_RUNS:-3}
CASES=${BENCH_CASES:-1000000}
OUT_DIR="$BUILD_DIR/bench"

for bin in engine_bench backaid; do
  if [[ ! -x "$BUILD_DIR/$bin" ]]; then
    echo "$0: $BUILD_DIR/$bin not found; build it first" \
         "(cmake --build $BUILD_DIR --target engine_bench backaid)" >&2
    exit 1
  fi
done
mkdir -p "$OUT_DIR"

echo "== machine"
echo "cpu:   $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "cores: $(nproc)"
echo "load:  $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; benchmarks want this near 0)"
echo

# ---- micro-benchmarks (the equivalence check runs first and exits 1 on a
# mismatch between the hand-written yardstick and the engine) ---------------
echo "== engine_bench (min time ${MIN_TIME}s per benchmark)"
"$BUILD_DIR/engine_bench" --benchmark_min_time="$MIN_TIME" \
  --benchmark_out="$OUT_DIR/engine_bench.json" --benchmark_out_format=json
echo

# ---- batch: backaid triage over CASES cases ----------------------------------
if [[ "$CASES" == 1000000 ]]; then
  INPUT="$OUT_DIR/cases_1m.jsonl"
else
  INPUT="$OUT_DIR/cases_$CASES.jsonl"
fi
if [[ ! -s "$INPUT" ]]; then
  echo "== generating $INPUT"
  python3 "$HERE/gen_cases.py" --count "$CASES" "$INPUT"
fi
lines=$(wc -l < "$INPUT")
bytes=$(wc -c < "$INPUT")

echo "== backaid triage $INPUT > /dev/null  ($lines cases, $((bytes / 1000000)) MB; best of $RUNS)"
best_s=""
best_rss=0
for ((i = 1; i <= RUNS; i++)); do
  log="$OUT_DIR/time_run$i.txt"
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -v "$BUILD_DIR/backaid" triage "$INPUT" > /dev/null 2> "$log"
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log")
    rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
    cpu=$(sed -n 's/.*Percent of CPU this job got: //p' "$log")
    # h:mm:ss or m:ss(.ss) -> seconds
    secs=$(awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }' <<< "$wall")
  else
    start=$(date +%s.%N)
    "$BUILD_DIR/backaid" triage "$INPUT" > /dev/null
    end=$(date +%s.%N)
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
    rss_kb=0
    cpu="?"
  fi
  printf '  run %d: %.2f s, %.0f cases/s, CPU %s, peak RSS %d MB\n' "$i" "$secs" \
    "$(awk -v n="$lines" -v s="$secs" 'BEGIN { print n / s }')" "$cpu" $((rss_kb / 1024))
  if [[ -z "$best_s" ]] || awk -v a="$secs" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then
    best_s=$secs
  fi
  if ((rss_kb > best_rss)); then best_rss=$rss_kb; fi
done
echo

# ---- summary -------------------------------------------------------------------
python3 - "$OUT_DIR/engine_bench.json" "$lines" "$best_s" "$best_rss" "$(nproc)" <<'EOF'
import json, sys

path, cases, best_s, rss_kb, cores = sys.argv[1:6]
cases, best_s, rss_kb, cores = int(cases), float(best_s), int(rss_kb), int(cores)
rate = {}
for b in json.load(open(path))["benchmarks"]:
    rate[b["name"]] = b.get("items_per_second", 0.0)

def get(name):
    return rate.get(name, 0.0)

engine = get("BM_Engine")
interp = get("BM_EngineInterpreted")
yard = get("BM_Yardstick")
read = get("BM_Read")
read_eval = get("BM_ReadAndEvaluate")
write = get("BM_WriteJson/full:0")
write_cnro = get("BM_WriteJson/full:1")
full = "BM_ReadEvaluateWriteJson/full:%d/real_time/threads:%d"
full1, full2 = get(full % (0, 1)), get(full % (0, 2))
full1_cnro, full2_cnro = get(full % (1, 1)), get(full % (1, 2))
batch = cases / best_s
ratio = yard / engine if engine else float("inf")

def verdict(ok):
    return "MET" if ok else "MISSED"

def ns(r):
    return 1e9 / r if r else float("nan")

print("== summary (items/s from engine_bench; batch from backaid triage)")
print(f"  engine (Evaluate)              {engine / 1e6:8.2f} M cases/s  ({ns(engine):6.0f} ns/case)")
print(f"  yardstick (hand-written)       {yard / 1e6:8.2f} M cases/s  ({ns(yard):6.0f} ns/case)")
print(f"  engine / yardstick time        {ratio:8.2f} x")
print(f"  interpreter (--kb copies)      {interp / 1e6:8.2f} M cases/s  ({ns(interp):6.0f} ns/case, {yard / interp if interp else 0:.2f} x yardstick)")
print(f"  read only                      {read / 1e3:8.0f} k cases/s  ({ns(read):6.0f} ns/case)")
print(f"  read + evaluate                {read_eval / 1e3:8.0f} k cases/s  ({ns(read_eval):6.0f} ns/case)")
print(f"  JSON output only (compact)     {write / 1e3:8.0f} k cases/s  ({ns(write):6.0f} ns/case)")
print(f"    full open questions (--full) {write_cnro / 1e3:8.0f} k cases/s  ({ns(write_cnro):6.0f} ns/case)")
print(f"  read + evaluate + JSON         {full1 / 1e3:8.0f} k cases/s  (1 thread), {full2 / 1e3:.0f} k/s (2 threads)")
print(f"    full open questions (--full) {full1_cnro / 1e3:8.0f} k cases/s  (1 thread), {full2_cnro / 1e3:.0f} k/s (2 threads)")
print(f"  batch, backaid triage          {batch / 1e3:8.0f} k cases/s  ({cores} cores, best {best_s:.2f} s, peak RSS {rss_kb // 1024} MB)")
print()
print("== targets")
print(f"  full evaluation <= 3x yardstick : {ratio:.2f}x         {verdict(ratio <= 3)}")
print(f"  >= 1 M evaluations/s per core   : {engine / 1e6:.2f} M/s       {verdict(engine >= 1e6)}")
print(f"  batch >= 500 k cases/s          : {batch / 1e3:.0f} k/s        {verdict(batch >= 5e5)}")
EOF

# ---- start-up: --version, one-case triage, serve until /readyz ---------------
echo
python3 "$HERE/startup.py" --runs "${BENCH_STARTUP_RUNS:-20}" \
  --json "$OUT_DIR/startup.json" "$BUILD_DIR/backaid"
