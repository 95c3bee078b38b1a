package redact

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The patterns compile on first use (not at host start): each must compile.
func TestEveryPatternCompiles(t *testing.T) {
	for _, p := range patterns {
		require.NotPanics(t, func() { require.NotNil(t, p.re()) })
	}
}
