package install

import (
	"fmt"
	"strings"

	"github.com/tokenbridge/tokenbridge/host/buildinfo"
	"github.com/tokenbridge/tokenbridge/host/config"
)

// maxGeckoID bounds a gecko ID given on the command line (addons.mozilla.org
// caps them at 80).
const maxGeckoID = 80

// maxExtraIDs bounds how many extra IDs one install may add.
const maxExtraIDs = 32

// isExtensionID reports whether the host's allowlist (host/config) accepts id
// as a Chromium or Firefox extension ID.
func isExtensionID(id string) bool { return config.IsChromiumID(id) || config.IsGeckoID(id) }

// NormalizeExtensionID validates one --extension-id value. It accepts a
// Chromium ID (also written as chrome-extension://<id>/) or a gecko ID and
// returns the bare ID.
func NormalizeExtensionID(raw string) (string, error) {
	id := strings.TrimSpace(raw)
	if len(id) > 200 {
		return "", fmt.Errorf("%w: --extension-id is %d characters long; a Chromium ID has 32 and a Firefox ID at most %d", ErrUsage, len(id), maxGeckoID)
	}
	if rest, ok := strings.CutPrefix(id, "chrome-extension://"); ok {
		id = strings.TrimSuffix(rest, "/")
		if !config.IsChromiumID(id) {
			return "", fmt.Errorf("%w: --extension-id %q: the part after chrome-extension:// must be 32 letters a-p (copy it from chrome://extensions)", ErrUsage, raw)
		}
		return id, nil
	}
	if config.IsChromiumID(id) || (len(id) <= maxGeckoID && config.IsGeckoID(id)) {
		return id, nil
	}
	return "", fmt.Errorf("%w: --extension-id %q is neither a Chromium ID (exactly 32 letters a-p, shown on chrome://extensions) nor a Firefox ID (name@domain or {uuid}, shown on about:debugging)", ErrUsage, raw)
}

// NormalizeExtensionIDs validates every value, drops duplicates and the
// built-in IDs, and keeps the order.
func NormalizeExtensionIDs(raw []string) ([]string, error) {
	if len(raw) > maxExtraIDs {
		return nil, fmt.Errorf("%w: %d --extension-id values given; at most %d are allowed", ErrUsage, len(raw), maxExtraIDs)
	}
	var out []string
	seen := map[string]bool{config.ChromiumExtensionID: true, config.FirefoxExtensionID: true}
	for _, r := range raw {
		id, err := NormalizeExtensionID(r)
		if err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// splitIDs returns the Chromium origins and gecko IDs a manifest lists:
// the built-in ones first, then the extra ones of each kind.
func splitIDs(extra []string) (origins, gecko []string) {
	origins = []string{ChromiumOrigin(config.ChromiumExtensionID)}
	if store := buildinfo.ChromiumStoreID; store != "" { // stamped by scripts/release.sh
		origins = append(origins, ChromiumOrigin(store))
	}
	gecko = []string{config.FirefoxExtensionID}
	for _, id := range extra {
		switch {
		case id == config.ChromiumExtensionID || id == config.FirefoxExtensionID:
		case config.IsChromiumID(id):
			origins = appendUnique(origins, ChromiumOrigin(id))
		case config.IsGeckoID(id):
			gecko = appendUnique(gecko, id)
		}
	}
	return origins, gecko
}

// ChromiumOrigin is the allowed_origins entry for a Chromium extension ID.
func ChromiumOrigin(id string) string { return "chrome-extension://" + id + "/" }

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
