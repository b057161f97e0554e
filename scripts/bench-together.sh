#!/usr/bin/env bash
# compare.sh's two servers under load at once (a benchmark, not a test): the server pgrestgen
# generates for ../shared/bench's schema and the hand-written baseline there, both serving
# the same workload at the same time, each driven by its own wrk (-t1, CONNS connections) on
# one database. Whatever the shared machine does during a run (its speed moves by 10–50 %
# within minutes), it does to both, so the ratios compare the servers and not the moments:
# compare.sh runs one server after the other, bench-turns.sh alternates them. Each server gets
# CONNS pool connections; the two wrk share the cores with both servers and PostgreSQL.
#
# Prints per round the generated/hand-written requests per second, server CPU per request
# (user + system, and each apart) and p99 latencies, and per workload the median ratios.
#
#   scripts/bench-together.sh [ROUNDS]     (default 3; about 12 s per workload and round)
#   BENCH_SHARED=../shared/bench PERF_DB_PORT=55432 CONNS=32 DURATION=10 WARMUP=3
#   WORKLOADS="a b c d e"
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
conns=${CONNS:-32}
duration=${DURATION:-10}
warmup=${WARMUP:-3}
command -v wrk >/dev/null || { echo "bench-together: wrk is needed (apt-get install wrk)" >&2; exit 1; }
. scripts/bench-shared.sh
shared_bench_setup bench-together

# The wrk scripts read their directory and the POST body from the environment, as run.sh
# sets them; the body is run.sh's own.
export BENCH_WRK_DIR=$bench/wrk
BENCH_POST_BODY=$(sed -n "s/^POST_BODY='\(.*\)'$/\1/p" "$bench/run.sh")
export BENCH_POST_BODY
[ -n "$BENCH_POST_BODY" ] || { echo "bench-together: no POST_BODY in $bench/run.sh" >&2; exit 1; }

db_url="postgres://authenticator@/bench?host=$db_dir&port=$db_port&sslmode=disable"
gen_port=$((3000 + RANDOM % 1000))
base_port=$((gen_port + 1000))
PGRST_DB_URI=$db_url PGRST_DB_SCHEMAS=api PGRST_DB_ANON_ROLE=web_anon PGRST_DB_POOL=$conns \
  PGRST_SERVER_PORT=$gen_port PGRST_LOG_LEVEL=crit "$work/app/server" >"$work/gen.log" 2>&1 &
gen_pid=$!
BENCH_DB_URL=$db_url BENCH_PORT=$base_port BENCH_POOL=$conns "$work/baseline" -mode batch >"$work/base.log" 2>&1 &
base_pid=$!
trap 'kill "$gen_pid" "$base_pid" 2>/dev/null; "$bench/db.sh" down "$db_port" >/dev/null 2>&1' EXIT
for port in "$gen_port" "$base_port"; do
  for _ in $(seq 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/customers?id=eq.42" || true)" = 200 ] && break
    sleep 0.1
  done
done

ticks() { awk '{print $14, $15}' "/proc/$1/stat"; } # utime stime
# both SECONDS [--latency]: a wrk run on each server at once, into $work/gen.wrk and base.wrk.
both() {
  local s=$1; shift
  wrk -t1 -c"$conns" -d"${s}s" "$@" -s "$script" "http://127.0.0.1:$gen_port" >"$work/gen.wrk" 2>&1 &
  local g=$!
  wrk -t1 -c"$conns" -d"${s}s" "$@" -s "$script" "http://127.0.0.1:$base_port" >"$work/base.wrk" 2>&1 &
  local b=$!
  wait "$g" "$b"
}
requests() { awk '/ requests in / {print $1}' "$1"; }
p99() { awk '$1 == "99%" {print $2}' "$1"; }
median() { sort -n | awk '{v[NR] = $1} END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "results in $work; generated/hand-written, both under load at once ($conns connections each), $rounds rounds"
for w in ${WORKLOADS:-a b c d e}; do
  script=$(ls "$bench/wrk/${w}"_*.lua)
  both "$warmup"
  rps=() cpu=()
  for r in $(seq "$rounds"); do
    read -r gu0 gs0 <<<"$(ticks "$gen_pid")"; read -r bu0 bs0 <<<"$(ticks "$base_pid")"
    both "$duration" --latency
    read -r gu1 gs1 <<<"$(ticks "$gen_pid")"; read -r bu1 bs1 <<<"$(ticks "$base_pid")"
    gn=$(requests "$work/gen.wrk") bn=$(requests "$work/base.wrk")
    [ -n "$gn" ] && [ -n "$bn" ] || { echo "bench-together: a wrk run failed (see $work/*.wrk)" >&2; exit 1; }
    ratio() { awk -v g="$1" -v b="$2" -v gn="$gn" -v bn="$bn" 'BEGIN { printf "%.2f", (g / gn) / (b / bn) }'; }
    rps+=("$(awk -v g="$gn" -v b="$bn" 'BEGIN { printf "%.2f", g / b }')")
    cpu+=("$(ratio $((gu1 - gu0 + gs1 - gs0)) $((bu1 - bu0 + bs1 - bs0)))")
    echo "$w round $r: requests/s $((gn / duration))/$((bn / duration)) = ${rps[-1]}; server CPU per request ${cpu[-1]}" \
      "(user $(ratio $((gu1 - gu0)) $((bu1 - bu0))), system $(ratio $((gs1 - gs0)) $((bs1 - bs0)))); p99 $(p99 "$work/gen.wrk")/$(p99 "$work/base.wrk")"
  done
  echo "$w: requests/s ${rps[*]} (median $(printf '%s\n' "${rps[@]}" | median)); CPU per request ${cpu[*]} (median $(printf '%s\n' "${cpu[@]}" | median))"
done
