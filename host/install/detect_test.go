package install

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDetectSandboxed(t *testing.T) {
	tests := []struct {
		name      string
		browser   string
		setup     func(t *testing.T, env Env)
		path      map[string]string
		found     bool
		sandboxes []string // kind:appid
	}{
		{
			name: "flatpak chromium only", browser: "chromium",
			setup:     func(t *testing.T, env Env) { mkdir(t, env.Home, ".var", "app", "org.chromium.Chromium") },
			sandboxes: []string{"flatpak:org.chromium.Chromium"},
		},
		{
			name: "flatpak chrome and native chrome", browser: "chrome",
			setup: func(t *testing.T, env Env) {
				mkdir(t, env.Home, ".var", "app", "com.google.Chrome")
				mkdir(t, env.Home, ".config", "google-chrome")
			},
			found: true, sandboxes: []string{"flatpak:com.google.Chrome"},
		},
		{
			name: "snap firefox", browser: "firefox",
			setup:     func(t *testing.T, env Env) { mkdir(t, env.Home, "snap", "firefox") },
			sandboxes: []string{"snap:firefox"},
		},
		{
			name: "snap chromium seen only on PATH", browser: "chromium",
			setup:     func(t *testing.T, env Env) {},
			path:      map[string]string{"chromium": "/snap/bin/chromium"},
			sandboxes: []string{"snap:chromium"},
		},
		{
			name: "native binary on PATH", browser: "brave",
			setup: func(t *testing.T, env Env) {},
			path:  map[string]string{"brave-browser": "/usr/bin/brave-browser"},
			found: true,
		},
		{
			name: "flatpak brave", browser: "brave",
			setup:     func(t *testing.T, env Env) { mkdir(t, env.Home, ".var", "app", "com.brave.Browser") },
			sandboxes: []string{"flatpak:com.brave.Browser"},
		},
		{
			name: "nothing", browser: "vivaldi",
			setup: func(t *testing.T, env Env) {},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv(t, "linux", tc.path)
			tc.setup(t, env)
			b, _ := LookupBrowser(tc.browser)
			d := Detect(env, b)
			require.Equal(t, tc.found, d.Found, d.Reason)
			var got []string
			for _, s := range d.Sandboxed {
				got = append(got, s.Kind+":"+s.AppID)
			}
			require.Equal(t, tc.sandboxes, got)
		})
	}
}

func TestInstallSkipsSandboxedBrowsersWithAdvice(t *testing.T) {
	env := testEnv(t, "linux", nil)
	flatpak := mkdir(t, env.Home, ".var", "app", "org.chromium.Chromium")
	mkdir(t, env.Home, "snap", "firefox")

	res, err := Install(env, Options{})
	require.ErrorIs(t, err, ErrNoBrowser)
	require.Empty(t, res.Entries)
	require.False(t, fileExists(filepath.Join(env.Home, ".config", "chromium")))
	require.False(t, fileExists(filepath.Join(flatpak, "config")), "nothing written inside the sandbox")
	require.False(t, fileExists(filepath.Join(env.Home, ".mozilla")))

	require.Len(t, res.Notices, 2)
	require.Equal(t, "Chromium", res.Notices[0].Browser)
	require.Contains(t, res.Notices[0].Text, "Flatpak")
	require.Contains(t, res.Notices[0].Text, "flatpak override --user --filesystem="+filepath.Dir(env.Executable)+":ro")
	require.Contains(t, res.Notices[0].Text, "--dir "+filepath.Join(flatpak, "config", "chromium", "NativeMessagingHosts"))
	require.Equal(t, "Firefox", res.Notices[1].Browser)
	require.Contains(t, res.Notices[1].Text, "Snap")
	require.Contains(t, res.Notices[1].Text, "portal")

	// Diagnose reports both sandboxed builds as problems with a fix.
	fs := Diagnose(env)
	require.Len(t, fs, 2)
	for _, f := range fs {
		require.False(t, f.OK)
		require.Contains(t, f.Problem, "sandbox")
		require.NotEmpty(t, f.Fix)
	}
	require.Equal(t, "Chromium (Flatpak)", fs[0].Browser)
	require.Equal(t, "Firefox (Snap)", fs[1].Browser)
}

func TestInstallNativeAlongsideFlatpak(t *testing.T) {
	env := testEnv(t, "linux", map[string]string{"chromium": "/usr/bin/chromium"})
	mkdir(t, env.Home, ".var", "app", "org.chromium.Chromium")
	res, err := Install(env, Options{})
	require.NoError(t, err)
	require.Len(t, res.Entries, 1)
	require.Equal(t, filepath.Join(env.Home, ".config/chromium/NativeMessagingHosts", ManifestFile), res.Entries[0].File)
	require.Len(t, res.Notices, 1)
	require.Contains(t, res.Notices[0].Text, "Flatpak")
}
