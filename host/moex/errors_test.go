package moex

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"tokenbridge", "tokenbridge"},
		{"--url=https://sso.moex.com/a,b@c%d+e", "--url=https://sso.moex.com/a,b@c%d+e"},
		{"", "''"},
		{"a b", "'a b'"},
		{"it's", `'it'\''s'`},
		{"a\n", "'a\n'"},
		{"$HOME", "'$HOME'"},
		{"é", "'é'"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, shellQuote(tt.in), "shellQuote(%q)", tt.in)
	}
}

// shellQuote's safe-set check is a byte loop (regexp stays out of the host:
// cold start, issue 11); it leaves alone exactly what the regexp it replaced did.
func FuzzShellQuoteMatchesTheRegexp(f *testing.F) {
	old := regexp.MustCompile(`^[A-Za-z0-9@%+=:,./_-]+$`)
	for _, s := range []string{"", "a", "--profile=prod", "a b", "a'b", "a\n", "a\x00", "$x", "`x`", "*", "~", "é", "a;b", "a|b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		require.Equal(t, old.MatchString(s), shellQuote(s) == s, "shellQuote(%q)", s)
	})
}
