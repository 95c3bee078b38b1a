package secretstore

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestChunkingShrinkDropsOldChunks(t *testing.T) {
	mem := NewMemory()
	s := WithChunking(mem, ChunkSize)
	require.NoError(t, s.Set("moex/a/refresh_token", strings.Repeat("x", 3*ChunkSize)))
	require.Equal(t, 4, mem.Len())
	require.NoError(t, s.Set("moex/a/refresh_token", "short"))
	require.Equal(t, 1, mem.Len())
	got, err := s.Get("moex/a/refresh_token")
	require.NoError(t, err)
	require.Equal(t, "short", got)
}

func TestChunkingDetectsDamage(t *testing.T) {
	mem := NewMemory()
	s := WithChunking(mem, ChunkSize)
	require.NoError(t, s.Set("k", strings.Repeat("x", 2*ChunkSize)))
	require.NoError(t, mem.Set(chunkKey("k", 1), "tampered"))
	_, err := s.Get("k")
	require.ErrorIs(t, err, ErrDamaged)
	require.ErrorContains(t, err, "checksum")
	// A missing chunk is damage, not a missing secret.
	require.NoError(t, mem.Delete(chunkKey("k", 0)))
	_, err = s.Get("k")
	require.ErrorIs(t, err, ErrDamaged)
	require.NotErrorIs(t, err, ErrNotFound)
	require.ErrorContains(t, err, "chunk 1 of 2 is missing")
}

func TestLimitsAndKeys(t *testing.T) {
	s := WithChunking(NewMemory(), ChunkSize)
	require.ErrorIs(t, s.Set("k", strings.Repeat("x", MaxSecret+1)), ErrTooLarge)
	for _, bad := range []string{"", "UPPER", "../x", "a b", strings.Repeat("a", 200), "a\n"} {
		require.ErrorIs(t, s.Set(bad, "v"), ErrBadKey, bad)
	}
}

type slowStore struct{ Store }

func (slowStore) Get(string) (string, error) { time.Sleep(time.Second); return "late", nil }

func TestTimeout(t *testing.T) {
	s := WithTimeout(slowStore{NewMemory()}, 20*time.Millisecond)
	_, err := s.Get("k")
	require.ErrorIs(t, err, ErrTimeout)
	require.NoError(t, s.Set("k", "v"))
}

func TestTimeoutFromEnv(t *testing.T) {
	for in, want := range map[string]time.Duration{"": DefaultTimeout, "2s": 2 * time.Second, "1ms": DefaultTimeout, "1h": DefaultTimeout, "x": DefaultTimeout} {
		require.Equal(t, want, TimeoutFromEnv(in), in)
	}
}

func TestMemoryFailWith(t *testing.T) {
	m := NewMemory()
	m.FailWith = ErrLocked
	require.ErrorIs(t, m.Set("k", "v"), ErrLocked)
	_, err := m.Get("k")
	require.ErrorIs(t, err, ErrLocked)
}

func TestClassify(t *testing.T) {
	tests := []struct {
		in   error
		want error
	}{
		{errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), ErrLocked},
		{errors.New("The name org.freedesktop.secrets was not provided by any .service files"), ErrUnavailable},
		{errors.New("dbus: DBUS_SESSION_BUS_ADDRESS not set"), ErrUnavailable},
		// An item deleted between go-keyring's search and its call.
		{errors.New("No such interface “org.freedesktop.Secret.Item” on object at path /org/freedesktop/secrets/collection/login/2"), ErrNotFound},
		{errors.New("Object does not exist at path “/org/freedesktop/secrets/collection/login/7”: No such object"), ErrNotFound},
	}
	for _, tt := range tests {
		require.ErrorIs(t, classify("get", tt.in), tt.want, tt.in.Error())
	}
	require.NoError(t, classify("get", nil))
}

// CheckKey is a byte loop (regexp stays out of the host: cold start, issue 11);
// it accepts exactly what the regexp it replaced accepted.
func FuzzCheckKeyMatchesTheRegexp(f *testing.F) {
	old := regexp.MustCompile(`^[a-z0-9][a-z0-9_./#-]*$`)
	for _, k := range []string{"", "a", "0", "_a", ".a", "-", "tinvest/tok_0123456789abcdef", "moex/prod#1.chunk-2", "a_b.c/d#e-f",
		"UPPER", "aB", "../x", "a b", "a\n", "a\x00", "é", "aé", strings.Repeat("a", 128), strings.Repeat("a", 129), "a/" + strings.Repeat("9", 126)} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		require.Equal(t, len(key) <= 128 && old.MatchString(key), CheckKey(key) == nil, "CheckKey(%q)", key)
	})
}
