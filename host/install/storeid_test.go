package install

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/buildinfo"
	"github.com/tokenbridge/tokenbridge/host/config"
)

// A release stamped with the Chrome Web Store ID (scripts/release.sh,
// TOKENBRIDGE_STORE_CHROMIUM_ID) lets `tokenbridge install` allow it
// without --extension-id.
func TestInstallAllowsTheStampedStoreID(t *testing.T) {
	const store = "abcdefghijklmnopabcdefghijklmnop"
	saved := buildinfo.ChromiumStoreID
	t.Cleanup(func() { buildinfo.ChromiumStoreID = saved })
	for _, tc := range []struct {
		stamped string
		want    []string
	}{
		{"", []string{ChromiumOrigin(config.ChromiumExtensionID)}},
		{store, []string{ChromiumOrigin(config.ChromiumExtensionID), ChromiumOrigin(store)}},
	} {
		buildinfo.ChromiumStoreID = tc.stamped
		env := testEnv(t, "linux", nil)
		res, err := Install(env, Options{Browser: "chromium", Dir: t.TempDir()})
		require.NoError(t, err)
		require.Equal(t, tc.want, readManifest(t, res.Entries[0].File).AllowedOrigins)
		// doctor expects exactly what install writes.
		for _, f := range Diagnose(env) {
			require.True(t, f.OK, "%+v", f)
		}
	}
}
