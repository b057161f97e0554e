#!/usr/bin/env bash
# Generates the example library API from example/migrations and serves it on
# a throwaway PostgreSQL (port 3000, or PGRST_SERVER_PORT).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-postgres.sh
go generate ./example/...
exec go run ./example
