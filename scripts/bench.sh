#!/usr/bin/env bash
# Benchmarks: Go micro-benchmarks, host spawn cost (one `list`, one `hello`;
# development and release builds side by side) against a minimal echo host,
# and (unless --no-browser) latencies measured in a real Chromium.
# Runs inside a private keyring session so the real Secret Service is timed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${TOKENBRIDGE_IN_KEYRING_SESSION:-}" != 1 ]; then exec scripts/with-keyring.sh "$0" "$@"; fi

echo "==> go test -bench (frame round-trip, list with 1000 entries, request handling, redaction)"
go test -run '^$' -bench . -benchmem ./host/frame ./host/vault ./host/native ./host/redact

echo; echo "==> host process per message: spawn + one list (and hello), dev and release builds vs a minimal echo host"
go build -o bin/tokenbridge ./host/cmd/tokenbridge
# As scripts/release.sh builds them: static, -trimpath, no symbol tables; the reference hosts likewise.
CGO_ENABLED=0 go build -tags nethttpomithttp2 -trimpath -ldflags "-s -w" -o bin/tokenbridge-release ./host/cmd/tokenbridge
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o bin/echohost-release ./host/cmd/echohost
# The floor: the echo host linked with every package tokenbridge links (their init, the same size).
CGO_ENABLED=0 go build -tags nethttpomithttp2 -trimpath -ldflags "-s -w" -o bin/echohost-imports-release ./host/cmd/echohost-imports
# Rewrite each binary with cp, as a package or archive install writes it: the linker writes its output
# through mmap, which leaves the file's page cache in 4 KiB pages, and starting such a file costs
# ~0.5 ms more page faults (measured; the same bytes written by cp, or read back after eviction, do not).
for b in bin/tokenbridge bin/tokenbridge-release bin/echohost-release bin/echohost-imports-release; do
	cp "$b" "$b.tmp" && mv "$b.tmp" "$b"
done
echo "release binary (linux/$(go env GOARCH), stripped): $(stat -c %s bin/tokenbridge-release) bytes (budget 10485760)"
home=$(mktemp -d); trap 'rm -rf "$home"' EXIT
n="${BENCH_SPAWN_N:-200}"
# BENCH_MAX_RATIO=1.5 makes an over-budget release build fail the run (default: report only; the
# echo host with tokenbridge's imports alone is ~1.3x on the development machine, see README).
TOKENBRIDGE_HOME="$home" go run ./host/cmd/spawnbench -n "$n" -cmd list -echo bin/echohost-release \
	-ref bin/echohost-imports-release -host bin/tokenbridge -host bin/tokenbridge-release -max-ratio "${BENCH_MAX_RATIO:-0}"
echo "  budget: the release build's list ≤ 1.50x the echo host (the reference line is the floor without dropping a dependency)"
# The same with three tokens stored (added through the CLI into the keyring session): the index
# is read and three token views written, as for a user who has tokens.
full=$(mktemp -d); trap 'rm -rf "$home" "$full"' EXIT
for i in 1 2 3; do
	printf 't.%s\n' "$(head -c 96 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 86)" |
		TOKENBRIDGE_HOME="$full" bin/tokenbridge add --label "robot $i" >/dev/null
done
echo "  with 3 tokens stored:"
TOKENBRIDGE_HOME="$full" go run ./host/cmd/spawnbench -n "$n" -cmd list -echo bin/echohost-release \
	-ref bin/echohost-imports-release -host bin/tokenbridge-release -max-ratio "${BENCH_MAX_RATIO:-0}"
TOKENBRIDGE_HOME="$home" go run ./host/cmd/spawnbench -n "$n" -cmd hello -echo bin/echohost-release -host bin/tokenbridge-release

if [ "${1:-}" != "--no-browser" ]; then
  echo; echo "==> real Chromium: capture latency, fill latency, host round-trip through the extension"
  go build -o bin/tinvest-fake ./host/cmd/tinvest-fake
  node e2e/bench.mjs --strict
fi
