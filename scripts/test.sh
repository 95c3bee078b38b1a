#!/usr/bin/env bash
# Runs every test of tokenbridge. On a fresh Debian machine it first installs
# what the tests need (apt packages, npm packages), idempotently.
#   ./scripts/test.sh            everything
#   ./scripts/test.sh go|unit|e2e  one part
set -euo pipefail
cd "$(dirname "$0")/.."
part="${1:-all}"
step() { printf '\n==> %s\n' "$*"; }

# --- 1. dependencies -------------------------------------------------------
apt_pkgs=(dbus dbus-daemon gnome-keyring libsecret-tools chromium chromium-l10n firefox-esr openssl libnss3-tools ca-certificates)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  step "apt-get install ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v go >/dev/null || { echo "Go 1.26+ is required (https://go.dev/dl/); it is not on PATH" >&2; exit 1; }

lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.tokenbridge-lock 2>/dev/null)" != "$lock_sum" ]; then
  step "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.tokenbridge-lock
fi

# --- 2. static checks and builds ------------------------------------------
step "gofmt / go vet / go mod tidy -diff"
unformatted=$(gofmt -l host manifest 2>/dev/null || true)
[ -z "$unformatted" ] || { echo "gofmt would change: $unformatted" >&2; exit 1; }
go vet ./...
go mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy" >&2; exit 1; }

step "build bin/tokenbridge, bin/tinvest-fake"
go build -o bin/tokenbridge ./host/cmd/tokenbridge
go build -o bin/tinvest-fake ./host/cmd/tinvest-fake

step "cross-build windows/amd64 and darwin/arm64"
GOOS=windows GOARCH=amd64 go build -o /dev/null ./host/cmd/tokenbridge
GOOS=darwin GOARCH=arm64 go build -o /dev/null ./host/cmd/tokenbridge

# --- 3. tests (inside a private D-Bus session with an unlocked keyring) ---
run_go() {
  step "go test -race ./... (real Secret Service; fuzz seed corpora included)"
  scripts/with-keyring.sh go test -race -count=1 -timeout 10m ./...
}
run_unit() {
  step "extension unit tests (node --test)"
  node --test extension/test/unit/
}
run_e2e() {
  step "end-to-end: real Chromium and Firefox ESR, real host, real keyring"
  scripts/with-keyring.sh node --test --test-concurrency=1 --test-timeout=600000 e2e/
}
case "$part" in
  go) run_go ;;
  unit) run_unit ;;
  e2e) run_e2e ;;
  all) run_go; run_unit; run_e2e ;;
  *) echo "usage: $0 [all|go|unit|e2e]" >&2; exit 2 ;;
esac
step "all tests passed"
