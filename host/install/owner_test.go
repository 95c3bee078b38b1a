package install

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// install --system from a binary a non-root user can replace is refused
// before anything is written, with the commands that fix it; a per-user
// install of the same binary goes ahead.
func TestInstallSystemRefusesReplaceableBinary(t *testing.T) {
	env := testEnv(t, "linux", map[string]string{"chromium": "/usr/bin/chromium"})
	env.CheckSystemBinary = nil // the real check: the binary lives in a temp dir
	_, err := Install(env, Options{System: true})
	require.ErrorIs(t, err, ErrReplaceableBinary)
	require.ErrorContains(t, err, "sudo install -m 0755 "+env.Executable+" /usr/local/bin/tokenbridge")
	require.ErrorContains(t, err, "sudo /usr/local/bin/tokenbridge install --system")
	require.ErrorContains(t, err, ".deb/.rpm package")
	require.False(t, fileExists(filepath.Join(env.Root, "etc")), "nothing written")
	require.False(t, fileExists(filepath.Join(env.ConfigDir, RecordFile)))

	res, err := Install(env, Options{})
	require.NoError(t, err)
	require.Len(t, res.Entries, 1)
}

func TestSystemBinaryFixWindows(t *testing.T) {
	fix := systemBinaryFix("windows", `C:\Users\me\Downloads\tokenbridge.exe`)
	require.Contains(t, fix, `copy C:\Users\me\Downloads\tokenbridge.exe "%ProgramFiles%\tokenbridge\tokenbridge.exe"`)
	require.Contains(t, fix, `"%ProgramFiles%\tokenbridge\tokenbridge.exe" install --system`)
	require.NotContains(t, systemBinaryFix("darwin", "/Users/me/tokenbridge"), ".deb", "no Linux packages on macOS")
}

func TestUnderWindowsDir(t *testing.T) {
	dirs := []string{`C:\Program Files`, "", `C:\Program Files (x86)\`}
	tests := []struct {
		path string
		want bool
	}{
		{`C:\Program Files\tokenbridge\tokenbridge.exe`, true},
		{`c:/program files/tokenbridge/tokenbridge.exe`, true},
		{`C:\Program Files (x86)\tb\tokenbridge.exe`, true},
		{`C:\Program Files Evil\tokenbridge.exe`, false},
		{`C:\Program Files`, false},
		{`C:\Users\me\Downloads\tokenbridge.exe`, false},
		{`D:\tokenbridge.exe`, false},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, underWindowsDir(tc.path, dirs), tc.path)
	}
	require.False(t, underWindowsDir(`C:\x.exe`, []string{""}), "no Program Files known: nothing qualifies")
}
