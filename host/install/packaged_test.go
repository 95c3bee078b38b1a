package install

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// The .deb and .rpm install all-users manifests only (packaging/): doctor
// must take them as the registration of a detected browser, not ask the
// user for a manifest of their own.
func TestDiagnosePackagedSystemManifests(t *testing.T) {
	tests := []struct {
		name     string
		packaged bool
		want     map[string]bool // browser row -> OK
	}{
		{"no manifests: the detected browsers need one", false,
			map[string]bool{"Chromium": false, "Firefox": false}},
		{"packaged system manifests serve the user", true,
			map[string]bool{"Chromium (system)": true, "Firefox (system)": true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv(t, "linux", map[string]string{"chromium": "/usr/bin/chromium", "firefox-esr": "/usr/bin/firefox-esr"})
			if tc.packaged {
				for dir, family := range map[string]Family{
					"etc/chromium/native-messaging-hosts":    FamilyChromium,
					"usr/lib/mozilla/native-messaging-hosts": FamilyFirefox,
				} {
					b, err := Render(family, env.Executable, nil)
					require.NoError(t, err)
					require.NoError(t, os.WriteFile(filepath.Join(mkdir(t, env.Root, dir), ManifestFile), b, 0o644))
				}
			}
			got := map[string]bool{}
			for _, f := range Diagnose(env) {
				got[f.Browser] = f.OK
			}
			require.Equal(t, tc.want, got)
		})
	}
}
