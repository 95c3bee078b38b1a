package atomicfile

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteFile(t *testing.T) {
	tests := []struct {
		name    string
		old     []byte // nil: no file before
		data    []byte
		perm    os.FileMode
		wantErr bool
	}{
		{name: "creates a new file 0600", data: []byte("{\"a\":1}\n"), perm: 0o600},
		{name: "creates a new file 0644", data: []byte("manifest"), perm: 0o644},
		{name: "replaces an existing file", old: []byte("old contents, longer than new"), data: []byte("new"), perm: 0o600},
		{name: "tightens the mode of a replaced file", old: []byte("old"), data: []byte("new"), perm: 0o600},
		{name: "writes an empty file", old: []byte("old"), data: []byte{}, perm: 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "f.json")
			if tt.old != nil {
				require.NoError(t, os.WriteFile(p, tt.old, 0o666))
			}
			err := WriteFile(p, tt.data, tt.perm)
			require.NoError(t, err)
			got, err := os.ReadFile(p)
			require.NoError(t, err)
			require.Equal(t, tt.data, got)
			if runtime.GOOS != "windows" { // Windows has no Unix mode bits
				fi, err := os.Stat(p)
				require.NoError(t, err)
				require.Equal(t, tt.perm, fi.Mode().Perm())
			}
			requireOnly(t, dir, "f.json")
		})
	}
}

func TestWriteFileFailureLeavesTargetAlone(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the target path
		check func(t *testing.T, dir, p string)
	}{
		{
			name: "missing directory",
			setup: func(t *testing.T, dir string) string {
				return filepath.Join(dir, "absent", "f.json")
			},
			check: func(t *testing.T, dir, p string) {
				_, err := os.Stat(filepath.Dir(p))
				require.ErrorIs(t, err, os.ErrNotExist, "WriteFile must not create directories")
				requireOnly(t, dir)
			},
		},
		{
			name: "target is a non-empty directory",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "f.json")
				require.NoError(t, os.MkdirAll(filepath.Join(p, "inner"), 0o700))
				return p
			},
			check: func(t *testing.T, dir, p string) {
				fi, err := os.Stat(filepath.Join(p, "inner"))
				require.NoError(t, err)
				require.True(t, fi.IsDir())
				requireOnly(t, dir, "f.json")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := tt.setup(t, dir)
			err := WriteFile(p, []byte("data"), 0o600)
			require.Error(t, err)
			require.Contains(t, err.Error(), p, "the error names the file")
			tt.check(t, dir, p)
		})
	}
}

// requireOnly fails unless dir holds exactly names (no temp files left).
func requireOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	got := []string{}
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if names == nil {
		names = []string{}
	}
	require.ElementsMatch(t, names, got)
}
