package install

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	chromiumIDRe = regexp.MustCompile(`^[a-p]{32}$`)
	geckoUUIDRe  = regexp.MustCompile(`^\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}$`)
	geckoMailRe  = regexp.MustCompile(`^[A-Za-z0-9._+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$`)
)

// maxGeckoID bounds a gecko ID (addons.mozilla.org caps them at 80).
const maxGeckoID = 80

// maxExtraIDs bounds how many extra IDs one install may add.
const maxExtraIDs = 32

// IsChromiumID reports whether id is a Chromium extension ID: exactly 32
// characters a-p.
func IsChromiumID(id string) bool { return chromiumIDRe.MatchString(id) }

// IsGeckoID reports whether id is a Firefox extension ID: name@domain or
// {uuid}.
func IsGeckoID(id string) bool {
	if len(id) > maxGeckoID {
		return false
	}
	return geckoUUIDRe.MatchString(id) || geckoMailRe.MatchString(id)
}

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
		if !IsChromiumID(id) {
			return "", fmt.Errorf("%w: --extension-id %q: the part after chrome-extension:// must be 32 letters a-p (copy it from chrome://extensions)", ErrUsage, raw)
		}
		return id, nil
	}
	if IsChromiumID(id) || IsGeckoID(id) {
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
	seen := map[string]bool{ChromiumExtensionID: true, GeckoExtensionID: true}
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
	origins = []string{ChromiumOrigin(ChromiumExtensionID)}
	gecko = []string{GeckoExtensionID}
	for _, id := range extra {
		switch {
		case id == ChromiumExtensionID || id == GeckoExtensionID:
		case IsChromiumID(id):
			origins = appendUnique(origins, ChromiumOrigin(id))
		case IsGeckoID(id):
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
