#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries (initdb, postgres) are installed, as
# pgrestgen's throwaway clusters need them. Installs them from Debian/Ubuntu
# packages when missing; elsewhere says what to install. Also installs
# pgbouncer there, for the tests through a connection pooler (they are
# skipped without it), and PostGIS for the server's major version
# (postgresql-15-postgis-3 for 15), for internal/geotest (skipped without
# it, failed under CI).
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

# The major version of the server found, for its PostGIS package.
server_major() {
  local bin
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/'
    return
  fi
  bin=$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1)
  [ -n "$bin" ] && basename "$(dirname "$(dirname "$bin")")"
}

have_postgis() {
  local major
  major=$(server_major) || return 1
  [ -n "$major" ] && [ -f "/usr/share/postgresql/$major/extension/postgis.control" ]
}

have_server && have_pgbouncer && have_postgis && exit 0

if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  apt_install() {
    echo "installing the Debian packages $*" >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
      echo "apt-get install $* failed" >&2
  }
  # A failure is judged below: without postgresql nothing runs, without
  # pgbouncer or PostGIS only their tests are skipped (failed under CI).
  # Tests start their own pgbouncer.
  $SUDO apt-get update -qq || echo "apt-get update failed" >&2
  pkgs=()
  have_server || pkgs+=(postgresql)
  have_pgbouncer || pkgs+=(pgbouncer)
  [ ${#pkgs[@]} -eq 0 ] || apt_install "${pkgs[@]}"
  # PostGIS for the server's major version, once the server is there.
  if have_server && ! have_postgis; then
    major=$(server_major || true)
    [ -n "$major" ] && apt_install "postgresql-$major-postgis-3"
  fi
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
