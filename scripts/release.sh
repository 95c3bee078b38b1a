#!/usr/bin/env bash
# Builds everything a tokenbridge release needs into dist/ (or --out DIR), reproducibly:
#   host archives   tokenbridge_V_{linux,darwin}_{amd64,arm64}.tar.gz, tokenbridge_V_windows_{amd64,arm64}.zip
#                   (binary, README.md, LICENSE)
#   Linux packages  tokenbridge_V_linux_{amd64,arm64}.{deb,rpm}: /usr/bin/tokenbridge and the system-wide
#                   host manifests for Chromium, Google Chrome and Firefox (removed with the package)
#   extension       tokenbridge-chromium-V.zip (Chrome Web Store), tokenbridge-firefox-V.xpi (AMO)
#   SHA256SUMS, and homebrew/, scoop/, winget/ manifests (written, not published)
#
#   scripts/release.sh              a release: the tree must be clean and HEAD tagged vVERSION
#   scripts/release.sh --snapshot   any tree; version VERSION-snapshot
#   scripts/release.sh --out DIR    write somewhere else than dist/
# VERSION is extension/manifest.json's "version". Set TOKENBRIDGE_STORE_CHROMIUM_ID to the Chrome Web
# Store's ID of the extension (known after the first upload) so the binary and the packaged host
# manifests allow it. Two runs on the same commit give byte-identical files: every timestamp is the
# commit's (SOURCE_DATE_EPOCH), archives are sorted with fixed owners and modes, builds use -trimpath.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

snapshot=0
out=dist
while [ $# -gt 0 ]; do
	case "$1" in
	--snapshot) snapshot=1 ;;
	--out) out="${2:?--out needs a directory}"; shift ;;
	-h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "release.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
t0=$(date +%s)
step() { printf '==> %s (%ss)\n' "$*" "$(($(date +%s) - t0))"; }

base=$(node -p "require('./extension/manifest.json').version")
commit=$(git rev-parse HEAD)
dirty=$(git status --porcelain --untracked-files=no)
if [ "$snapshot" = 1 ]; then
	version="$base-snapshot"
	[ -z "$dirty" ] || commit="$commit-dirty"
else
	version="$base"
	[ -z "$dirty" ] || { echo "release.sh: the work tree has uncommitted changes: commit them, or use --snapshot" >&2; exit 1; }
	tag=$(git describe --exact-match --tags HEAD 2>/dev/null || true)
	[ "$tag" = "v$version" ] || { echo "release.sh: HEAD is tagged '${tag:-nothing}', not v$version (extension/manifest.json): tag it, or use --snapshot" >&2; exit 1; }
fi
store_id="${TOKENBRIDGE_STORE_CHROMIUM_ID:-}"
if [ -n "$store_id" ] && ! [[ "$store_id" =~ ^[a-p]{32}$ ]]; then
	echo "release.sh: TOKENBRIDGE_STORE_CHROMIUM_ID=$store_id is not a Chromium ID (32 letters a-p, from the Chrome Web Store dashboard)" >&2
	exit 2
fi
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct HEAD)
export SOURCE_DATE_EPOCH
date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)

# Nothing from the caller's environment may change the bytes.
# nethttpomithttp2: the host speaks HTTP/1.1 to the T-Invest REST API and the MOEX token endpoint (both
# serve it); leaving net/http's bundled HTTP/2 out saves ~380 KB and its start-up work (scripts/bench.sh).
export CGO_ENABLED=0 GOFLAGS="-buildvcs=false -tags=nethttpomithttp2" GOAMD64=v1 GOARM64=v8.0 TZ=UTC LC_ALL=C
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
relkit="$stage/relkit"
go build -trimpath -o "$relkit" ./packaging/relkit

step "tokenbridge $version (commit $commit, $date)${store_id:+, store ID $store_id}"
pkg=github.com/tokenbridge/tokenbridge/host/buildinfo
ldflags="-s -w -X $pkg.Version=$version -X $pkg.Commit=$commit -X $pkg.Date=$date -X $pkg.ChromiumStoreID=$store_id"
for target in linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64; do
	goos=${target%/*} goarch=${target#*/}
	dir="tokenbridge_${version}_${goos}_${goarch}"
	exe=tokenbridge
	[ "$goos" = windows ] && exe=tokenbridge.exe
	step "build $target"
	GOOS=$goos GOARCH=$goarch go build -trimpath -ldflags "$ldflags" -o "$stage/$dir/$exe" ./host/cmd/tokenbridge
	ext=tar.gz
	[ "$goos" = windows ] && ext=zip
	"$relkit" archive -o "$out/$dir.$ext" -mtime "$SOURCE_DATE_EPOCH" -prefix "$dir" \
		"$exe=$stage/$dir/$exe" README.md=README.md LICENSE=LICENSE
done

step "Linux packages (nfpm)"
"$relkit" manifests -o "$stage/manifests" -path /usr/bin/tokenbridge ${store_id:+-extension-id "$store_id"} >/dev/null
for goarch in amd64 arm64; do
	"$relkit" render -meta packaging/metadata.json -version "$version" -template nfpm -o "$stage/nfpm-$goarch.yaml" \
		-set arch="$goarch" -set bin="$stage/tokenbridge_${version}_linux_${goarch}/tokenbridge" \
		-set manifests="$stage/manifests" -set readme="$root/README.md" -set license="$root/LICENSE"
	for format in deb rpm; do
		(cd tools && go tool nfpm package --config "$stage/nfpm-$goarch.yaml" --packager "$format" \
			--target "$out/tokenbridge_${version}_linux_${goarch}.$format" >/dev/null)
	done
done

step "extension packages"
node packaging/extension.mjs --out "$stage/extension" >/dev/null
"$relkit" archive -o "$out/tokenbridge-chromium-$version.zip" -mtime "$SOURCE_DATE_EPOCH" ".=$stage/extension/chromium"
"$relkit" archive -o "$out/tokenbridge-firefox-$version.xpi" -mtime "$SOURCE_DATE_EPOCH" ".=$stage/extension/firefox"

step "SHA256SUMS"
(cd "$out" && sha256sum -- * > "$stage/SHA256SUMS" && mv "$stage/SHA256SUMS" SHA256SUMS)

step "Homebrew, Scoop and winget manifests"
render() { "$relkit" render -meta packaging/metadata.json -version "$version" -date "${date%%T*}" -dist "$out" -template "$1" -o "$out/$2"; }
render homebrew homebrew/tokenbridge.rb
render scoop scoop/tokenbridge.json
winget="winget/manifests/t/TokenBridge/TokenBridge/$version"
render winget-version "$winget/TokenBridge.TokenBridge.yaml"
render winget-installer "$winget/TokenBridge.TokenBridge.installer.yaml"
render winget-locale "$winget/TokenBridge.TokenBridge.locale.en-US.yaml"

step "done: $out"
(cd "$out" && ls -l -- *)
