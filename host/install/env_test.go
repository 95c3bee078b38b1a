package install

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokenbridge/tokenbridge/host/config"
)

// The IDs and host name must match the host's allowlist and config.
func TestConstantsMatchConfig(t *testing.T) {
	require.Equal(t, config.HostName, HostName)
	require.Equal(t, config.ChromiumExtensionID, ChromiumExtensionID)
	require.Equal(t, config.FirefoxExtensionID, GeckoExtensionID)
	for _, id := range []string{"abcdefghijklmnopabcdefghijklmnop", "me@example.org", "{12345678-1234-1234-1234-123456789abc}"} {
		got, err := NormalizeExtensionID(id)
		require.NoError(t, err)
		require.True(t, config.IsChromiumID(got) || config.IsGeckoID(got), "config must accept what install accepts: %s", got)
	}
}
