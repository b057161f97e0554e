#!/usr/bin/env bash
# Instruction counts per request (not a test): the example server built from
# git revision REV_A and from REV_B (default: the work tree) runs under
# valgrind's callgrind, one workload at a time, on one throwaway PostgreSQL;
# each gets a warm-up, then a fixed number of requests over one keep-alive
# connection (curl), and only those are counted. It prints the server's
# user-space instructions per request for each revision and their ratio.
#
# Counted instructions do not drift with the machine's speed, as wrk's
# requests per second do (±30 % within minutes on a shared host), so they
# show a change of a few per cent in one run. They leave out the kernel's
# share (system calls) and PostgreSQL. The garbage collector is off by
# default (GOGC=off), so the counts repeat to within a fraction of a per
# cent; its cost grows with the bytes a request allocates, which
# `go test -bench Serve ./example` reports. BENCH_GOGC=100 counts it too,
# with more noise: the window holds a handful of collections.
#
# BENCH_CACHE=1 also simulates the caches (callgrind's --cache-sim, about
# twice as slow) and prints each revision's level-1 instruction-cache misses
# and data-cache misses (reads and writes) per request beside its
# instructions. A request that runs fewer instructions over more distinct
# code or data can still take more cycles: counted instructions leave that
# out (docs/performance.md, "Instructions are not cycles").
#
#   scripts/bench-instr.sh REV_A [REV_B]
#   BENCH_REQUESTS=4000 BENCH_GOGC=100 scripts/bench-instr.sh HEAD~1
#   BENCH_CACHE=1 scripts/bench-instr.sh HEAD~1
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/bench-instr.sh REV_A [REV_B]" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "bench-instr: valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
scripts/ensure-postgres.sh
bench_name=bench-instr
. scripts/bench-lib.sh
bench_pair "$@"

requests=${BENCH_REQUESTS:-2000}
warmup=300
for rev in a b; do
  # exec keeps the server's pid, which callgrind_control addresses.
  cat >"$work/callgrind-$rev" <<SH
#!/bin/sh
GOGC=${BENCH_GOGC:-off} GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off exec valgrind --tool=callgrind \
  ${BENCH_CACHE:+--cache-sim=yes} --callgrind-out-file="$work/cg-$rev.%p" "$work/server-$rev"
SH
  chmod +x "$work/callgrind-$rev"
done

# count REV PATH [POST]: instructions per request of REV's server for PATH
# (with BENCH_CACHE: and its I1 and D1 misses per request, space-separated).
count() {
  local rev=$1 path=$2 post=${3:-} args=() tries
  [ -n "$post" ] && args=(-X POST -H "Content-Type: application/json" -H "Prefer: return=representation" --data-binary "$post_body")
  urls() { for _ in $(seq "$1"); do echo "url = \"http://127.0.0.1:$port$path\""; done >"$work/urls"; }
  for tries in 1 2 3; do
    rm -f "$work"/cg-"$rev".*
    serve "$work/callgrind-$rev" "$port"; srvpid=$served
    urls "$warmup"; curl -s "${args[@]}" -K "$work/urls" >/dev/null
    callgrind_control -z "$srvpid" >/dev/null
    urls "$requests"; curl -s "${args[@]}" -K "$work/urls" >/dev/null
    callgrind_control -d "$srvpid" >/dev/null
    stop_server
    # valgrind 3.19 does not know RDTSCP, which the Go runtime uses on
    # lock contention unless told (cpu.rdtscp=off): a run that still dies
    # is run again.
    if ls "$work"/cg-"$rev".*.1 >/dev/null 2>&1; then
      # With the cache simulated the events are Ir Dr Dw I1mr D1mr D1mw ….
      awk -v n="$requests" -v cache="${BENCH_CACHE:-}" '/^(summary|totals):/ {
        if (cache == "") printf "%.0f", $2 / n
        else printf "%.0f %.0f %.0f", $2 / n, $5 / n, ($6 + $7) / n
        exit }' "$work"/cg-"$rev".*.1
      return
    fi
    echo "bench-instr: the server died under valgrind (try $tries), again" >&2
  done
  echo "bench-instr: no count for $rev $path" >&2; exit 1
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b / a}'; }
if [ -n "${BENCH_CACHE:-}" ]; then
  printf '%-44s %12s %12s %7s %8s %8s %7s %8s %8s %7s\n' workload "A instr/req" "B instr/req" "B/A" \
    "A I1miss" "B I1miss" "B/A" "A D1miss" "B D1miss" "B/A"
else
  printf '%-44s %12s %12s %7s\n' workload "A instr/req" "B instr/req" "B/A"
fi
each() {
  local name=$1 path=$2 script=${3:-} a b ca cb
  # Assigned on their own lines so that a failed count stops the script.
  ca=$(count a "$path" ${script:+post})
  cb=$(count b "$path" ${script:+post})
  read -r -a a <<<"$ca"
  read -r -a b <<<"$cb"
  if [ -n "${BENCH_CACHE:-}" ]; then
    printf '%-44s %12s %12s %7s %8s %8s %7s %8s %8s %7s\n' "$name" "${a[0]}" "${b[0]}" "$(ratio "${a[0]}" "${b[0]}")" \
      "${a[1]}" "${b[1]}" "$(ratio "${a[1]}" "${b[1]}")" "${a[2]}" "${b[2]}" "$(ratio "${a[2]}" "${b[2]}")"
  else
    printf '%-44s %12s %12s %7s\n' "$name" "${a[0]}" "${b[0]}" "$(ratio "${a[0]}" "${b[0]}")"
  fi
}
bench_workloads each
