#!/usr/bin/env bash
# compare.sh's two servers in turns (a benchmark, not a test): the server pgrestgen generates
# for ../shared/bench's schema and the hand-written baseline there, one workload at a time,
# each run of one followed by a run of the other, which goes first alternating from round to
# round. compare.sh runs all of one server, then all of the other, so the machine's drift
# between its two halves (wrk's and PostgreSQL's CPU per request moving by 10–50 % on a shared
# host) lands on one server; in turns, it lands on both alike. Prints each round's
# generated/hand-written requests per second with wrk's and PostgreSQL's CPU per request in
# each run (the same requests and SQL: where they differ, the machine drifted) and, per
# workload, the median ratio.
#
#   scripts/bench-turns.sh [ROUNDS]        (default 3; about 45 s per workload and round)
#   BENCH_SHARED=../shared/bench PERF_DB_PORT=55432 DURATION=10 WARMUP=3 WORKLOADS="a b c d e"
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
export DURATION=${DURATION:-10} WARMUP=${WARMUP:-3}
. scripts/bench-shared.sh
shared_bench_setup bench-turns

port=$((3000 + RANDOM % 1000))
# rps SERVER WORKLOAD OUT: one run.sh run; prints its requests per second, wrk's and
# PostgreSQL's CPU per request (µs) and its p99 latency (ms), from its tables.
rps() {
  local cmd=$1 w=$2 out=$3
  OUT=$out PGBENCH=0 WORKLOADS=$w DB_PORT=$db_port KEEP_DB=1 "$bench/run.sh" "$cmd" "$port" >"$out.log" 2>&1 \
    || { echo "bench-turns: run failed (see $out.log)" >&2; return 1; }
  awk -F'|' '$2 ~ /^ [a-e] / { n++; if (n == 1) { r = $3 + 0; p99 = $5 + 0 } else { print r, $3 + 0, $5 + 0, p99; exit } }' "$out/table.md"
}

echo "results in $work; generated/hand-written requests per second, $rounds rounds"
for w in ${WORKLOADS:-a b c d e}; do
  ratios=()
  for r in $(seq "$rounds"); do
    if (( r % 2 )); then
      first=hand-written
      base=$(rps "$work/baseline -mode batch" "$w" "$work/$w-$r-base")
      gen=$(rps "$work/app/server" "$w" "$work/$w-$r-gen")
    else
      first=generated
      gen=$(rps "$work/app/server" "$w" "$work/$w-$r-gen")
      base=$(rps "$work/baseline -mode batch" "$w" "$work/$w-$r-base")
    fi
    read -r g gwrk gpg gp99 <<<"$gen"
    read -r b bwrk bpg bp99 <<<"$base"
    ratio=$(awk -v g="$g" -v b="$b" 'BEGIN { printf "%.2f", g / b }')
    ratios+=("$ratio")
    echo "$w round $r ($first first): $ratio; CPU µs per request, generated/hand-written: wrk $gwrk/$bwrk, PostgreSQL $gpg/$bpg; p99 ms $gp99/$bp99"
  done
  median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR] = $1} END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  echo "$w: ${ratios[*]}  median $median"
done
