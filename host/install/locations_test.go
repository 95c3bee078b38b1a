package install

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLocations(t *testing.T) {
	tests := []struct {
		goos, browser string
		system        bool
		want          []string // relative to Home (user) or Root (system); Windows: to LocalAppData/ProgramData
		regKey        string
		wantErr       error
	}{
		{"linux", "chrome", false, []string{".config/google-chrome/NativeMessagingHosts"}, "", nil},
		{"linux", "chromium", false, []string{".config/chromium/NativeMessagingHosts"}, "", nil},
		{"linux", "edge", false, []string{".config/microsoft-edge/NativeMessagingHosts"}, "", nil},
		{"linux", "brave", false, []string{".config/BraveSoftware/Brave-Browser/NativeMessagingHosts"}, "", nil},
		{"linux", "vivaldi", false, []string{".config/vivaldi/NativeMessagingHosts"}, "", nil},
		{"linux", "yandex", false, []string{".config/yandex-browser/NativeMessagingHosts"}, "", nil},
		{"linux", "chrome-beta", false, []string{".config/google-chrome-beta/NativeMessagingHosts"}, "", nil},
		{"linux", "chrome-dev", false, []string{".config/google-chrome-unstable/NativeMessagingHosts"}, "", nil},
		{"linux", "edge-beta", false, []string{".config/microsoft-edge-beta/NativeMessagingHosts"}, "", nil},
		{"linux", "edge-dev", false, []string{".config/microsoft-edge-dev/NativeMessagingHosts"}, "", nil},
		{"linux", "yandex-beta", false, []string{".config/yandex-browser-beta/NativeMessagingHosts"}, "", nil},
		{"linux", "opera", false, []string{".config/google-chrome/NativeMessagingHosts"}, "", nil},
		{"linux", "chrome-canary", false, nil, "", ErrNotOnOS},
		{"linux", "arc", false, nil, "", ErrNotOnOS},
		{"linux", "chrome-beta", true, []string{"etc/opt/chrome/native-messaging-hosts"}, "", nil},
		{"linux", "edge-dev", true, []string{"etc/opt/edge/native-messaging-hosts"}, "", nil},
		{"linux", "opera", true, []string{"etc/opt/chrome/native-messaging-hosts"}, "", nil},
		{"linux", "firefox", false, []string{".mozilla/native-messaging-hosts"}, "", nil},
		{"linux", "chrome", true, []string{"etc/opt/chrome/native-messaging-hosts"}, "", nil},
		{"linux", "chromium", true, []string{"etc/chromium/native-messaging-hosts"}, "", nil},
		{"linux", "edge", true, []string{"etc/opt/edge/native-messaging-hosts"}, "", nil},
		{"linux", "firefox", true, []string{"usr/lib/mozilla/native-messaging-hosts", "usr/lib64/mozilla/native-messaging-hosts"}, "", nil},
		{"linux", "brave", true, nil, "", ErrNoSystemPath},
		{"darwin", "chrome", false, []string{"Library/Application Support/Google/Chrome/NativeMessagingHosts"}, "", nil},
		{"darwin", "edge", false, []string{"Library/Application Support/Microsoft Edge/NativeMessagingHosts"}, "", nil},
		{"darwin", "yandex", false, []string{"Library/Application Support/Yandex/NativeMessagingHosts", "Library/Application Support/Yandex/YandexBrowser/NativeMessagingHosts"}, "", nil},
		{"darwin", "chrome-beta", false, []string{"Library/Application Support/Google/Chrome Beta/NativeMessagingHosts"}, "", nil},
		{"darwin", "chrome-dev", false, []string{"Library/Application Support/Google/Chrome Dev/NativeMessagingHosts"}, "", nil},
		{"darwin", "chrome-canary", false, []string{"Library/Application Support/Google/Chrome Canary/NativeMessagingHosts"}, "", nil},
		{"darwin", "edge-beta", false, []string{"Library/Application Support/Microsoft Edge Beta/NativeMessagingHosts"}, "", nil},
		{"darwin", "edge-dev", false, []string{"Library/Application Support/Microsoft Edge Dev/NativeMessagingHosts"}, "", nil},
		{"darwin", "opera", false, []string{"Library/Application Support/Google/Chrome/NativeMessagingHosts"}, "", nil},
		{"darwin", "arc", false, []string{"Library/Application Support/Arc/User Data/NativeMessagingHosts"}, "", nil},
		{"darwin", "yandex-beta", false, nil, "", ErrNotOnOS},
		{"darwin", "chrome-canary", true, []string{"Library/Google/Chrome/NativeMessagingHosts"}, "", nil},
		{"darwin", "arc", true, nil, "", ErrNoSystemPath},
		{"darwin", "firefox", false, []string{"Library/Application Support/Mozilla/NativeMessagingHosts"}, "", nil},
		{"darwin", "chrome", true, []string{"Library/Google/Chrome/NativeMessagingHosts"}, "", nil},
		{"darwin", "firefox", true, []string{"Library/Application Support/Mozilla/NativeMessagingHosts"}, "", nil},
		{"darwin", "vivaldi", true, nil, "", ErrNoSystemPath},
		{"windows", "chrome", false, []string{"tokenbridge/manifests/chrome"}, `Software\Google\Chrome\NativeMessagingHosts\dev.tokenbridge.host`, nil},
		{"windows", "edge", false, []string{"tokenbridge/manifests/edge"}, `Software\Microsoft\Edge\NativeMessagingHosts\dev.tokenbridge.host`, nil},
		{"windows", "yandex", false, []string{"tokenbridge/manifests/yandex"}, `Software\Yandex\YandexBrowser\NativeMessagingHosts\dev.tokenbridge.host`, nil},
		// Channels and Opera read the stable Chrome/Edge key: one manifest, one key.
		{"windows", "chrome-beta", false, []string{"tokenbridge/manifests/chrome"}, `Software\Google\Chrome\NativeMessagingHosts\dev.tokenbridge.host`, nil},
		{"windows", "chrome-canary", false, []string{"tokenbridge/manifests/chrome"}, `Software\Google\Chrome\NativeMessagingHosts\dev.tokenbridge.host`, nil},
		{"windows", "opera", false, []string{"tokenbridge/manifests/chrome"}, `Software\Google\Chrome\NativeMessagingHosts\dev.tokenbridge.host`, nil},
		{"windows", "edge-dev", true, []string{"tokenbridge/manifests/edge"}, `Software\Microsoft\Edge\NativeMessagingHosts\dev.tokenbridge.host`, nil},
		{"windows", "arc", false, nil, "", ErrNotOnOS},
		{"windows", "yandex-beta", false, nil, "", ErrNotOnOS},
		{"windows", "firefox", true, []string{"tokenbridge/manifests/firefox"}, `Software\Mozilla\NativeMessagingHosts\dev.tokenbridge.host`, nil},
		{"plan9", "chrome", false, nil, "", ErrUnsupportedOS},
	}
	for _, tc := range tests {
		name := tc.goos + "/" + tc.browser
		if tc.system {
			name += "/system"
		}
		t.Run(name, func(t *testing.T) {
			env := testEnv(t, tc.goos, nil)
			b, ok := LookupBrowser(tc.browser)
			require.True(t, ok)
			locs, err := Locations(env, b, tc.system, false)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			base := env.Home
			switch {
			case tc.goos == "windows" && tc.system:
				base = env.ProgramData
			case tc.goos == "windows":
				base = env.LocalAppData
			case tc.system:
				base = env.Root
			}
			var got []string
			for _, l := range locs {
				rel, err := filepath.Rel(base, l.Dir)
				require.NoError(t, err)
				got = append(got, filepath.ToSlash(rel))
				require.Equal(t, filepath.Join(l.Dir, "dev.tokenbridge.host.json"), l.File)
				require.Equal(t, tc.regKey, l.RegKey)
				require.Equal(t, tc.system, l.System)
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestLocationsLinuxSystemSkipsMissingLib64ForWrite(t *testing.T) {
	env := testEnv(t, "linux", nil)
	ff, _ := LookupBrowser("firefox")
	locs, err := Locations(env, ff, true, true)
	require.NoError(t, err)
	require.Len(t, locs, 1, "no /usr/lib64: only /usr/lib/mozilla is written")
	mkdir(t, env.Root, "usr", "lib64")
	locs, err = Locations(env, ff, true, true)
	require.NoError(t, err)
	require.Len(t, locs, 2)
}

func TestLocationsWindowsNeedsLocalAppData(t *testing.T) {
	env := testEnv(t, "windows", nil)
	env.LocalAppData = ""
	b, _ := LookupBrowser("chrome")
	_, err := Locations(env, b, false, true)
	require.ErrorContains(t, err, "LOCALAPPDATA")
}

// On Windows every browser's location is a registry key named after the
// host; channels and Opera share the stable browser's key.
func TestRegistryKeys(t *testing.T) {
	env := testEnv(t, "windows", nil)
	keys := map[string]string{}
	for _, b := range Browsers {
		locs, err := Locations(env, b, false, true)
		if b.WinKey == "" {
			require.ErrorIs(t, err, ErrNotOnOS, b.Name)
			continue
		}
		require.NoError(t, err)
		require.Len(t, locs, 1, b.Name)
		keys[b.ID] = locs[0].RegKey
	}
	chrome := `Software\Google\Chrome\NativeMessagingHosts\dev.tokenbridge.host`
	edge := `Software\Microsoft\Edge\NativeMessagingHosts\dev.tokenbridge.host`
	require.Equal(t, map[string]string{
		"chrome": chrome, "chrome-beta": chrome, "chrome-dev": chrome, "chrome-canary": chrome, "opera": chrome,
		"chromium": `Software\Chromium\NativeMessagingHosts\dev.tokenbridge.host`,
		"edge":     edge, "edge-beta": edge, "edge-dev": edge,
		"brave":   `Software\BraveSoftware\Brave-Browser\NativeMessagingHosts\dev.tokenbridge.host`,
		"vivaldi": `Software\Vivaldi\NativeMessagingHosts\dev.tokenbridge.host`,
		"yandex":  `Software\Yandex\YandexBrowser\NativeMessagingHosts\dev.tokenbridge.host`,
		"firefox": `Software\Mozilla\NativeMessagingHosts\dev.tokenbridge.host`,
	}, keys)
}

// Every browser ID is accepted by --browser, alone and in a list.
func TestParseBrowsersAcceptsChannelsAndForks(t *testing.T) {
	for _, id := range []string{"chrome-beta", "chrome-dev", "chrome-canary", "edge-beta", "edge-dev", "yandex-beta", "opera", "arc"} {
		list, all, err := ParseBrowsers(id)
		require.NoError(t, err, id)
		require.False(t, all)
		require.Len(t, list, 1)
		require.Equal(t, id, list[0].ID)
	}
	list, _, err := ParseBrowsers("opera, chrome-beta,chrome")
	require.NoError(t, err)
	require.Equal(t, []string{"chrome", "chrome-beta", "opera"}, []string{list[0].ID, list[1].ID, list[2].ID})
	_, _, err = ParseBrowsers("chrome-stable")
	require.ErrorIs(t, err, ErrUsage)
	require.ErrorContains(t, err, "chrome-canary")
}
