#!/usr/bin/env bash
# Runs the whole tokenbridge flow in a real headless Chromium on local replicas of the bank and
# Logos pages (no bank account, no network): issue a token → the extension captures it → the host
# stores it in the OS keyring → the extension fills it on Logos. Saves screenshots to
# docs/screenshots/. Uses your Secret Service if one answers (the demo's item is deleted at the end),
# otherwise a private throwaway gnome-keyring (scripts/with-keyring.sh). --private-keyring forces that.
set -euo pipefail
cd "$(dirname "$0")/.."

private=0
for a in "$@"; do
  case "$a" in
    --private-keyring) private=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "demo: unknown argument $a (try --help)" >&2; exit 2 ;;
  esac
done

need() { command -v "$1" >/dev/null || { echo "demo: $1 not found: $2" >&2; exit 1; }; }
need node "install Node.js 20+"
need go "install Go (https://go.dev/dl/) to build the host"
need openssl "apt-get install openssl"
need secret-tool "apt-get install libsecret-tools"
[ -x "${TB_CHROMIUM:-/usr/bin/chromium}" ] || { echo "demo: Chromium not found at ${TB_CHROMIUM:-/usr/bin/chromium}: apt-get install chromium (or set TB_CHROMIUM)" >&2; exit 1; }
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund

# A Secret Service answers when secret-tool can store and clear a probe item within 5 s.
keyring_answers() {
  printf x | timeout 5 secret-tool store --label="tokenbridge demo probe" service tokenbridge-demo-probe username probe >/dev/null 2>&1 &&
    timeout 5 secret-tool clear service tokenbridge-demo-probe username probe >/dev/null 2>&1
}

mkdir -p bin
go build -o bin/tokenbridge ./host/cmd/tokenbridge
go build -o bin/tinvest-fake ./host/cmd/tinvest-fake

if [ "$private" = 0 ] && [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && keyring_answers; then
  echo "demo: using your Secret Service (the demo token is deleted at the end)"
  exec node e2e/demo.mjs
fi
echo "demo: using a private throwaway keyring (scripts/with-keyring.sh)"
exec scripts/with-keyring.sh node e2e/demo.mjs
