package config

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The ID checks are byte loops (regexp stays out of the host: cold start,
// issue 11). They must accept exactly what the original counted patterns
// accepted, and what the regexps they replaced accepted.
var (
	chromiumRef = regexp.MustCompile(`^[a-p]{32}$`)
	geckoRef    = regexp.MustCompile(`^(\{[0-9a-fA-F-]{36}\}|[A-Za-z0-9._+-]{1,80}@[A-Za-z0-9.-]{1,80})$`)
	chromiumOld = regexp.MustCompile(`^[a-p]+$`)
	geckoOld    = regexp.MustCompile(`^(?:(\{[0-9a-fA-F-]+\})|([A-Za-z0-9._+-]+)@([A-Za-z0-9.-]+))$`)
)

// oldIsGeckoID is IsGeckoID as it was with geckoOld.
func oldIsGeckoID(id string) bool {
	if len(id) > 1+80+80 {
		return false
	}
	m := geckoOld.FindStringSubmatch(id)
	switch {
	case m == nil:
		return false
	case m[1] != "":
		return len(m[1]) == 38
	default:
		return len(m[2]) <= 80 && len(m[3]) <= 80
	}
}

var idSeeds = func() []string {
	uuid := "{" + strings.Repeat("a", 36) + "}"
	return []string{
		"", "a", strings.Repeat("a", 31), strings.Repeat("p", 32), strings.Repeat("a", 33), strings.Repeat("q", 32),
		strings.Repeat("a", 31) + "\n", strings.Repeat("a", 31) + "A", strings.Repeat("a", 30) + "é",
		ChromiumExtensionID, FirefoxExtensionID, uuid, "{" + strings.Repeat("a", 35) + "}", "{" + strings.Repeat("a", 37) + "}",
		"{0F0E-}", "{}", "{", "}", "{@}", "x@y", "@y", "x@", "@", "a@b@c", "a b@c", "é@x.org", "x@y\n", "x@y.org\x00",
		"{" + strings.Repeat("G", 36) + "}", "{" + strings.Repeat("-", 36) + "}", "[" + strings.Repeat("a", 36) + "]",
		"{" + strings.Repeat("a", 36) + "}\n", "{" + strings.Repeat("a", 35) + "@}", "{" + strings.Repeat("a", 34) + "}@x",
		strings.Repeat("n", 80) + "@" + strings.Repeat("d", 80), strings.Repeat("n", 81) + "@d", "n@" + strings.Repeat("d", 81),
		"name+tag@example.org", "name@exa_mple.org", "n_a.m-e+@-.", uuid + "@x", "x@" + uuid, "x@y+z", "x/y@z",
	}
}()

func FuzzIDChecksMatchTheRegexps(f *testing.F) {
	for _, id := range idSeeds {
		f.Add(id)
	}
	f.Fuzz(func(t *testing.T, id string) {
		require.Equal(t, chromiumRef.MatchString(id), IsChromiumID(id), "IsChromiumID(%q)", id)
		require.Equal(t, len(id) == 32 && chromiumOld.MatchString(id), IsChromiumID(id), "IsChromiumID(%q)", id)
		require.Equal(t, geckoRef.MatchString(id), IsGeckoID(id), "IsGeckoID(%q)", id)
		require.Equal(t, oldIsGeckoID(id), IsGeckoID(id), "IsGeckoID(%q)", id)
	})
}

func TestIDChecks(t *testing.T) {
	tests := []struct {
		id              string
		chromium, gecko bool
	}{
		{ChromiumExtensionID, true, false},
		{FirefoxExtensionID, false, true},
		{strings.Repeat("q", 32), false, false},
		{strings.Repeat("a", 31) + "\n", false, false},
		{"{0f0e1d2c-3b4a-5968-7766-554433221100}", false, true},
		{"{0f0e1d2c-3b4a-5968-7766-55443322110}", false, false},
		{"{0f0e1d2c-3b4a-5968-7766-55443322110g}", false, false},
		{"name+tag@example.org", false, true},
		{"name@exa_mple.org", false, false},
		{"a@b@c", false, false},
		{"x@y\n", false, false},
		{strings.Repeat("n", 80) + "@" + strings.Repeat("d", 80), false, true},
		{strings.Repeat("n", 81) + "@d", false, false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.chromium, IsChromiumID(tt.id), "IsChromiumID(%q)", tt.id)
		require.Equal(t, tt.gecko, IsGeckoID(tt.id), "IsGeckoID(%q)", tt.id)
	}
}
