package ascii

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// Each test accepts exactly the bytes of the regexp class it replaces.
func TestPredicatesMatchTheirClasses(t *testing.T) {
	tests := []struct {
		class string
		ok    func(byte) bool
	}{
		{`[0-9]`, IsDigit},
		{`[a-z]`, IsLower},
		{`[A-Z]`, IsUpper},
		{`[A-Za-z0-9]`, IsAlnum},
		{`[0-9a-fA-F]`, IsHex},
		{`\w`, IsWord},
		{`[A-Za-z0-9_-]`, IsBase64URL},
		{`[@%+=:,./_-]`, func(c byte) bool { return In(c, "@%+=:,./_-") }},
	}
	for _, tt := range tests {
		t.Run(tt.class, func(t *testing.T) {
			re := regexp.MustCompile(`^` + tt.class + `$`)
			for c := 0; c < 256; c++ {
				require.Equal(t, re.Match([]byte{byte(c)}), tt.ok(byte(c)), "byte %#x", c)
			}
		})
	}
}

func TestAll(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"", true},
		{"abc", true},
		{"abC", false},
		{"abc\n", false},
		{"\xe9", false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, All(tt.s, IsLower), "All(%q)", tt.s)
	}
}
