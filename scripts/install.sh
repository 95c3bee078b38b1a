#!/usr/bin/env bash
# Builds the tokenbridge host into bin/tokenbridge and registers it with your
# browsers. Every argument is passed to `tokenbridge install`, e.g.
#   scripts/install.sh --browser firefox
#   scripts/install.sh --extension-id abcdefghijklmnopabcdefghijklmnop
# See `bin/tokenbridge install --help`.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

case "${1:-}" in
-h | --help)
	sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
esac

if ! command -v go >/dev/null 2>&1; then
	echo "install.sh: Go is not installed or not on PATH: install Go 1.26+ (https://go.dev/doc/install) and retry." >&2
	exit 1
fi

mkdir -p bin
echo "Building bin/tokenbridge ..."
# Built as scripts/release.sh builds it: static (no cgo: the keyring is reached over D-Bus or
# the OS tools), without net/http's bundled HTTP/2 and symbol tables. The browser starts the
# host for every message; a default build starts ~1.4x slower (dynamic loader, HTTP/2 init).
if ! CGO_ENABLED=0 go build -tags nethttpomithttp2 -trimpath -ldflags "-s -w" -o bin/tokenbridge ./host/cmd/tokenbridge; then
	echo "install.sh: the build failed (see above): fix it, then run scripts/install.sh again." >&2
	exit 1
fi

echo "Registering the native messaging host ..."
status=0
bin/tokenbridge install "$@" || status=$?
if [ "$status" -ne 0 ]; then
	echo "install.sh: \`bin/tokenbridge install $*\` failed with exit code $status (see the message above)." >&2
	exit "$status"
fi

cat <<MSG

Now load the extension:
  Chrome, Chromium, Edge, Brave, Vivaldi, Yandex:
    open chrome://extensions (edge://extensions, brave://extensions, ...),
    switch on "Developer mode", click "Load unpacked" and choose
      $repo/extension
    Its ID must be hodkpdeoebfagkfdfjfhcfnbemcgabcj (pinned by the "key" in
    extension/manifest.json). If yours differs, run
      scripts/install.sh --extension-id <the ID shown>
  Firefox:
    open about:debugging#/runtime/this-firefox, click "Load Temporary Add-on..."
    and choose $repo/extension/manifest.json
Then check everything with:
  bin/tokenbridge doctor
Keep bin/tokenbridge where it is: the browsers start it from this path.
To undo: bin/tokenbridge uninstall
MSG
