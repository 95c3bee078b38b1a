package install

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/config"
)

// install accepts an extension ID exactly when the host's allowlist
// (host/config) does, except that a Firefox ID typed on the command line is
// capped at 80 characters.
func TestExtensionIDsFollowConfig(t *testing.T) {
	longLocal := strings.Repeat("a", 70) + "@x.org" // 76 characters, local part over 64
	ids := []string{
		"abcdefghijklmnopabcdefghijklmnop", "me@example.org", "{12345678-1234-1234-1234-123456789abc}",
		longLocal, "me@example.org.", "not-an-id", "me@", "@example.org", "ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP",
		"a@" + strings.Repeat("b", 79), // config accepts; over the 80-character cap
	}
	for _, id := range ids {
		got, err := NormalizeExtensionID(id)
		want := config.IsChromiumID(id) || (len(id) <= maxGeckoID && config.IsGeckoID(id))
		require.Equal(t, want, err == nil, "%s: %v", id, err)
		if want {
			require.Equal(t, id, got)
		}
	}
}

// An ID the host's allowlist accepts from config.json is allowed by the
// manifests too, never dropped as invalid.
func TestSavedConfigIDsReachTheManifest(t *testing.T) {
	env := testEnv(t, "linux", nil)
	mkdir(t, env.Home, ".mozilla", "firefox")
	saved := strings.Repeat("a", 70) + "@x.org"
	require.True(t, config.IsGeckoID(saved))
	require.NoError(t, os.MkdirAll(env.ConfigDir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(env.ConfigDir, "config.json"), []byte(`{"extension_ids":["`+saved+`"]}`), 0o600))

	res, err := Install(env, Options{})
	require.NoError(t, err)
	require.Empty(t, res.Notices)
	require.Equal(t, []string{config.FirefoxExtensionID, saved}, readManifest(t, res.Entries[0].File).AllowedExtensions)
}
