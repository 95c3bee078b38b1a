package moex

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// ValidateName is a byte loop (regexp stays out of the host: cold start,
// issue 11); it accepts exactly what the regexp it replaced accepted.
func FuzzValidateNameMatchesTheRegexp(f *testing.F) {
	old := regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	for _, n := range []string{"", "a", "0", "_a", "-a", "prod", "prod-2_x", "Prod", "a b", "a\n", "a.b", "é", "aé",
		strings.Repeat("a", 40), strings.Repeat("a", 41), "a" + strings.Repeat("ж", 40)} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		require.Equal(t, len(name) <= 40 && old.MatchString(name), ValidateName(name) == nil, "ValidateName(%q)", name)
	})
}
