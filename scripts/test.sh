#!/usr/bin/env bash
# Runs every check CI runs: formatting, vet, the whole test suite on real
# PostgreSQL (and Caddy, for deploy/'s stack test), and that the example's
# committed generated code is current.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-postgres.sh
scripts/ensure-caddy.sh

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:" >&2; echo "$unformatted" >&2; exit 1
fi
go vet ./...
go test -count=1 ./...
go run ./cmd/pgrestgen check --migrations example/migrations --out example/db --package db --client
