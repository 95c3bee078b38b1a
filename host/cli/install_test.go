package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInstallUninstallCommands(t *testing.T) {
	t.Setenv("TOKENBRIDGE_HOME", t.TempDir())
	dir := filepath.Join(t.TempDir(), "NativeMessagingHosts")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"install help", []string{"install", "--help"}, ExitOK, "Usage: tokenbridge install", ""},
		{"uninstall help", []string{"uninstall", "-h"}, ExitOK, "Usage: tokenbridge uninstall", ""},
		{"unknown browser", []string{"install", "--browser", "safari"}, ExitUsage, "", "unknown browser"},
		{"bad extension id", []string{"install", "--dir", dir, "--extension-id", "nope"}, ExitUsage, "", "neither a Chromium ID"},
		{"install into dir", []string{"install", "--browser", "firefox", "--dir", dir}, ExitOK, "dev.tokenbridge.host.json", ""},
		{"uninstall dir", []string{"uninstall", "--dir", dir}, ExitOK, "Removed:", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Run(&Env{Stdin: bytes.NewReader(nil), Stdout: &out, Stderr: &errOut}, tc.args)
			require.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", out.String(), errOut.String())
			require.Contains(t, out.String(), tc.stdout)
			require.Contains(t, errOut.String(), tc.stderr)
		})
	}
	_, err := os.Stat(dir)
	require.True(t, os.IsNotExist(err), "uninstall removed the directory install created")
}
