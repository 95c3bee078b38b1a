package install

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/config"
)

func writeRecord(t *testing.T, env Env, entries ...RecordEntry) {
	t.Helper()
	data, err := json.Marshal(Record{Version: recordVersion, Entries: entries})
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(env.ConfigDir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(env.ConfigDir, RecordFile), data, 0o600))
}

func skippedPaths(res Result) map[string]string {
	out := map[string]string{}
	for _, s := range res.Skipped {
		out[s.Path] = s.Reason
	}
	return out
}

// A record file listing other paths (anyone running as the user can write
// it) makes uninstall delete nothing but tokenbridge's own manifests, and
// every path it refused is reported.
func TestUninstallHostileRecordDeletesNothingElse(t *testing.T) {
	env := testEnv(t, "linux", nil)
	mkdir(t, env.Home, ".config", "chromium")
	res, err := Install(env, Options{})
	require.NoError(t, err)
	require.Len(t, res.Entries, 1)
	genuine := res.Entries[0]

	sshDir := mkdir(t, env.Home, ".ssh")
	sshKey := filepath.Join(sshDir, "id_ed25519")
	require.NoError(t, os.WriteFile(sshKey, []byte("PRIVATE KEY"), 0o600))
	hosts := mkdir(t, env.Home, ".config", "google-chrome", "NativeMessagingHosts")
	keepass := filepath.Join(hosts, "org.keepassxc.keepassxc_browser.json")
	require.NoError(t, os.WriteFile(keepass, []byte(`{"name":"org.keepassxc.keepassxc_browser","description":"KeePassXC","path":"/usr/bin/keepassxc-proxy","type":"stdio","allowed_origins":["chrome-extension://oboonakemofpalcgghocfoadofidjkkk/"]}`), 0o644))
	// Another host's manifest under our file name.
	docs := mkdir(t, env.Home, "Documents")
	impostor := filepath.Join(docs, ManifestFile)
	require.NoError(t, os.WriteFile(impostor, []byte(`{"name":"org.other.host","description":"x","path":"/usr/bin/other","type":"stdio","allowed_origins":["chrome-extension://oboonakemofpalcgghocfoadofidjkkk/"]}`), 0o644))
	// Our manifest's JSON with an extra field is not what install writes.
	extraDir := mkdir(t, env.Home, "extra")
	extra := filepath.Join(extraDir, ManifestFile)
	require.NoError(t, os.WriteFile(extra, []byte(`{"name":"dev.tokenbridge.host","description":"x","path":"/usr/bin/tokenbridge","type":"stdio","allowed_origins":["chrome-extension://oboonakemofpalcgghocfoadofidjkkk/"],"comment":"mine"}`), 0o644))
	// A symlink named like our manifest, pointing at a user's file.
	notes := filepath.Join(env.Home, "notes.txt")
	require.NoError(t, os.WriteFile(notes, []byte("notes"), 0o644))
	linkDir := mkdir(t, env.Home, "link")
	link := filepath.Join(linkDir, ManifestFile)
	require.NoError(t, os.Symlink(notes, link))
	emptyDir := mkdir(t, env.Home, "empty")

	writeRecord(t, env,
		genuine,
		RecordEntry{Browser: "chrome", Family: FamilyChromium, File: sshKey, Dirs: []string{sshDir}},
		RecordEntry{Browser: "chrome", Family: FamilyChromium, File: keepass, Dirs: []string{hosts}},
		RecordEntry{Browser: "chromium", Family: FamilyChromium, File: impostor, Dirs: []string{docs}},
		RecordEntry{Browser: "chromium", Family: FamilyChromium, File: extra},
		RecordEntry{Browser: "chromium", Family: FamilyChromium, File: link},
		RecordEntry{Browser: "chromium", Family: FamilyChromium, Custom: true, File: filepath.Join(env.Home, "gone", ManifestFile), Dirs: []string{emptyDir, env.Home, filepath.Dir(env.Home)}},
		RecordEntry{Browser: "chromium", Family: FamilyChromium, File: "relative/" + ManifestFile},
	)

	un, err := Uninstall(env, Options{})
	require.NoError(t, err)
	require.Equal(t, append([]string{genuine.File}, genuine.Dirs...), un.Removed, "only the manifest install wrote (and the directory it created) goes")
	for _, p := range []string{sshKey, sshDir, keepass, impostor, extra, link, notes, emptyDir, env.Home} {
		require.True(t, fileExists(p), "%s must stay", p)
	}

	skipped := skippedPaths(un)
	require.Contains(t, skipped[sshKey], "name is not "+ManifestFile)
	require.Contains(t, skipped[keepass], "name is not "+ManifestFile)
	require.Contains(t, skipped[impostor], `host "org.other.host"`)
	require.Contains(t, skipped[extra], "does not parse")
	require.Contains(t, skipped[link], "symbolic link")
	require.Contains(t, skipped[emptyDir], "does not hold the manifest")
	require.Contains(t, skipped[env.Home], "home directory")
	require.Contains(t, skipped[filepath.Dir(env.Home)], "home directory or above")
	require.Contains(t, skipped["relative/"+ManifestFile], "not an absolute path")
	require.Len(t, un.Skipped, 9)
	var text string
	for _, n := range un.Notices {
		text += n.Text + "\n"
	}
	require.Contains(t, text, "left "+sshKey+" in place")
	require.NotContains(t, text, "nothing to remove")

	// The bogus entries are dropped: the record is gone with the genuine one.
	require.False(t, fileExists(filepath.Join(env.ConfigDir, RecordFile)))
}

// A known location holding something that is not our manifest stays too.
func TestUninstallKnownLocationKeepsForeignFile(t *testing.T) {
	env := testEnv(t, "linux", nil)
	hosts := mkdir(t, env.Home, ".config", "vivaldi", "NativeMessagingHosts")
	p := filepath.Join(hosts, ManifestFile)
	require.NoError(t, os.WriteFile(p, []byte("not json"), 0o644))
	un, err := Uninstall(env, Options{Browser: "vivaldi"})
	require.NoError(t, err)
	require.Empty(t, un.Removed)
	require.True(t, fileExists(p))
	require.Contains(t, skippedPaths(un)[p], "does not parse")
}

// On Windows only <browser key>\dev.tokenbridge.host keys are deleted.
func TestUninstallHostileRecordRegistryKeys(t *testing.T) {
	env := testEnv(t, "windows", nil)
	reg := env.Registry.(*fakeRegistry)
	mkdir(t, env.LocalAppData, "Microsoft", "Edge", "User Data")
	res, err := Install(env, Options{})
	require.NoError(t, err)
	require.Len(t, res.Entries, 1)

	run := `Software\Microsoft\Windows\CurrentVersion\Run`
	other := `Software\Google\Chrome\NativeMessagingHosts\org.other.host`
	reg.keys[`HKCU\`+run] = `C:\evil.exe`
	reg.keys[`HKCU\`+other] = `C:\other\host.json`
	writeRecord(t, env, res.Entries[0],
		RecordEntry{Browser: "edge", Family: FamilyChromium, RegKey: run, File: filepath.Join(env.LocalAppData, "x", ManifestFile)},
		RecordEntry{Browser: "chrome", Family: FamilyChromium, RegKey: other},
	)
	un, err := Uninstall(env, Options{})
	require.NoError(t, err)
	require.Equal(t, map[string]string{`HKCU\` + run: `C:\evil.exe`, `HKCU\` + other: `C:\other\host.json`}, reg.keys)
	require.Contains(t, un.Removed, `HKCU\Software\Microsoft\Edge\NativeMessagingHosts\`+config.HostName)
	skipped := skippedPaths(un)
	require.Contains(t, skipped[`HKCU\`+run], "not a key tokenbridge writes")
	require.Contains(t, skipped[`HKCU\`+other], "not a key tokenbridge writes")
}

func TestInspectManifest(t *testing.T) {
	dir := t.TempDir()
	chromium, err := Render(FamilyChromium, "/opt/tokenbridge", nil)
	require.NoError(t, err)
	firefox, err := Render(FamilyFirefox, `C:\tokenbridge\tokenbridge.exe`, []string{"x@y.z"})
	require.NoError(t, err)
	tests := []struct {
		name   string
		data   string
		want   verdict
		reason string
	}{
		{"chromium as rendered", string(chromium), ours, ""},
		{"firefox as rendered", string(firefox), ours, ""},
		{"other host", `{"name":"org.other","description":"","path":"/x","type":"stdio","allowed_origins":["o"]}`, notOurs, `"org.other"`},
		{"unknown field", `{"name":"dev.tokenbridge.host","path":"/x","type":"stdio","allowed_origins":["o"],"x":1}`, notOurs, "does not parse"},
		{"trailing data", `{"name":"dev.tokenbridge.host","path":"/x","type":"stdio","allowed_origins":["o"]} {}`, notOurs, "after the manifest"},
		{"not stdio", `{"name":"dev.tokenbridge.host","path":"/x","type":"tcp","allowed_origins":["o"]}`, notOurs, "type"},
		{"relative path", `{"name":"dev.tokenbridge.host","path":"x","type":"stdio","allowed_origins":["o"]}`, notOurs, "not absolute"},
		{"both lists", `{"name":"dev.tokenbridge.host","path":"/x","type":"stdio","allowed_origins":["o"],"allowed_extensions":["e"]}`, notOurs, "both"},
		{"no list", `{"name":"dev.tokenbridge.host","path":"/x","type":"stdio"}`, notOurs, "neither"},
		{"array", `[]`, notOurs, "does not parse"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), ManifestFile)
			require.NoError(t, os.WriteFile(p, []byte(tc.data), 0o644))
			v, reason, err := inspectManifest(p)
			require.NoError(t, err)
			require.Equal(t, tc.want, v, reason)
			require.Contains(t, reason, tc.reason)
		})
	}
	v, _, err := inspectManifest(filepath.Join(dir, ManifestFile))
	require.NoError(t, err)
	require.Equal(t, absent, v)
	big := filepath.Join(t.TempDir(), ManifestFile)
	require.NoError(t, os.WriteFile(big, make([]byte, maxManifestSize+1), 0o644))
	v, reason, err := inspectManifest(big)
	require.NoError(t, err)
	require.Equal(t, notOurs, v)
	require.Contains(t, reason, "larger")
}
