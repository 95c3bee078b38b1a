// Package buildinfo holds what a release build stamps into the binary with
// -ldflags "-X github.com/tokenbridge/tokenbridge/host/buildinfo.Version=…"
// (see scripts/release.sh). A plain `go build` leaves the defaults.
package buildinfo

import "strings"

// Stamped at build time; the defaults describe a development build.
var (
	// Version is the release version, e.g. "0.1.0" or "0.1.0-snapshot".
	Version = "0.1.0-dev"
	// Commit is the git commit the binary was built from.
	Commit = ""
	// Date is the commit date (RFC 3339, UTC): the same for every build of
	// one commit, so release builds stay byte-identical.
	Date = ""
	// ChromiumStoreID is the Chrome Web Store ID of the released extension
	// (TOKENBRIDGE_STORE_CHROMIUM_ID at release time); empty until the
	// first upload has assigned one.
	ChromiumStoreID = ""
)

// String is the one-line description `tokenbridge version` prints after the
// name: "0.1.0 (commit abc1234, 2026-12-01T09:00:00Z)".
func String() string {
	var extra []string
	if Commit != "" {
		extra = append(extra, "commit "+Commit)
	}
	if Date != "" {
		extra = append(extra, Date)
	}
	if len(extra) == 0 {
		return Version
	}
	return Version + " (" + strings.Join(extra, ", ") + ")"
}
