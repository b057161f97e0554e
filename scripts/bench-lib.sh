# Shared by the benchmark scripts (scripts/bench.sh, scripts/bench-rss.sh),
# sourced, not run: checks the tools, builds the example server (at git
# revision $rev when set) and internal/cmd/benchdb, starts a throwaway
# cluster with the example's migrations plus $work/bench.sql (which the
# caller writes after bench_setup and before bench_db), and defines
# start_server, stop_server, hwm_mb, cpu_ticks and pg_ticks. Everything
# listens on 127.0.0.1 only.

bench_setup() {
  for tool in curl wrk; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$bench_name: $tool is needed (apt-get install $tool)" >&2; exit 1; }
  done

  rev=${1:-}
  only=${BENCH_ONLY:-abc}
  port=${BENCH_PORT:-3917}
  base="http://127.0.0.1:$port"
  work=$(mktemp -d)
  srvpid="" dbpid=""
  cleanup() {
    [ -n "$srvpid" ] && kill "$srvpid" 2>/dev/null && wait "$srvpid" 2>/dev/null || true
    exec 3>&- # closing benchdb's stdin stops the cluster
    [ -n "$dbpid" ] && wait "$dbpid" 2>/dev/null || true
    rm -rf "$work"
  }
  trap cleanup EXIT

  if curl -s -o /dev/null "$base/"; then
    echo "$bench_name: something already listens on port $port (set BENCH_PORT)" >&2; exit 1
  fi

  echo "building the server${rev:+ at $rev} and benchdb" >&2
  if [ -n "$rev" ]; then
    mkdir "$work/src"
    git archive "$rev" | tar -x -C "$work/src"
    (cd "$work/src" && go build -o "$work/server" ./example)
  else
    go build -o "$work/server" ./example
  fi
  go build -o "$work/benchdb" ./internal/cmd/benchdb
}

bench_db() {
  mkfifo "$work/dbin"
  "$work/benchdb" "$work/bench.sql" <"$work/dbin" >"$work/db.out" 2>"$work/db.err" &
  dbpid=$!
  exec 3>"$work/dbin"
  for _ in $(seq 600); do
    [ -s "$work/db.out" ] && break
    kill -0 "$dbpid" 2>/dev/null || { cat "$work/db.err" >&2; exit 1; }
    sleep 0.5
  done
  read -r uri pmpid <"$work/db.out"

  start_server() {
    PGRST_DB_URI="$uri" PGRST_DB_ANON_ROLE=anon PGRST_SERVER_HOST=127.0.0.1 PGRST_SERVER_PORT="$port" \
      "$work/server" >>"$work/server.log" 2>&1 &
    srvpid=$!
    for _ in $(seq 200); do
      curl -s -o /dev/null "$base/" && return 0
      kill -0 "$srvpid" 2>/dev/null || break
      sleep 0.1
    done
    echo "$bench_name: the server did not start" >&2; cat "$work/server.log" >&2; exit 1
  }
  stop_server() { kill "$srvpid"; wait "$srvpid" 2>/dev/null || true; srvpid=""; }
  hwm_mb() { awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$srvpid/status"; }
  # cpu_ticks PID [children]: utime+stime, plus reaped children's with "children".
  cpu_ticks() {
    awk -v c="${2:-}" '{ sub(/^.*\) /, ""); t = $12 + $13; if (c != "") t += $14 + $15; print t }' "/proc/$1/stat"
  }
  # pg_ticks: PostgreSQL's CPU so far: the postmaster, its live children and
  # those that exited.
  pg_ticks() {
    local t kid
    t=$(cpu_ticks "$pmpid" children)
    for kid in $(ps -o pid= --ppid "$pmpid"); do
      t=$((t + $(cpu_ticks "$kid" 2>/dev/null || echo 0)))
    done
    echo "$t"
  }
  hz=$(getconf CLK_TCK)
}
