#!/usr/bin/env bash
# Makes sure Caddy is installed, for deploy/'s stack test (a real Caddy with
# deploy/Caddyfile in front of the server). Installs the Debian/Ubuntu
# package caddy when it is missing; elsewhere says what to install. Without
# Caddy that test skips itself; everything else runs.
set -euo pipefail

command -v caddy >/dev/null 2>&1 && exit 0

if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "caddy not found; installing the Debian package caddy" >&2
  $SUDO apt-get update -qq
  # The package's service is not started: the test runs its own caddy.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends caddy >/dev/null
  command -v caddy >/dev/null 2>&1 && exit 0
fi

cat >&2 <<'MSG'
caddy was not found on PATH. Install Caddy 2: Debian/Ubuntu "apt-get install
caddy", Fedora "dnf install caddy", macOS "brew install caddy". The deploy
stack test skips itself without it.
MSG
exit 1
