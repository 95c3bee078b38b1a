#!/usr/bin/env bash
# Benchmarks: Go micro-benchmarks, host spawn cost against a minimal echo
# host, and (unless --no-browser) latencies measured in a real Chromium.
# Runs inside a private keyring session so the real Secret Service is timed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${TOKENBRIDGE_IN_KEYRING_SESSION:-}" != 1 ]; then exec scripts/with-keyring.sh "$0" "$@"; fi

echo "==> go test -bench (frame round-trip, list with 1000 entries, request handling, redaction)"
go test -run '^$' -bench . -benchmem ./host/frame ./host/vault ./host/native ./host/redact

echo; echo "==> host process per message (spawn + hello) vs a minimal echo host"
go build -o bin/tokenbridge ./host/cmd/tokenbridge
go build -o bin/echohost ./host/cmd/echohost
home=$(mktemp -d); trap 'rm -rf "$home"' EXIT
TOKENBRIDGE_HOME="$home" go run ./host/cmd/spawnbench -n "${BENCH_SPAWN_N:-100}" -host bin/tokenbridge -echo bin/echohost

if [ "${1:-}" != "--no-browser" ]; then
  echo; echo "==> real Chromium: capture latency, fill latency, host round-trip through the extension"
  go build -o bin/tinvest-fake ./host/cmd/tinvest-fake
  node e2e/bench.mjs --strict
fi
