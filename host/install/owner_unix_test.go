//go:build !windows

package install

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSystemBinaryProblemUnix(t *testing.T) {
	sh, err := filepath.EvalSymlinks("/bin/sh")
	require.NoError(t, err)
	require.NoError(t, systemBinaryProblem(sh), "a root-owned system binary in root-owned directories is accepted")

	root := os.Geteuid() == 0
	tests := []struct {
		name  string
		setup func(t *testing.T, dir, bin string)
		blame func(dir, bin string) string // the path the error must name
		want  string
		// dirCase: a directory is to blame, which only root can show; the
		// binary a normal user wrote is blamed first for its owner.
		dirCase bool
	}{
		{
			name:  "binary writable by others",
			setup: func(t *testing.T, dir, bin string) { require.NoError(t, os.Chmod(bin, 0o757)) },
			blame: func(dir, bin string) string { return bin }, want: "writable by its group or by others (mode 0757)",
		},
		{
			name:  "binary writable by group",
			setup: func(t *testing.T, dir, bin string) { require.NoError(t, os.Chmod(bin, 0o775)) },
			blame: func(dir, bin string) string { return bin }, want: "mode 0775",
		},
		{
			name: "binary owned by another user",
			setup: func(t *testing.T, dir, bin string) {
				if root {
					require.NoError(t, os.Chown(bin, 65534, 65534))
				} // otherwise the test user (not root) already owns it
			},
			blame: func(dir, bin string) string { return bin }, want: "owned by uid",
		},
		{
			name:  "parent directory writable by others",
			setup: func(t *testing.T, dir, bin string) { require.NoError(t, os.Chmod(dir, 0o777)) },
			blame: func(dir, bin string) string { return dir }, want: "mode 0777", dirCase: true,
		},
		{
			name:  "grandparent directory writable by group",
			setup: func(t *testing.T, dir, bin string) { require.NoError(t, os.Chmod(filepath.Dir(dir), 0o770)) },
			blame: func(dir, bin string) string { return filepath.Dir(dir) }, want: "mode 0770", dirCase: true,
		},
		{
			name: "parent directory owned by another user",
			setup: func(t *testing.T, dir, bin string) {
				if root {
					require.NoError(t, os.Chown(dir, 65534, 65534))
				}
			},
			blame: func(dir, bin string) string { return dir }, want: "owned by uid 65534", dirCase: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "bin")
			require.NoError(t, os.Mkdir(dir, 0o755))
			require.NoError(t, os.Chmod(dir, 0o755))
			bin := filepath.Join(dir, "tokenbridge")
			require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755))
			require.NoError(t, os.Chmod(bin, 0o755))
			tc.setup(t, dir, bin)
			blame, want := tc.blame(dir, bin), tc.want
			if tc.dirCase && !root {
				blame, want = bin, "owned by uid"
			}
			err := systemBinaryProblem(bin)
			require.ErrorIs(t, err, ErrReplaceableBinary)
			require.ErrorContains(t, err, blame+" is ")
			require.ErrorContains(t, err, want)
		})
	}
}
