package install

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDiagnoseFindsBrokenManifests(t *testing.T) {
	const good = `{"name":"dev.tokenbridge.host","description":"d","path":%q,"type":"stdio","allowed_origins":["chrome-extension://hodkpdeoebfagkfdfjfhcfnbemcgabcj/"]}`
	tests := []struct {
		name    string
		content func(env Env) string
		saved   []string // extension IDs in config.json
		setup   func(t *testing.T, env Env)
		problem string
		fix     string
	}{
		{
			name:    "bad json",
			content: func(Env) string { return `{"name": "dev.tokenbridge.host",` },
			problem: "not valid JSON",
		},
		{
			name: "wrong name",
			content: func(env Env) string {
				return strings.Replace(sprintf(good, env.Executable), `"dev.tokenbridge.host"`, `"dev.other"`, 1)
			},
			problem: `name is "dev.other"`,
		},
		{
			name:    "wrong type",
			content: func(env Env) string { return strings.Replace(sprintf(good, env.Executable), `"stdio"`, `"pipe"`, 1) },
			problem: `type is "pipe"`,
		},
		{
			name:    "path to another binary",
			content: func(env Env) string { return sprintf(good, "/bin/sh") },
			problem: "not at this binary",
		},
		{
			name:    "path missing",
			content: func(env Env) string { return sprintf(good, filepath.Join(filepath.Dir(env.Executable), "gone")) },
			problem: "does not exist",
		},
		{
			name:    "relative path",
			content: func(env Env) string { return sprintf(good, "tokenbridge") },
			problem: "not absolute",
		},
		{
			name:    "binary not executable",
			content: func(env Env) string { return sprintf(good, env.Executable) },
			setup:   func(t *testing.T, env Env) { require.NoError(t, os.Chmod(env.Executable, 0o644)) },
			problem: "not executable",
		},
		{
			name: "wrong extension id",
			content: func(env Env) string {
				return strings.Replace(sprintf(good, env.Executable), "hodkpdeoebfagkfdfjfhcfnbemcgabcj", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1)
			},
			problem: "allowed_origins lacks chrome-extension://hodkpdeoebfagkfdfjfhcfnbemcgabcj/",
		},
		{
			name: "malformed origin",
			content: func(env Env) string {
				return strings.Replace(sprintf(good, env.Executable), `"chrome-extension://hodk`, `"chrome-extension://x/", "chrome-extension://hodk`, 1)
			},
			problem: `allowed_origins entry "chrome-extension://x/" is malformed`,
		},
		{
			name:    "saved extension id missing from manifest",
			content: func(env Env) string { return sprintf(good, env.Executable) },
			saved:   []string{"abcdefghijklmnopabcdefghijklmnop"},
			problem: "lacks chrome-extension://abcdefghijklmnopabcdefghijklmnop/",
		},
		{
			name: "firefox manifest in chromium location",
			content: func(env Env) string {
				return sprintf(`{"name":"dev.tokenbridge.host","path":%q,"type":"stdio","allowed_extensions":["tokenbridge@tokenbridge.dev"]}`, env.Executable)
			},
			problem: "Firefox manifest",
		},
		{
			name:    "missing manifest for a detected browser",
			content: nil,
			problem: "manifest missing",
			fix:     "tokenbridge install --browser chromium",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv(t, "linux", nil)
			dir := mkdir(t, env.Home, ".config", "chromium", "NativeMessagingHosts")
			if tc.content != nil {
				require.NoError(t, os.WriteFile(filepath.Join(dir, ManifestFile), []byte(tc.content(env)), 0o644))
			}
			if tc.setup != nil {
				tc.setup(t, env)
			}
			if tc.saved != nil {
				env.LoadExtensionIDs = func() ([]string, error) { return tc.saved, nil }
			}
			fs := findingsFor(Diagnose(env), "Chromium")
			require.Len(t, fs, 1, "%+v", fs)
			f := fs[0]
			require.False(t, f.OK)
			require.Equal(t, filepath.Join(dir, ManifestFile), f.Path)
			require.Contains(t, f.Problem, tc.problem)
			require.NotEmpty(t, f.Fix)
			if tc.fix != "" {
				require.Contains(t, f.Fix, tc.fix)
			}
		})
	}
}

func TestDiagnoseReportsStraySystemManifestAndLostDirManifest(t *testing.T) {
	env := testEnv(t, "linux", nil)
	// A --dir install whose manifest is later deleted.
	dir := filepath.Join(t.TempDir(), "NativeMessagingHosts")
	res, err := Install(env, Options{Browser: "firefox", Dir: dir})
	require.NoError(t, err)
	require.NoError(t, os.Remove(res.Entries[0].File))
	// A broken system manifest for a browser that is not detected.
	sys := mkdir(t, env.Root, "etc", "opt", "chrome", "native-messaging-hosts")
	require.NoError(t, os.WriteFile(filepath.Join(sys, ManifestFile), []byte("nope"), 0o644))

	fs := Diagnose(env)
	require.Len(t, fs, 2, "%+v", fs)
	require.Equal(t, "Google Chrome (system)", fs[0].Browser)
	require.Contains(t, fs[0].Problem, "not valid JSON")
	require.Contains(t, fs[0].Fix, "sudo tokenbridge install --browser chrome --system")
	require.Equal(t, "Firefox (--dir)", fs[1].Browser)
	require.Contains(t, fs[1].Problem, "manifest missing")
	require.Contains(t, fs[1].Fix, "--browser firefox --dir "+dir)
}

func TestDiagnoseNothingInstalled(t *testing.T) {
	env := testEnv(t, "linux", nil)
	fs := Diagnose(env)
	require.Len(t, fs, 1)
	require.False(t, fs[0].OK)
	require.Contains(t, fs[0].Problem, "no supported browser")
}

func TestDiagnoseBadRecordAndConfig(t *testing.T) {
	env := testEnv(t, "linux", nil)
	require.NoError(t, os.MkdirAll(env.ConfigDir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(env.ConfigDir, RecordFile), []byte("["), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(env.ConfigDir, "config.json"), []byte(`{"extension_ids": 5}`), 0o600))
	fs := Diagnose(env)
	require.Len(t, fs, 2)
	require.Contains(t, fs[0].Problem, "installed.json")
	require.Contains(t, fs[1].Problem, "extension_ids")
}
