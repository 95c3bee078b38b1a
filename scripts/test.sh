#!/usr/bin/env bash
# Runs every test of tokenbridge. On a fresh Debian machine it first installs
# what the tests need (apt packages, npm packages), idempotently.
#   ./scripts/test.sh            everything
#   ./scripts/test.sh go|unit|e2e|release  one part
set -euo pipefail
cd "$(dirname "$0")/.."
part="${1:-all}"
step() { printf '\n==> %s\n' "$*"; }

# --- 1. dependencies -------------------------------------------------------
apt_pkgs=(dbus dbus-daemon gnome-keyring libsecret-tools chromium chromium-l10n firefox-esr openssl libnss3-tools ca-certificates)
apt_pkgs+=(rpm)  # release: reads the .rpm's file list
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
# The release (scripts/release.sh --snapshot), checked as a user gets it. Installs the .deb on this
# machine and removes it again (also on failure), comparing the file lists before and after.
rel_sudo=""; [ "$(id -u)" = 0 ] || rel_sudo=sudo  # dpkg -i / --purge need root
release_cleanup() {
  if dpkg-query -W -f='${Status}' tokenbridge 2>/dev/null | grep -q "ok installed"; then $rel_sudo dpkg --purge tokenbridge >/dev/null || true; fi
  rm -rf "${rel_tmp:-/nonexistent}"
}
run_release() {
  local started=$SECONDS version
  version="$(node -p "require('./extension/manifest.json').version")-snapshot"
  rel_tmp=$(mktemp -d)
  trap release_cleanup EXIT
  [ -z "$(gofmt -l packaging)" ] || { echo "gofmt would change: $(gofmt -l packaging)" >&2; return 1; }
  step "release: snapshot built twice, byte-identical"
  scripts/release.sh --snapshot --out dist
  scripts/release.sh --snapshot --out "$rel_tmp/dist2" >/dev/null
  diff -r dist "$rel_tmp/dist2" || { echo "two release builds of one commit differ (see above): something is not reproducible" >&2; return 1; }

  step "release: archives hold the right binaries, SHA256SUMS verifies, store packages lint clean"
  go run ./packaging/relkit verify -dist dist -version "$version"
  (cd dist && sha256sum --quiet --strict -c SHA256SUMS)
  node --test packaging/
  mkdir "$rel_tmp/linux" && tar -xzf "dist/tokenbridge_${version}_linux_amd64.tar.gz" -C "$rel_tmp/linux"
  "$rel_tmp/linux/tokenbridge_${version}_linux_amd64/tokenbridge" version | tee "$rel_tmp/version.txt"
  grep -q "^tokenbridge $version (commit $(git rev-parse HEAD)" "$rel_tmp/version.txt" || { echo "the release binary does not print its version and commit" >&2; return 1; }
  go run ./packaging/relkit extract -o "$rel_tmp/firefox" "dist/tokenbridge-firefox-$version.xpi"
  go run ./packaging/relkit extract -o "$rel_tmp/chromium" "dist/tokenbridge-chromium-$version.zip"
  node_modules/.bin/web-ext lint --source-dir "$rel_tmp/firefox" --warnings-as-errors --output text
  # The .rpm owns its files and directories (rpm removes nothing else), Firefox's in /usr/lib64 too.
  rpm -qlp "dist/tokenbridge_${version}_linux_amd64.rpm" > "$rel_tmp/rpm-files"
  printf '%s\n' /etc/chromium/native-messaging-hosts{,/dev.tokenbridge.host.json} /etc/opt/chrome/native-messaging-hosts{,/dev.tokenbridge.host.json} \
    /usr/bin/tokenbridge /usr/lib/mozilla/native-messaging-hosts{,/dev.tokenbridge.host.json} \
    /usr/lib64/mozilla/native-messaging-hosts{,/dev.tokenbridge.host.json} /usr/share/doc/tokenbridge{,/README.md,/copyright} |
    diff - "$rel_tmp/rpm-files" || { echo "the .rpm holds other files than expected (see above)" >&2; return 1; }

  step "release: dpkg -i the .deb, doctor --check, e2e against /usr/bin/tokenbridge and the store packages"
  if dpkg-query -W -f='${Status}' tokenbridge 2>/dev/null | grep -q "ok installed"; then
    echo "a tokenbridge package is installed already: remove it (dpkg --purge tokenbridge) and rerun" >&2; return 1
  fi
  local watched=(/usr/bin /usr/share/doc /etc/chromium /etc/opt /usr/lib/mozilla /usr/lib64/mozilla)
  local deb="dist/tokenbridge_${version}_linux_amd64.deb" f
  { find "${watched[@]}" 2>/dev/null || true; } | sort > "$rel_tmp/before"  # some may not exist
  # Every path the package holds that does not exist yet must be gone again after removal.
  dpkg-deb --fsys-tarfile "$deb" | tar -t | sed 's|^\./|/|; s|/$||' | grep -v '^/\?$' | while read -r f; do
    [ -e "$f" ] || echo "$f"
  done > "$rel_tmp/new-paths"
  $rel_sudo dpkg -i "$deb" >/dev/null
  for f in /usr/bin/tokenbridge /etc/chromium/native-messaging-hosts/dev.tokenbridge.host.json \
      /etc/opt/chrome/native-messaging-hosts/dev.tokenbridge.host.json /usr/lib/mozilla/native-messaging-hosts/dev.tokenbridge.host.json; do
    [ -f "$f" ] || { echo "the .deb did not install $f" >&2; return 1; }
  done
  mkdir -p "$rel_tmp/home"
  HOME="$rel_tmp/home" XDG_CONFIG_HOME="$rel_tmp/home/.config" TOKENBRIDGE_HOME="$rel_tmp/home/tb" \
    scripts/with-keyring.sh /usr/bin/tokenbridge doctor --check
  TB_TOKENBRIDGE_BIN=/usr/bin/tokenbridge TB_EXTENSION_DIR="$rel_tmp/chromium" \
    scripts/with-keyring.sh node --test --test-concurrency=1 --test-timeout=600000 e2e/chromium.test.mjs
  TB_TOKENBRIDGE_BIN=/usr/bin/tokenbridge TB_EXTENSION_DIR="$PWD/dist/tokenbridge-firefox-$version.xpi" \
    scripts/with-keyring.sh node --test --test-concurrency=1 --test-timeout=600000 e2e/firefox.test.mjs

  step "release: dpkg --purge leaves no file behind"
  $rel_sudo dpkg --purge tokenbridge >/dev/null
  { find "${watched[@]}" 2>/dev/null || true; } | sort > "$rel_tmp/after"
  diff "$rel_tmp/before" "$rel_tmp/after" || { echo "removing the package changed the files above" >&2; return 1; }
  while read -r f; do
    if [ -e "$f" ]; then echo "left behind: $f" >&2; return 1; fi
  done < "$rel_tmp/new-paths"
  [ -s "$rel_tmp/new-paths" ] || { echo "the .deb added no new path: the removal check checked nothing" >&2; return 1; }
  trap - EXIT
  release_cleanup
  step "release checks passed in $((SECONDS - started)) s"
}
case "$part" in
  go) run_go ;;
  unit) run_unit ;;
  e2e) run_e2e ;;
  release) run_release ;;
  all) run_go; run_unit; run_e2e; run_release ;;
  *) echo "usage: $0 [all|go|unit|e2e|release]" >&2; exit 2 ;;
esac
step "all tests passed"
