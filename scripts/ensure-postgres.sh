#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries (initdb, postgres) are installed, as
# pgrestgen's throwaway clusters need them. Installs them from Debian/Ubuntu
# packages when missing; elsewhere says what to install. Also installs
# pgbouncer there, for the tests through a connection pooler (they are
# skipped without it).
set -euo pipefail

have_server() {
  command -v initdb >/dev/null 2>&1 && return 0
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then return 0; fi
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && return 0
  return 1
}

if ! command -v go >/dev/null 2>&1; then
  echo "Go is not installed: install Go 1.26 or later from https://go.dev/dl/" >&2
  exit 1
fi

have_pgbouncer() {
  command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]
}

have_server && have_pgbouncer && exit 0

if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  pkgs=()
  have_server || pkgs+=(postgresql)
  have_pgbouncer || pkgs+=(pgbouncer)
  echo "installing the Debian packages ${pkgs[*]}" >&2
  # A failure is judged below: without postgresql nothing runs, without
  # pgbouncer only its tests are skipped. Tests start their own pgbouncer.
  { $SUDO apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; } ||
    echo "apt-get install ${pkgs[*]} failed" >&2
  have_server && exit 0
fi

# pgbouncer is optional: its tests skip without it.
have_server && exit 0

cat >&2 <<'MSG'
PostgreSQL server binaries (initdb, postgres) were not found on PATH, via
pg_config --bindir, or in /usr/lib/postgresql/*/bin. Install PostgreSQL 14 or
later: Debian/Ubuntu "apt-get install postgresql", Fedora "dnf install
postgresql-server", macOS "brew install postgresql@16" (then put its bin on PATH).
MSG
exit 1
