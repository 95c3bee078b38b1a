package config

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The ID checks use len plus cheap regexps; they must accept exactly what
// the original counted-repetition patterns accepted.
func TestIDChecksMatchTheCountedPatterns(t *testing.T) {
	chromiumRef := regexp.MustCompile(`^[a-p]{32}$`)
	geckoRef := regexp.MustCompile(`^(\{[0-9a-fA-F-]{36}\}|[A-Za-z0-9._+-]{1,80}@[A-Za-z0-9.-]{1,80})$`)
	uuid := "{" + strings.Repeat("a", 36) + "}"
	ids := []string{
		"", "a", strings.Repeat("a", 31), strings.Repeat("p", 32), strings.Repeat("a", 33), strings.Repeat("q", 32),
		ChromiumExtensionID, FirefoxExtensionID, uuid, "{" + strings.Repeat("a", 35) + "}", "{" + strings.Repeat("a", 37) + "}",
		"{0F0E-}", "{}", "x@y", "@y", "x@", "a@b@c", "a b@c", "é@x.org",
		strings.Repeat("n", 80) + "@" + strings.Repeat("d", 80), strings.Repeat("n", 81) + "@d", "n@" + strings.Repeat("d", 81),
		"name+tag@example.org", "name@exa_mple.org", uuid + "@x", "x@" + uuid,
	}
	for _, id := range ids {
		require.Equal(t, chromiumRef.MatchString(id), IsChromiumID(id), "IsChromiumID(%q)", id)
		require.Equal(t, geckoRef.MatchString(id), IsGeckoID(id), "IsGeckoID(%q)", id)
	}
}
