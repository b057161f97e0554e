#!/usr/bin/env bash
# A/B load benchmark (not a test): the example server built from git revision
# REV_A and from REV_B (default: the work tree), on one throwaway PostgreSQL,
# driven at the same time, each by its own wrk with half the connections, on
# 127.0.0.1. Both see the same machine, so a change's effect is not lost in the
# machine's speed drifting between two runs one after the other (on a shared
# host it drifts by ±30 % within minutes). Per workload it prints each
# server's requests, their ratio B/A and each server's CPU per request.
#
#   scripts/bench-ab.sh REV_A [REV_B]
#   BENCH_SECONDS=10 BENCH_CONNECTIONS=64 scripts/bench-ab.sh HEAD~3
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/bench-ab.sh REV_A [REV_B]" >&2; exit 2; }
scripts/ensure-postgres.sh
bench_name=bench-ab
. scripts/bench-lib.sh
bench_pair "$@"

seconds=${BENCH_SECONDS:-10}
conns=$(( ${BENCH_CONNECTIONS:-64} / 2 ))
port_b=$((port + 1))
serve "$work/server-a" "$port"; pid_a=$served
serve "$work/server-b" "$port_b"; pid_b=$served
srvpid="$pid_a $pid_b" # for cleanup
trap 'kill $pid_a $pid_b 2>/dev/null; wait $pid_a $pid_b 2>/dev/null; cleanup' EXIT

printf '%-44s %9s %9s %7s %14s %14s\n' workload "A req" "B req" "B/A" "A server µs" "B server µs"
both() {
  local name=$1 path=$2 script=${3:-}
  drive() { wrk -t1 -c"$conns" -d"$1" ${script:+-s "$script"} "http://127.0.0.1:$2$path"; }
  local a0 b0 a1 b1 ra rb bg
  drive 2s "$port" >/dev/null & bg=$!
  drive 2s "$port_b" >/dev/null; wait "$bg" # warm-up
  a0=$(cpu_ticks "$pid_a") b0=$(cpu_ticks "$pid_b")
  drive "${seconds}s" "$port" >"$work/a.out" & bg=$!
  drive "${seconds}s" "$port_b" >"$work/b.out"; wait "$bg"
  a1=$(cpu_ticks "$pid_a") b1=$(cpu_ticks "$pid_b")
  ra=$(awk '/requests in/ {print $1}' "$work/a.out")
  rb=$(awk '/requests in/ {print $1}' "$work/b.out")
  cpu() { awk -v t="$1" -v n="$2" -v hz="$hz" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}'; }
  printf '%-44s %9s %9s %7s %14s %14s\n' "$name" "$ra" "$rb" "$(awk -v a="$ra" -v b="$rb" 'BEGIN {printf "%.2f", b / a}')" \
    "$(cpu $((a1 - a0)) "$ra")" "$(cpu $((b1 - b0)) "$rb")"
}
bench_workloads both
