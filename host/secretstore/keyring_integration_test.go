package secretstore

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// RequireRealKeyring fails the test in CI (or when TOKENBRIDGE_TEST_KEYRING is
// set) if no Secret Service answers; locally, without either, it skips.
// scripts/test.sh runs the suite inside a private D-Bus session with an
// unlocked gnome-keyring and sets TOKENBRIDGE_TEST_KEYRING=1.
func requireRealKeyring(t *testing.T) Store {
	t.Helper()
	if os.Getenv("TOKENBRIDGE_TEST_KEYRING") == "" && os.Getenv("CI") == "" {
		t.Skip("real keyring tests run under scripts/with-keyring.sh (TOKENBRIDGE_TEST_KEYRING=1)")
	}
	s := Open()
	probe := fmt.Sprintf("test/probe-%d", time.Now().UnixNano())
	require.NoError(t, s.Set(probe, "probe"), "a real unlocked Secret Service is required: run via scripts/with-keyring.sh")
	require.NoError(t, s.Delete(probe))
	return s
}

func TestRealKeyringRoundTrip(t *testing.T) {
	s := requireRealKeyring(t)
	tests := []struct{ name, secret string }{
		{"tinvest token", "t." + strings.Repeat("Ab9_-", 17) + "x"},
		{"one chunk", strings.Repeat("a", ChunkSize)},
		{"one byte over a chunk", strings.Repeat("b", ChunkSize+1)},
		{"6 KB secret", strings.Repeat("0123456789abcdef", 6<<10/16)},
		{"16 KiB (keyring value limit)", strings.Repeat("c", MaxSecret)},
		{"unicode", "пароль-密码"},
		{"unicode across chunk borders", "x" + strings.Repeat("пароль-密码", 600)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := fmt.Sprintf("test/rt-%d-%d", time.Now().UnixNano(), i)
			require.NoError(t, s.Set(key, tt.secret))
			got, err := s.Get(key)
			require.NoError(t, err)
			require.Equal(t, tt.secret, got)
			keys, err := s.(Lister).List()
			require.NoError(t, err)
			require.Contains(t, keys, key)
			for _, k := range keys {
				require.False(t, IsChunkKey(k))
			}
			require.NoError(t, s.Delete(key))
			_, err = s.Get(key)
			require.ErrorIs(t, err, ErrNotFound)
			keys, err = s.(Lister).List()
			require.NoError(t, err)
			for _, k := range keys {
				require.False(t, strings.HasPrefix(k, key), "leftover item %s", k)
			}
		})
	}
}

// godbus caches the session bus per process, so the "no keyring" case runs
// in a child process with a bus address that leads nowhere.
func TestRealKeyringUnavailable(t *testing.T) {
	if os.Getenv("TOKENBRIDGE_CHILD_UNAVAILABLE") == "1" {
		_, err := Open().Get("test/none")
		if !errors.Is(err, ErrUnavailable) {
			fmt.Printf("want ErrUnavailable, got %v\n", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	requireRealKeyring(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestRealKeyringUnavailable$")
	cmd.Env = append(os.Environ(), "TOKENBRIDGE_CHILD_UNAVAILABLE=1", "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
}
