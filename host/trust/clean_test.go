package trust

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCleanServerStrings(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Russian Trusted Sub CA", "Russian Trusted Sub CA"},
		{"evil\nCN\x00x\x1b[31m", "evil CN x [31m"},
		{"\xff", "\uFFFD"},
		{strings.Repeat("я", 250), strings.Repeat("я", 200) + "…"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, clean(tc.in, 200), "%q", tc.in)
	}
}
