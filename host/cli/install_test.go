package cli

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/install"
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

// testInstallEnv is an install.Env for Linux rooted in temp dirs, with no browser found.
func testInstallEnv(t *testing.T) install.Env {
	t.Helper()
	base := t.TempDir()
	exe := filepath.Join(base, "bin", "tokenbridge")
	require.NoError(t, os.MkdirAll(filepath.Dir(exe), 0o755))
	require.NoError(t, os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755))
	home := filepath.Join(base, "home")
	require.NoError(t, os.MkdirAll(home, 0o755))
	return install.Env{
		GOOS: "linux", Home: home, XDGConfigHome: filepath.Join(home, ".config"), Root: filepath.Join(base, "root"),
		Executable: exe, ConfigDir: filepath.Join(base, "config", "tokenbridge"),
		LookPath: func(string) (string, error) { return "", errors.New("not found") },
	}
}

func TestInstallFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want install.Options
	}{
		{"none", nil, install.Options{}},
		{"all flags", []string{"--browser", "chrome", "--system", "--extension-id", "a@b.c", "--extension-id=x@y.z,p@q.r"},
			install.Options{Browser: "chrome", System: true, ExtensionIDs: []string{"a@b.c", "x@y.z", "p@q.r"}}},
		{"dir", []string{"--dir", "/tmp/x", "--browser=firefox"}, install.Options{Browser: "firefox", Dir: "/tmp/x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("install", flag.ContinueOnError)
			installCmd.Flags(fs)
			pos, err := parseArgs(fs, tc.args, installCmd.Interspersed)
			require.NoError(t, err)
			require.Empty(t, pos)
			got := install.Options{
				Browser: fs.Lookup("browser").Value.String(), System: fs.Lookup("system").Value.String() == "true",
				Dir: fs.Lookup("dir").Value.String(), ExtensionIDs: []string(*fs.Lookup("extension-id").Value.(*listFlag)),
			}
			require.Equal(t, tc.want, got)
		})
	}
	// Refused before anything runs.
	for _, args := range [][]string{{"install", "--nope"}, {"install", "chrome"}, {"uninstall", "--extension-id", "a@b.c"}} {
		var out, errOut bytes.Buffer
		code := Run(&Env{Stdin: bytes.NewReader(nil), Stdout: &out, Stderr: &errOut}, args)
		require.Equal(t, ExitUsage, code, args)
		require.Empty(t, out.String(), args)
		require.Contains(t, errOut.String(), "Run `tokenbridge "+args[0]+" --help` for usage.", args)
	}
}

func TestRunInstallExitCodes(t *testing.T) {
	ienv := testInstallEnv(t)
	var out, errOut bytes.Buffer
	env := &Env{Stdin: bytes.NewReader(nil), Stdout: &out, Stderr: &errOut}
	require.Equal(t, ExitFailure, runInstall(env, ienv, install.Options{}))
	require.Contains(t, errOut.String(), "no supported browser found")

	errOut.Reset()
	require.Equal(t, ExitUsage, runInstall(env, ienv, install.Options{ExtensionIDs: []string{"bad"}}))
	require.Contains(t, errOut.String(), "--help")

	out.Reset()
	errOut.Reset()
	dir := filepath.Join(t.TempDir(), "NativeMessagingHosts")
	require.Equal(t, ExitOK, runInstall(env, ienv, install.Options{Dir: dir, ExtensionIDs: []string{"abcdefghijklmnopabcdefghijklmnop"}}))
	require.Empty(t, errOut.String())
	require.Contains(t, out.String(), filepath.Join(dir, install.ManifestFile))
	require.Contains(t, out.String(), "chrome-extension://abcdefghijklmnopabcdefghijklmnop/")
	require.Contains(t, out.String(), "tokenbridge doctor")

	out.Reset()
	require.Equal(t, ExitOK, runUninstall(env, ienv, install.Options{Dir: dir}))
	require.Contains(t, out.String(), filepath.Join(dir, install.ManifestFile))
	require.Equal(t, ExitUsage, runUninstall(env, ienv, install.Options{Browser: "safari"}))
}
