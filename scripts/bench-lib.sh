# Shared by the benchmark scripts (scripts/bench.sh, scripts/bench-rss.sh),
# sourced, not run: checks the tools, builds the example server (at git
# revision $rev when set) and internal/cmd/benchdb, starts a throwaway
# cluster with the example's migrations plus $work/bench.sql (which the
# caller writes after bench_setup and before bench_db, bench_books for the
# load benchmarks), and defines serve, start_server, stop_server, hwm_mb,
# cpu_ticks and pg_ticks; bench_workloads names the five request kinds.
# Everything listens on 127.0.0.1 only.

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
  bench_build "$rev" "$work/server"
  go build -o "$work/benchdb" ./internal/cmd/benchdb
}

# bench_pair REV_A [REV_B]: bench_setup for two builds, $work/server-a at
# REV_A and $work/server-b at REV_B (the work tree when empty), on the load
# benchmarks' database (bench_books, bench_db).
bench_pair() {
  bench_setup "$1"
  mv "$work/server" "$work/server-a"
  echo "building the server${2:+ at $2}" >&2
  bench_build "${2:-}" "$work/server-b"
  bench_books
  bench_db
}

# bench_build REV OUT builds the example server at git revision REV (the
# work tree when empty) into OUT.
bench_build() {
  if [ -z "$1" ]; then
    go build -o "$2" ./example
    return
  fi
  local src
  src=$(mktemp -d "$work/src.XXXXXX")
  git archive "$1" | tar -x -C "$src"
  (cd "$src" && go build -o "$2" ./example)
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

  # serve BINARY PORT: starts a server on the cluster, its pid in $served.
  serve() {
    PGRST_DB_URI="$uri" PGRST_DB_ANON_ROLE=anon PGRST_SERVER_HOST=127.0.0.1 PGRST_SERVER_PORT="$2" \
      "$1" >>"$work/server.log" 2>&1 &
    served=$!
    for _ in $(seq 200); do
      curl -s -o /dev/null "http://127.0.0.1:$2/" && return 0
      kill -0 "$served" 2>/dev/null || break
      sleep 0.1
    done
    echo "$bench_name: the server did not start" >&2; cat "$work/server.log" >&2; exit 1
  }
  start_server() { serve "$work/server" "$port"; srvpid=$served; }
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

# bench_books writes the load benchmarks' data: 20,000 books over 2,000
# authors, so pages and embeds read real indexes, and the POST's body
# ($post_body, and wrk's script for it).
bench_books() {
  cat >"$work/bench.sql" <<SQL
INSERT INTO authors (name) SELECT 'author ' || i FROM generate_series(1, 2000) i;
INSERT INTO books (title, author_id, published, price)
  SELECT 'book ' || i, 1 + i % 2000, 1900 + i % 120, (i % 500) / 10.0 FROM generate_series(1, 20000) i;
ANALYZE;
GRANT INSERT ON books TO anon;
GRANT USAGE ON SEQUENCE books_id_seq TO anon;
SQL
  post_body='{"title": "bench", "author_id": 1, "published": 2000}'
  cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$post_body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Prefer"] = "return=representation"
LUA
  echo "starting PostgreSQL with the example's schema and 20,000 books" >&2
}

# bench_workloads RUN: calls RUN NAME PATH [WRK_SCRIPT] for each request kind.
bench_workloads() {
  "$1" "GET by primary key" "/books?id=eq.4242"
  "$1" "GET 25 rows, filter and order" "/books?select=id,title,price&author_id=eq.7&published=gt.1950&order=price.desc&limit=25"
  "$1" "GET embed many-to-one and one-to-many" "/authors?select=name,books(title,published)&id=eq.7"
  "$1" "POST, return=representation" "/books" "$work/post.lua"
  "$1" "GET /rpc function" "/rpc/average_price?min_year=1970"
}
