#!/usr/bin/env bash
# Memory benchmark (not a test): the example server's peak RSS (VmHWM) under
# three loads, each on a freshly started server process:
#   a) one GET of a ~500 MB JSON body (480,000 authors with 1,000-character
#      names), read by curl into /dev/null: bytes received and time too;
#   b) 8 concurrent POSTs of 70 MiB bodies (over server-max-body-size);
#   c) 60 s of PK GETs at 256 connections with wrk: requests/s, latency,
#      and the CPU time per request of the server and of PostgreSQL.
# The database is a throwaway cluster with the example's migrations, started
# as the demo starts one (internal/cmd/benchdb, on pgcluster). Everything
# listens on 127.0.0.1 only.
#
#   scripts/bench-rss.sh            # the server built from the work tree
#   scripts/bench-rss.sh REV        # the server built from git revision REV
#   BENCH_ONLY=ac scripts/bench-rss.sh   # a subset of the scenarios
#   BENCH_AUTHORS=1000 …                 # fewer rows for a), for a quick run
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-postgres.sh
bench_name=bench-rss
. scripts/bench-lib.sh
bench_setup "$@"

cat >"$work/bench.sql" <<SQL
INSERT INTO authors (name) SELECT repeat(chr(97 + i % 26), 1000) FROM generate_series(1, ${BENCH_AUTHORS:-480000}) i;
ANALYZE authors;
SQL
echo "starting PostgreSQL and loading ~500 MB of authors" >&2
bench_db

if [[ $only == *a* ]]; then
  start_server
  out=$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}' "$base/authors")
  read -r code bytes secs <<<"$out"
  echo "a) GET /authors: status $code, $bytes bytes in ${secs}s; server peak RSS $(hwm_mb) MB"
  stop_server
fi

if [[ $only == *b* ]]; then
  { printf '[{"name":"'; head -c $((70 << 20)) /dev/zero | tr '\0' x; printf '"}]'; } >"$work/body.json"
  start_server
  posts=()
  for _ in $(seq 8); do
    curl -s -o /dev/null -w '%{http_code}\n' -X POST -H 'Content-Type: application/json' \
      --data-binary @"$work/body.json" "$base/authors" >>"$work/b.codes" &
    posts+=($!)
  done
  wait "${posts[@]}" || true
  echo "b) 8 POSTs of 70 MiB: statuses $(sort "$work/b.codes" | uniq -c | awk '{printf "%s×%s ", $2, $1}'); server peak RSS $(hwm_mb) MB"
  rm -f "$work/body.json"
  stop_server
fi

if [[ $only == *c* ]]; then
  start_server
  s0=$(cpu_ticks "$srvpid") p0=$(pg_ticks)
  wrk -t2 -c256 -d"${BENCH_SECONDS:-60}s" --latency "$base/authors?id=eq.1" >"$work/wrk.out"
  s1=$(cpu_ticks "$srvpid") p1=$(pg_ticks)
  reqs=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.out")
  lat=$(awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print "p50 " p50 ", p99 " p99}' "$work/wrk.out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.out")
  cpu() { awk -v t="$1" -v n="$reqs" -v hz="$hz" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}'; }
  echo "c) wrk 60 s, 256 connections, GET /authors?id=eq.1: $reqs requests, $rps/s, $lat, non-2xx ${non2xx:-0};" \
    "CPU per request: server $(cpu $((s1 - s0))) µs, PostgreSQL $(cpu $((p1 - p0))) µs; server peak RSS $(hwm_mb) MB"
  stop_server
fi
