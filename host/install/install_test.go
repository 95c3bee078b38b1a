package install

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/config"
)

func TestInstallLinuxDetected(t *testing.T) {
	env := testEnv(t, "linux", map[string]string{"microsoft-edge": "/usr/bin/microsoft-edge"})
	mkdir(t, env.Home, ".config", "chromium")
	mkdir(t, env.Home, ".mozilla", "firefox")

	res, err := Install(env, Options{})
	require.NoError(t, err)

	chromium := filepath.Join(env.Home, ".config/chromium/NativeMessagingHosts/dev.tokenbridge.host.json")
	edge := filepath.Join(env.Home, ".config/microsoft-edge/NativeMessagingHosts/dev.tokenbridge.host.json")
	firefox := filepath.Join(env.Home, ".mozilla/native-messaging-hosts/dev.tokenbridge.host.json")
	var files []string
	for _, e := range res.Entries {
		files = append(files, e.File)
	}
	require.Equal(t, []string{chromium, edge, firefox}, files)
	require.False(t, fileExists(filepath.Join(env.Home, ".config/google-chrome")), "Chrome was not found: nothing written for it")

	m := readManifest(t, chromium)
	require.Equal(t, env.Executable, m.Path)
	require.Equal(t, []string{"chrome-extension://hodkpdeoebfagkfdfjfhcfnbemcgabcj/"}, m.AllowedOrigins)
	m = readManifest(t, firefox)
	require.Equal(t, []string{"tokenbridge@tokenbridge.dev"}, m.AllowedExtensions)

	fi, err := os.Stat(chromium)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o644), fi.Mode().Perm())

	rec, err := LoadRecord(env)
	require.NoError(t, err)
	require.Len(t, rec.Entries, 3)
	fi, err = os.Stat(filepath.Join(env.ConfigDir, RecordFile))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	for _, f := range Diagnose(env) {
		require.True(t, f.OK, "%+v", f)
	}

	// A second install is idempotent: same record, no duplicates.
	_, err = Install(env, Options{})
	require.NoError(t, err)
	rec2, err := LoadRecord(env)
	require.NoError(t, err)
	require.Equal(t, rec, rec2)
}

func TestInstallNoBrowser(t *testing.T) {
	env := testEnv(t, "linux", nil)
	res, err := Install(env, Options{Browser: "all"})
	require.ErrorIs(t, err, ErrNoBrowser)
	require.Contains(t, err.Error(), "--browser")
	require.Empty(t, res.Entries)
	require.False(t, fileExists(filepath.Join(env.ConfigDir, RecordFile)))
}

func TestInstallExplicitBrowserNotFound(t *testing.T) {
	env := testEnv(t, "linux", nil)
	res, err := Install(env, Options{Browser: "yandex"})
	require.NoError(t, err)
	require.Len(t, res.Entries, 1)
	require.Equal(t, filepath.Join(env.Home, ".config/yandex-browser/NativeMessagingHosts/dev.tokenbridge.host.json"), res.Entries[0].File)
	require.Len(t, res.Notices, 1)
	require.Contains(t, res.Notices[0].Text, "not found")
}

func TestInstallDir(t *testing.T) {
	tests := []struct {
		browser string
		family  Family
		wantErr bool
	}{
		{"", FamilyChromium, false},
		{"chromium", FamilyChromium, false},
		{"chrome,edge", FamilyChromium, false},
		{"firefox", FamilyFirefox, false},
		{"all", "", true},
		{"chrome,firefox", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.browser, func(t *testing.T) {
			env := testEnv(t, "linux", nil)
			dir := filepath.Join(t.TempDir(), "profile", "NativeMessagingHosts")
			res, err := Install(env, Options{Browser: tc.browser, Dir: dir})
			if tc.wantErr {
				require.ErrorIs(t, err, ErrUsage)
				require.False(t, fileExists(dir))
				return
			}
			require.NoError(t, err)
			require.Len(t, res.Entries, 1)
			require.True(t, res.Entries[0].Custom)
			require.Equal(t, tc.family, res.Entries[0].Family)
			m := readManifest(t, filepath.Join(dir, ManifestFile))
			if tc.family == FamilyFirefox {
				require.Equal(t, []string{config.FirefoxExtensionID}, m.AllowedExtensions)
			} else {
				require.Equal(t, []string{ChromiumOrigin(config.ChromiumExtensionID)}, m.AllowedOrigins)
			}
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			require.Len(t, entries, 1, "no temp files left behind")

			for _, f := range Diagnose(env) {
				require.True(t, f.OK, "%+v", f)
			}

			un, err := Uninstall(env, Options{Dir: dir})
			require.NoError(t, err)
			require.Contains(t, un.Removed, filepath.Join(dir, ManifestFile))
			require.False(t, fileExists(dir), "the directories install created are removed")
			require.False(t, fileExists(filepath.Join(env.ConfigDir, RecordFile)))
		})
	}
}

func TestInstallDirOnWindowsWarnsNoRegistryKey(t *testing.T) {
	env := testEnv(t, "windows", nil)
	res, err := Install(env, Options{Dir: t.TempDir()})
	require.NoError(t, err)
	require.Empty(t, env.Registry.(*fakeRegistry).keys)
	require.Len(t, res.Notices, 1)
	require.Contains(t, res.Notices[0].Text, "registry")
}

func TestInstallDirWithSystemIsUsageError(t *testing.T) {
	env := testEnv(t, "linux", nil)
	_, err := Install(env, Options{Dir: t.TempDir(), System: true})
	require.ErrorIs(t, err, ErrUsage)
}

func TestInstallSystemLinux(t *testing.T) {
	env := testEnv(t, "linux", map[string]string{"chromium": "/usr/bin/chromium", "brave-browser": "/usr/bin/brave-browser"})
	res, err := Install(env, Options{System: true})
	require.NoError(t, err)
	require.Len(t, res.Entries, 1)
	require.Equal(t, filepath.Join(env.Root, "etc/chromium/native-messaging-hosts", ManifestFile), res.Entries[0].File)
	require.True(t, res.Entries[0].System)
	var skipped bool
	for _, n := range res.Notices {
		if n.Browser == "Brave" && strings.Contains(n.Text, "drop --system") {
			skipped = true
		}
	}
	require.True(t, skipped, "Brave has no known system path: a notice says so, %+v", res.Notices)

	_, err = Install(env, Options{System: true, Browser: "brave"})
	require.ErrorIs(t, err, ErrNoSystemPath)

	// A user-scope uninstall leaves the system manifest and says how to remove it.
	un, err := Uninstall(env, Options{})
	require.NoError(t, err)
	require.Empty(t, un.Removed)
	require.True(t, fileExists(res.Entries[0].File))
	require.Contains(t, un.Notices[0].Text, "--system")

	un, err = Uninstall(env, Options{System: true})
	require.NoError(t, err)
	require.False(t, fileExists(res.Entries[0].File))
	require.False(t, fileExists(filepath.Join(env.Root, "etc/chromium")), "created directories removed")
	require.True(t, fileExists(filepath.Join(env.Root)))
}

func TestInstallDarwin(t *testing.T) {
	env := testEnv(t, "darwin", nil)
	mkdir(t, env.Root, "Applications", "Google Chrome.app")
	mkdir(t, env.Home, "Library", "Application Support", "Firefox")
	res, err := Install(env, Options{})
	require.NoError(t, err)
	require.Len(t, res.Entries, 2)
	require.Equal(t, filepath.Join(env.Home, "Library/Application Support/Google/Chrome/NativeMessagingHosts", ManifestFile), res.Entries[0].File)
	require.Equal(t, filepath.Join(env.Home, "Library/Application Support/Mozilla/NativeMessagingHosts", ManifestFile), res.Entries[1].File)
	for _, f := range Diagnose(env) {
		require.True(t, f.OK, "%+v", f)
	}
	_, err = Uninstall(env, Options{})
	require.NoError(t, err)
	require.False(t, fileExists(res.Entries[0].File))
	require.False(t, fileExists(res.Entries[1].File))
}

func TestInstallWindows(t *testing.T) {
	env := testEnv(t, "windows", nil)
	reg := env.Registry.(*fakeRegistry)
	mkdir(t, env.LocalAppData, "Microsoft", "Edge", "User Data")
	mkdir(t, env.LocalAppData, "Yandex", "YandexBrowser", "User Data")
	mkdir(t, env.AppData, "Mozilla", "Firefox")

	res, err := Install(env, Options{})
	require.NoError(t, err)
	require.Len(t, res.Entries, 3)
	edgeFile := filepath.Join(env.LocalAppData, "tokenbridge", "manifests", "edge", ManifestFile)
	require.Equal(t, map[string]string{
		`HKCU\Software\Microsoft\Edge\NativeMessagingHosts\dev.tokenbridge.host`:       edgeFile,
		`HKCU\Software\Yandex\YandexBrowser\NativeMessagingHosts\dev.tokenbridge.host`: filepath.Join(env.LocalAppData, "tokenbridge", "manifests", "yandex", ManifestFile),
		`HKCU\Software\Mozilla\NativeMessagingHosts\dev.tokenbridge.host`:              filepath.Join(env.LocalAppData, "tokenbridge", "manifests", "firefox", ManifestFile),
	}, reg.keys)
	require.Equal(t, []string{ChromiumOrigin(config.ChromiumExtensionID)}, readManifest(t, edgeFile).AllowedOrigins)
	for _, f := range Diagnose(env) {
		require.True(t, f.OK, "%+v", f)
	}

	// A key that vanished is reported.
	delete(reg.keys, `HKCU\Software\Microsoft\Edge\NativeMessagingHosts\dev.tokenbridge.host`)
	edge := findingsFor(Diagnose(env), "Microsoft Edge")
	require.Len(t, edge, 1)
	require.False(t, edge[0].OK)
	require.Contains(t, edge[0].Problem, "registry key")

	// Uninstall of one browser leaves the others.
	_, err = Uninstall(env, Options{Browser: "yandex"})
	require.NoError(t, err)
	require.Len(t, reg.keys, 1)
	require.True(t, fileExists(edgeFile))

	_, err = Uninstall(env, Options{})
	require.NoError(t, err)
	require.Empty(t, reg.keys)
	require.False(t, fileExists(filepath.Join(env.LocalAppData, "tokenbridge")), "every created directory removed")
	require.False(t, fileExists(filepath.Join(env.ConfigDir, RecordFile)))

	// --system goes to HKLM and %ProgramData%.
	res, err = Install(env, Options{Browser: "chrome", System: true})
	require.NoError(t, err)
	require.Equal(t, filepath.Join(env.ProgramData, "tokenbridge", "manifests", "chrome", ManifestFile),
		reg.keys[`HKLM\Software\Google\Chrome\NativeMessagingHosts\dev.tokenbridge.host`])
	_, err = Uninstall(env, Options{System: true})
	require.NoError(t, err)
	require.Empty(t, reg.keys)
}

func TestUninstallRemovesExactlyWhatInstallWrote(t *testing.T) {
	env := testEnv(t, "linux", nil)
	// Chrome's profile and host dir already exist and hold someone else's host.
	other := filepath.Join(mkdir(t, env.Home, ".config", "google-chrome", "NativeMessagingHosts"), "org.keepassxc.json")
	require.NoError(t, os.WriteFile(other, []byte("{}"), 0o644))
	// Edge is named explicitly though absent: install creates its directories.
	res, err := Install(env, Options{Browser: "chrome,edge"})
	require.NoError(t, err)
	require.Len(t, res.Entries, 2)
	require.Equal(t, []string{
		filepath.Join(env.Home, ".config/microsoft-edge/NativeMessagingHosts"),
		filepath.Join(env.Home, ".config/microsoft-edge"),
	}, res.Entries[1].Dirs)

	un, err := Uninstall(env, Options{})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{
		res.Entries[0].File, res.Entries[1].File,
		filepath.Join(env.Home, ".config/microsoft-edge/NativeMessagingHosts"),
		filepath.Join(env.Home, ".config/microsoft-edge"),
	}, un.Removed)
	require.True(t, fileExists(other), "another host's manifest stays")
	require.True(t, fileExists(filepath.Join(env.Home, ".config")))
	require.False(t, fileExists(filepath.Join(env.ConfigDir, RecordFile)))

	// Nothing left: a second uninstall says so and succeeds.
	un, err = Uninstall(env, Options{})
	require.NoError(t, err)
	require.Empty(t, un.Removed)
	require.Contains(t, un.Notices[0].Text, "nothing to remove")
}

func TestUninstallWithoutRecord(t *testing.T) {
	env := testEnv(t, "linux", nil)
	mkdir(t, env.Home, ".config", "vivaldi")
	mkdir(t, env.Home, ".mozilla", "firefox")
	res, err := Install(env, Options{})
	require.NoError(t, err)
	require.Len(t, res.Entries, 2)
	require.NoError(t, os.Remove(filepath.Join(env.ConfigDir, RecordFile)))

	un, err := Uninstall(env, Options{})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{res.Entries[0].File, res.Entries[1].File}, un.Removed)
}

func TestUninstallCorruptRecordStillCleansKnownPaths(t *testing.T) {
	env := testEnv(t, "linux", nil)
	mkdir(t, env.Home, ".config", "chromium")
	res, err := Install(env, Options{})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(env.ConfigDir, RecordFile), []byte("{not json"), 0o600))
	un, err := Uninstall(env, Options{})
	require.NoError(t, err)
	require.Equal(t, []string{res.Entries[0].File}, un.Removed)
	require.Contains(t, un.Notices[0].Text, "not valid JSON")
}

func TestUninstallOneBrowserKeepsOthers(t *testing.T) {
	env := testEnv(t, "linux", nil)
	mkdir(t, env.Home, ".config", "chromium")
	mkdir(t, env.Home, ".mozilla", "firefox")
	res, err := Install(env, Options{})
	require.NoError(t, err)
	_, err = Uninstall(env, Options{Browser: "firefox"})
	require.NoError(t, err)
	require.True(t, fileExists(res.Entries[0].File))
	require.False(t, fileExists(res.Entries[1].File))
	rec, err := LoadRecord(env)
	require.NoError(t, err)
	require.Len(t, rec.Entries, 1)
	require.Equal(t, "chromium", rec.Entries[0].Browser)
}

func TestInstallExtensionIDs(t *testing.T) {
	env := testEnv(t, "linux", nil)
	mkdir(t, env.Home, ".config", "chromium")
	mkdir(t, env.Home, ".mozilla", "firefox")
	// config.json already holds a field of the lead's config: it must survive.
	require.NoError(t, os.MkdirAll(env.ConfigDir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(env.ConfigDir, "config.json"), []byte(`{"fill_origins":{"tinvest":["https://example.org"]}}`), 0o600))

	extra := "abcdefghijklmnopabcdefghijklmnop"
	gecko := "{12345678-1234-1234-1234-123456789abc}"
	res, err := Install(env, Options{ExtensionIDs: []string{"chrome-extension://" + extra + "/", gecko}})
	require.NoError(t, err)
	require.Equal(t, []string{ChromiumOrigin(config.ChromiumExtensionID), ChromiumOrigin(extra)}, readManifest(t, res.Entries[0].File).AllowedOrigins)
	require.Equal(t, []string{config.FirefoxExtensionID, gecko}, readManifest(t, res.Entries[1].File).AllowedExtensions)

	data, err := os.ReadFile(filepath.Join(env.ConfigDir, "config.json"))
	require.NoError(t, err)
	var cfg map[string]any
	require.NoError(t, json.Unmarshal(data, &cfg))
	require.Equal(t, map[string]any{"tinvest": []any{"https://example.org"}}, cfg["fill_origins"])
	require.Equal(t, []any{extra, gecko}, cfg["extension_ids"])

	// A later install without --extension-id keeps allowing the saved IDs.
	res, err = Install(env, Options{Browser: "chromium"})
	require.NoError(t, err)
	require.Equal(t, []string{ChromiumOrigin(config.ChromiumExtensionID), ChromiumOrigin(extra)}, readManifest(t, res.Entries[0].File).AllowedOrigins)
	for _, f := range Diagnose(env) {
		require.True(t, f.OK, "%+v", f)
	}
}

func TestInstallInvalidExtensionIDWritesNothing(t *testing.T) {
	env := testEnv(t, "linux", nil)
	mkdir(t, env.Home, ".config", "chromium")
	_, err := Install(env, Options{ExtensionIDs: []string{"not-an-id"}})
	require.ErrorIs(t, err, ErrUsage)
	require.False(t, fileExists(filepath.Join(env.Home, ".config/chromium/NativeMessagingHosts")))
	require.False(t, fileExists(env.ConfigDir))
}

func TestInstallWarnsAboutGoRunBinary(t *testing.T) {
	env := testEnv(t, "linux", nil)
	env.Executable = "/tmp/go-build123/b001/exe/tokenbridge"
	res, err := Install(env, Options{Browser: "chromium", Dir: t.TempDir()})
	require.NoError(t, err)
	require.Contains(t, res.Notices[0].Text, "go run")
}
