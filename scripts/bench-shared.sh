# Sourced by bench-turns.sh and bench-together.sh (not run): ../shared/bench's database and
# its two servers. shared_bench_setup NAME starts the database on $db_port (PERF_DB_PORT,
# default 55432; taken down on exit) and builds, in a new directory $work, the server this
# checkout generates for that schema ($work/app/server) and the hand-written one
# ($work/baseline). It sets bench (the ../shared/bench directory, or BENCH_SHARED), db_port,
# db_dir (its socket directory) and work.
shared_bench_setup() {
  local name=$1 repo uri
  repo=$(pwd)
  bench=$(cd "${BENCH_SHARED:-../shared/bench}" 2>/dev/null && pwd) \
    || { echo "$name: ${BENCH_SHARED:-../shared/bench} not found (set BENCH_SHARED)" >&2; exit 2; }
  db_port=${PERF_DB_PORT:-55432}
  db_dir=/tmp/pgrestgen-bench-$db_port
  work=$(mktemp -d "/tmp/$name.XXXXXX")
  chmod 755 "$work"
  trap '"$bench/db.sh" down "$db_port" >/dev/null 2>&1' EXIT

  "$bench/db.sh" up "$db_port" >"$work/db.log" 2>&1 || { echo "$name: bench database failed (see $work/db.log)" >&2; exit 1; }
  uri="postgres://authenticator@127.0.0.1:$db_port/bench"
  go build -o "$work/pgrestgen" ./cmd/pgrestgen
  "$work/pgrestgen" init --db "$uri" --schemas api --module bench.local/api --out "$work/app" >"$work/init.log" 2>&1 \
    || { echo "$name: init failed (see $work/init.log)" >&2; exit 1; }
  (cd "$work/app" && go mod edit -replace "github.com/pgrestgen/pgrestgen=$repo" && go mod tidy && go build -o server .) \
    >"$work/app-build.log" 2>&1 || { echo "$name: the generated server does not build (see $work/app-build.log)" >&2; exit 1; }
  (cd "$bench/baseline" && go build -o "$work/baseline" .)
}
