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

// Channels and forks are detected by their own profile directory (a fake
// HOME here), and a browser without a profile on an OS is never found.
func TestDetectChannelsAndForks(t *testing.T) {
	tests := []struct {
		goos, browser string
		profile       []string // created under the profile base; nil: nothing
		found         bool
	}{
		{"linux", "chrome-beta", []string{".config", "google-chrome-beta"}, true},
		{"linux", "chrome-dev", []string{".config", "google-chrome-unstable"}, true},
		{"linux", "chrome-dev", []string{".config", "google-chrome-beta"}, false},
		{"linux", "edge-beta", []string{".config", "microsoft-edge-beta"}, true},
		{"linux", "edge-dev", []string{".config", "microsoft-edge-dev"}, true},
		{"linux", "yandex-beta", []string{".config", "yandex-browser-beta"}, true},
		{"linux", "opera", []string{".config", "opera"}, true},
		{"linux", "chrome", []string{".config", "opera"}, false},
		{"linux", "chrome-canary", []string{".config"}, false}, // no Linux profile: ~/.config alone is no match
		{"linux", "arc", []string{".config"}, false},
		{"darwin", "chrome-canary", []string{"Library", "Application Support", "Google", "Chrome Canary"}, true},
		{"darwin", "chrome-beta", []string{"Library", "Application Support", "Google", "Chrome Beta"}, true},
		{"darwin", "chrome", []string{"Library", "Application Support", "Google", "Chrome Beta"}, false},
		{"darwin", "edge-dev", []string{"Library", "Application Support", "Microsoft Edge Dev"}, true},
		{"darwin", "arc", []string{"Library", "Application Support", "Arc", "User Data"}, true},
		{"darwin", "opera", []string{"Library", "Application Support", "com.operasoftware.Opera"}, true},
		{"darwin", "yandex-beta", []string{"Library", "Application Support"}, false},
		{"windows", "chrome-canary", []string{"AppData", "Local", "Google", "Chrome SxS", "User Data"}, true},
		{"windows", "edge-beta", []string{"AppData", "Local", "Microsoft", "Edge Beta", "User Data"}, true},
		{"windows", "opera", []string{"AppData", "Roaming", "Opera Software", "Opera Stable"}, true},
		{"windows", "opera", []string{"AppData", "Local", "Opera Software", "Opera Stable"}, false},
		{"windows", "arc", []string{"AppData", "Local"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.goos+"/"+tc.browser+"/"+filepath.Join(tc.profile...), func(t *testing.T) {
			env := testEnv(t, tc.goos, nil)
			mkdir(t, append([]string{env.Home}, tc.profile...)...)
			b, ok := LookupBrowser(tc.browser)
			require.True(t, ok)
			d := Detect(env, b)
			require.Equal(t, tc.found, d.Found, d.Reason)
		})
	}
}

// install (all) writes where each detected channel or fork reads, and
// nothing for channels that are not there.
func TestInstallChannelsAndForks(t *testing.T) {
	t.Run("linux", func(t *testing.T) {
		env := testEnv(t, "linux", map[string]string{"microsoft-edge-dev": "/usr/bin/microsoft-edge-dev"})
		mkdir(t, env.Home, ".config", "google-chrome-beta")
		mkdir(t, env.Home, ".config", "yandex-browser-beta")
		mkdir(t, env.Home, ".config", "opera")
		res, err := Install(env, Options{})
		require.NoError(t, err)
		got := map[string]string{}
		for _, e := range res.Entries {
			rel, err := filepath.Rel(env.Home, e.File)
			require.NoError(t, err)
			got[e.Browser] = filepath.ToSlash(rel)
		}
		require.Equal(t, map[string]string{
			"chrome-beta": ".config/google-chrome-beta/NativeMessagingHosts/" + ManifestFile,
			"edge-dev":    ".config/microsoft-edge-dev/NativeMessagingHosts/" + ManifestFile,
			"yandex-beta": ".config/yandex-browser-beta/NativeMessagingHosts/" + ManifestFile,
			"opera":       ".config/google-chrome/NativeMessagingHosts/" + ManifestFile,
		}, got)
		require.False(t, fileExists(filepath.Join(env.Home, ".config", "google-chrome-unstable")))
		for _, f := range Diagnose(env) {
			require.True(t, f.OK, "%+v", f)
		}
		un, err := Uninstall(env, Options{})
		require.NoError(t, err)
		for _, e := range res.Entries {
			require.Contains(t, un.Removed, e.File)
		}
	})
	t.Run("darwin", func(t *testing.T) {
		env := testEnv(t, "darwin", nil)
		support := filepath.Join(env.Home, "Library", "Application Support")
		mkdir(t, support, "Arc", "User Data")
		mkdir(t, support, "Yandex", "YandexBrowser")
		mkdir(t, env.Root, "Applications", "Google Chrome Canary.app")
		res, err := Install(env, Options{})
		require.NoError(t, err)
		var got []string
		for _, e := range res.Entries {
			rel, err := filepath.Rel(support, e.File)
			require.NoError(t, err)
			got = append(got, e.Browser+" "+filepath.ToSlash(rel))
		}
		require.Equal(t, []string{
			"chrome-canary Google/Chrome Canary/NativeMessagingHosts/" + ManifestFile,
			"yandex Yandex/NativeMessagingHosts/" + ManifestFile,
			"yandex Yandex/YandexBrowser/NativeMessagingHosts/" + ManifestFile,
			"arc Arc/User Data/NativeMessagingHosts/" + ManifestFile,
		}, got)
		for _, f := range Diagnose(env) {
			require.True(t, f.OK, "%+v", f)
		}
	})
	t.Run("windows shared key", func(t *testing.T) {
		env := testEnv(t, "windows", nil)
		reg := env.Registry.(*fakeRegistry)
		mkdir(t, env.LocalAppData, "Google", "Chrome Beta", "User Data")
		mkdir(t, env.AppData, "Opera Software", "Opera Stable")
		res, err := Install(env, Options{})
		require.NoError(t, err)
		require.Len(t, res.Entries, 2)
		file := filepath.Join(env.LocalAppData, "tokenbridge", "manifests", "chrome", ManifestFile)
		require.Equal(t, map[string]string{`HKCU\Software\Google\Chrome\NativeMessagingHosts\dev.tokenbridge.host`: file}, reg.keys)
		rec, err := LoadRecord(env)
		require.NoError(t, err)
		require.Len(t, rec.Entries, 1, "one manifest and one key for browsers that share them")
		un, err := Uninstall(env, Options{Browser: "chrome-beta"})
		require.NoError(t, err)
		require.Empty(t, reg.keys)
		var sharers []string
		for _, n := range un.Notices {
			require.Contains(t, n.Text, "reads the same manifest")
			sharers = append(sharers, n.Browser)
		}
		require.Equal(t, []string{"Google Chrome", "Google Chrome Dev", "Google Chrome Canary", "Opera"}, sharers)
		require.False(t, fileExists(file))
		rec, err = LoadRecord(env)
		require.NoError(t, err)
		require.Empty(t, rec.Entries, "the shared entry is gone with its file")
	})
}
