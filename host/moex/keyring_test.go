package moex

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// realKeyring returns the OS keyring. The tests using it run under scripts/with-keyring.sh
// (TOKENBRIDGE_TEST_KEYRING=1); in CI a missing keyring is a failure, never a skip.
func realKeyring(t *testing.T) secretstore.Store {
	t.Helper()
	if os.Getenv("TOKENBRIDGE_TEST_KEYRING") == "" && os.Getenv("CI") == "" {
		t.Skip("real keyring tests run under scripts/with-keyring.sh (TOKENBRIDGE_TEST_KEYRING=1)")
	}
	s := secretstore.Open()
	probe := fmt.Sprintf("test/moex-probe-%d", time.Now().UnixNano())
	require.NoError(t, s.Set(probe, "probe"), "a real unlocked Secret Service is required: run via scripts/with-keyring.sh")
	require.NoError(t, s.Delete(probe))
	return s
}

func TestRealKeyringProfileAndLargeJWTPair(t *testing.T) {
	store := realKeyring(t)
	f := newFixture(t)
	f.kc.SetPadding(1200)
	home := t.TempDir()
	m := New(config.Dirs{Home: home}, store, f.m.Log)
	m.Now = f.clock.Now
	name := fmt.Sprintf("kr-%d", time.Now().UnixNano()%1e9)
	t.Cleanup(func() { _ = m.Remove(name) })

	p := Profile{Name: name, Env: EnvPlay, Grant: GrantPassword, ClientID: "test_api", Username: "trader", TokenURL: f.kc.TokenURL()}
	require.NoError(t, m.Add(p, Credentials{ClientSecret: testSecret, Password: testPassword}, false))
	got, err := store.Get(keyClientSecret(name))
	require.NoError(t, err)
	require.Equal(t, testSecret, got)
	got, err = store.Get(keyPassword(name))
	require.NoError(t, err)
	require.Equal(t, testPassword, got)

	tok, err := m.Token(context.Background(), name, TokenOptions{})
	require.NoError(t, err)
	access, err := store.Get(keyAccess(name))
	require.NoError(t, err)
	refresh, err := store.Get(keyRefresh(name))
	require.NoError(t, err)
	require.Equal(t, tok.AccessToken, access)
	require.Greater(t, len(access)+len(refresh), 2560, "a JWT pair larger than the Windows per-item limit")
	require.FileExists(t, filepath.Join(home, "state", "locks", "moex-"+name+".lock"))

	// Rotation through the real keyring.
	f.clock.Add(250 * time.Second)
	tok2, err := m.Token(context.Background(), name, TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, "refresh", tok2.Source)
	refresh2, err := store.Get(keyRefresh(name))
	require.NoError(t, err)
	require.NotEqual(t, refresh, refresh2)

	require.NoError(t, m.Remove(name))
	for _, k := range []string{keyAccess(name), keyRefresh(name), keyPassword(name), keyClientSecret(name)} {
		_, err := store.Get(k)
		require.ErrorIs(t, err, secretstore.ErrNotFound, k)
	}
}
