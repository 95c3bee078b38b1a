package install

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeRegistry is an in-memory Windows registry keyed by "HKCU\..." names.
type fakeRegistry struct{ keys map[string]string }

func newFakeRegistry() *fakeRegistry { return &fakeRegistry{keys: map[string]string{}} }

func regName(system bool, key string) string {
	if system {
		return `HKLM\` + key
	}
	return `HKCU\` + key
}

func (r *fakeRegistry) SetManifestPath(system bool, key, p string) error {
	r.keys[regName(system, key)] = p
	return nil
}

func (r *fakeRegistry) ManifestPath(system bool, key string) (string, error) {
	v, ok := r.keys[regName(system, key)]
	if !ok {
		return "", ErrKeyNotFound
	}
	return v, nil
}

func (r *fakeRegistry) DeleteKey(system bool, key string) error {
	delete(r.keys, regName(system, key))
	return nil
}

// testEnv builds an Env for goos rooted in temp dirs, with a fake
// executable and a PATH of the given programs (name -> path).
func testEnv(t *testing.T, goos string, path map[string]string) Env {
	t.Helper()
	base := t.TempDir()
	home := filepath.Join(base, "home")
	root := filepath.Join(base, "root")
	require.NoError(t, os.MkdirAll(home, 0o755))
	require.NoError(t, os.MkdirAll(root, 0o755))
	binDir := filepath.Join(base, "bin")
	require.NoError(t, os.MkdirAll(binDir, 0o755))
	exe := filepath.Join(binDir, "tokenbridge")
	require.NoError(t, os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755))
	exe, err := filepath.EvalSymlinks(exe)
	require.NoError(t, err)
	env := Env{
		GOOS:       goos,
		Home:       home,
		Root:       root,
		Executable: exe,
		ConfigDir:  filepath.Join(base, "config", "tokenbridge"),
		// The temp binary is user-replaceable: --system tests that are not
		// about that accept it; owner_test.go tests the real check.
		CheckSystemBinary: func(string) error { return nil },
		LookPath: func(name string) (string, error) {
			if p, ok := path[name]; ok {
				return p, nil
			}
			return "", errors.New("not found")
		},
	}
	switch goos {
	case "linux":
		env.XDGConfigHome = filepath.Join(home, ".config")
	case "windows":
		env.LocalAppData = filepath.Join(home, "AppData", "Local")
		env.AppData = filepath.Join(home, "AppData", "Roaming")
		env.ProgramData = filepath.Join(root, "ProgramData")
		env.Registry = newFakeRegistry()
	}
	return env
}

func mkdir(t *testing.T, parts ...string) string {
	t.Helper()
	p := filepath.Join(parts...)
	require.NoError(t, os.MkdirAll(p, 0o755))
	return p
}

func readManifest(t *testing.T, p string) Manifest {
	t.Helper()
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	var m Manifest
	require.NoError(t, json.Unmarshal(data, &m), "manifest %s must be valid JSON", p)
	return m
}

func fileExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// findingFor returns the findings whose Path contains sub.
func findingsFor(fs []Finding, browser string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Browser == browser {
			out = append(out, f)
		}
	}
	return out
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }
