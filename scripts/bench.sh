#!/usr/bin/env bash
# Load benchmark (not a test): serves the example API on a throwaway
# PostgreSQL and drives five of PostgREST's request kinds with wrk, one after
# the other, on 127.0.0.1. Per workload it prints requests/s, p50/p99, non-2xx
# responses and the CPU time per request of the server and of PostgreSQL
# (on a small machine wrk, the server and PostgreSQL share the cores, so CPU
# per request compares runs better than requests/s). For the side-by-side
# comparison with a hand-written server, see ../shared/bench/compare.sh.
#
#   scripts/bench.sh            # the server built from the work tree
#   scripts/bench.sh REV        # the server built from git revision REV
#   BENCH_SECONDS=10 BENCH_CONNECTIONS=64 scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-postgres.sh
bench_name=bench
. scripts/bench-lib.sh
bench_setup "$@"

bench_books
bench_db

seconds=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-64}

start_server
printf '%-44s %9s %9s %9s %8s %12s %10s\n' workload req/s p50 p99 non-2xx "server µs" "PG µs"
run() {
  local name=$1 path=$2 script=${3:-}
  wrk -t2 -c"$conns" -d2s ${script:+-s "$script"} "$base$path" >/dev/null # warm-up
  local s0 p0 s1 p1
  s0=$(cpu_ticks "$srvpid") p0=$(pg_ticks)
  wrk -t2 -c"$conns" -d"${seconds}s" --latency ${script:+-s "$script"} "$base$path" >"$work/wrk.out"
  s1=$(cpu_ticks "$srvpid") p1=$(pg_ticks)
  local reqs rps p50 p99 non2xx
  reqs=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$work/wrk.out")
  p50=$(awk '/^ +50%/ {print $2}' "$work/wrk.out")
  p99=$(awk '/^ +99%/ {print $2}' "$work/wrk.out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.out")
  cpu() { awk -v t="$1" -v n="$reqs" -v hz="$hz" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}'; }
  printf '%-44s %9s %9s %9s %8s %12s %10s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}" "$(cpu $((s1 - s0)))" "$(cpu $((p1 - p0)))"
}
bench_workloads run
echo "server peak RSS $(hwm_mb) MB"
stop_server
