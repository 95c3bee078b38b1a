package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/moex/keycloakfake"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// TestConcurrentTokenProcesses runs 20 real `tokenbridge moex token` processes at once against
// the fake endpoint (rotation with reuse rejection on) with an expired access token cached: all
// must succeed with one refresh between them. The processes share the real keyring, so this
// runs under scripts/with-keyring.sh (TOKENBRIDGE_TEST_KEYRING=1); in CI a missing keyring fails.
func TestConcurrentTokenProcesses(t *testing.T) {
	if os.Getenv("TOKENBRIDGE_TEST_KEYRING") == "" && os.Getenv("CI") == "" {
		t.Skip("needs a real shared keyring: run under scripts/with-keyring.sh (TOKENBRIDGE_TEST_KEYRING=1)")
	}
	store := secretstore.Open()
	probe := fmt.Sprintf("test/moex-proc-probe-%d", time.Now().UnixNano())
	require.NoError(t, store.Set(probe, "probe"), "a real unlocked Secret Service is required: run via scripts/with-keyring.sh")
	require.NoError(t, store.Delete(probe))

	tmp := t.TempDir()
	bin := filepath.Join(tmp, "tokenbridge")
	build := exec.Command("go", "build", "-o", bin, "github.com/tokenbridge/tokenbridge/host/cmd/tokenbridge")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run(), "build the tokenbridge binary")

	kc := keycloakfake.New()
	defer kc.Close()
	kc.AddClient("test_api", keycloakfake.Client{Secret: "proc-client-secret"})
	kc.AddUser("trader", keycloakfake.User{Password: "proc-password"})
	kc.SetPadding(1000) // realistic 2-3 KB JWT pairs
	kc.SetDelay(50 * time.Millisecond)

	home := filepath.Join(tmp, "home")
	dirs := config.Dirs{Home: home}
	m := moex.New(dirs, store, zerolog.Nop())
	name := fmt.Sprintf("proc-%d", time.Now().UnixNano()%1e9)
	t.Cleanup(func() { _ = m.Remove(name) })
	require.NoError(t, m.Add(moex.Profile{Name: name, Env: moex.EnvPlay, Grant: moex.GrantPassword,
		ClientID: "test_api", Username: "trader", TokenURL: kc.TokenURL()},
		moex.Credentials{ClientSecret: "proc-client-secret", Password: "proc-password"}, false))
	first, err := m.Token(context.Background(), name, moex.TokenOptions{})
	require.NoError(t, err)
	// Make the cached access token expired.
	require.NoError(t, moex.IndexProfiles{File: index.Open(dirs.Index())}.Modify(func(ps []moex.Profile) ([]moex.Profile, error) {
		for i := range ps {
			if ps[i].Name == name {
				ps[i].AccessExpiresAt = time.Now().Add(-time.Minute).UTC()
			}
		}
		return ps, nil
	}))
	require.Equal(t, 1, kc.Grants())
	kc.ResetRequests()

	const n = 20
	type result struct {
		out, errs string
		err       error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			cmd := exec.Command(bin, "moex", "token", name)
			cmd.Env = append(os.Environ(), "TOKENBRIDGE_HOME="+home)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			results[i] = result{out.String(), errb.String(), err}
		})
	}
	close(start)
	wg.Wait()

	var token string
	for i, r := range results {
		require.NoError(t, r.err, "process %d: %s", i, r.errs)
		tok := strings.TrimSuffix(r.out, "\n")
		require.NotContains(t, tok, "\n", "stdout holds only the token")
		require.NotEqual(t, first.AccessToken, tok, "the expired token is never handed out")
		if token == "" {
			token = tok
		}
		require.Equal(t, token, tok, "every process gets the one refreshed token")
		require.NotContains(t, r.errs, "proc-client-secret")
		require.NotContains(t, r.errs, "proc-password")
	}
	require.Equal(t, 1, kc.Refreshes(), "exactly one refresh for 20 processes")
	require.Equal(t, 1, kc.Grants(), "no fallback sign-in")
	reqs := kc.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, "refresh_token", reqs[0].Form.Get("grant_type"))
	require.Equal(t, 200, reqs[0].Status)
	saved, err := store.Get("moex/" + name + "/access_token")
	require.NoError(t, err)
	require.Equal(t, token, saved)
}
