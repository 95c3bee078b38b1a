package install

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		ids  bool
		code int
		ok   bool
		want Options
	}{
		{"none", nil, true, ExitOK, true, Options{}},
		{"all flags", []string{"--browser", "chrome", "--system", "--extension-id", "a@b.c", "--extension-id=x@y.z,p@q.r"}, true, ExitOK, true,
			Options{Browser: "chrome", System: true, ExtensionIDs: []string{"a@b.c", "x@y.z", "p@q.r"}}},
		{"dir", []string{"--dir", "/tmp/x", "--browser=firefox"}, true, ExitOK, true, Options{Browser: "firefox", Dir: "/tmp/x"}},
		{"help", []string{"--help"}, true, ExitOK, false, Options{}},
		{"unknown flag", []string{"--nope"}, true, ExitUsage, false, Options{}},
		{"stray arg", []string{"chrome"}, true, ExitUsage, false, Options{}},
		{"uninstall has no extension-id", []string{"--extension-id", "a@b.c"}, false, ExitUsage, false, Options{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			opts, code, ok := parseFlags("install", InstallUsage, tc.args, tc.ids, &stdout, &stderr)
			require.Equal(t, tc.code, code)
			require.Equal(t, tc.ok, ok)
			if tc.ok {
				if tc.want.ExtensionIDs == nil {
					tc.want.ExtensionIDs = opts.ExtensionIDs
				}
				require.Equal(t, tc.want, opts)
				require.Empty(t, stderr.String())
			} else if tc.code == ExitOK {
				require.Contains(t, stdout.String(), "Usage: tokenbridge install")
			} else {
				require.NotEmpty(t, stderr.String())
			}
		})
	}
}

func TestRunInstallEnvExitCodes(t *testing.T) {
	env := testEnv(t, "linux", nil)
	var out, errOut bytes.Buffer
	require.Equal(t, ExitProblem, RunInstallEnv(env, Options{}, &out, &errOut))
	require.Contains(t, errOut.String(), "no supported browser found")

	errOut.Reset()
	require.Equal(t, ExitUsage, RunInstallEnv(env, Options{ExtensionIDs: []string{"bad"}}, &out, &errOut))
	require.Contains(t, errOut.String(), "--help")

	out.Reset()
	errOut.Reset()
	dir := filepath.Join(t.TempDir(), "NativeMessagingHosts")
	require.Equal(t, ExitOK, RunInstallEnv(env, Options{Dir: dir, ExtensionIDs: []string{"abcdefghijklmnopabcdefghijklmnop"}}, &out, &errOut))
	require.Empty(t, errOut.String())
	require.Contains(t, out.String(), filepath.Join(dir, ManifestFile))
	require.Contains(t, out.String(), "chrome-extension://abcdefghijklmnopabcdefghijklmnop/")
	require.Contains(t, out.String(), "tokenbridge doctor")

	out.Reset()
	require.Equal(t, ExitOK, RunUninstallEnv(env, Options{Dir: dir}, &out, &errOut))
	require.Contains(t, out.String(), filepath.Join(dir, ManifestFile))
	require.Equal(t, ExitUsage, RunUninstallEnv(env, Options{Browser: "safari"}, &out, &errOut))
}
