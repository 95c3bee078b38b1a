package native

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

// realKeyringEnv is testEnv over the real Secret Service. It runs under
// scripts/with-keyring.sh (TOKENBRIDGE_TEST_KEYRING=1) and in CI, where a
// missing keyring fails; elsewhere it skips.
func realKeyringEnv(t *testing.T) *Env {
	t.Helper()
	if os.Getenv("TOKENBRIDGE_TEST_KEYRING") == "" && os.Getenv("CI") == "" {
		t.Skip("real keyring tests run under scripts/with-keyring.sh (TOKENBRIDGE_TEST_KEYRING=1)")
	}
	env, _ := testEnv(t)
	env.Vault = vault.New(secretstore.Open(), index.Open(filepath.Join(t.TempDir(), "index.json")))
	return env
}

// Concurrent deletes of one token: one answers deleted, every other
// not_found — never internal with the keyring's D-Bus text.
func TestConcurrentDeletesRealKeyring(t *testing.T) {
	env := realKeyringEnv(t)
	for round := 0; round < 10; round++ {
		secret := fmt.Sprintf("%s%04d%d", tok1[:80], round, time.Now().UnixNano()%1000)
		st := call(t, env, storeReq(secret))
		require.True(t, st.OK, "%+v", st.Error)
		id := st.Token.ID
		const n = 6
		codes := make([]string, n)
		msgs := make([]string, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, _, err := Handle(context.Background(), env, []byte(fmt.Sprintf(`{"id":"d%d","cmd":"delete","token_id":%q}`, i, id)))
				if err != nil {
					e := codeFor(err)
					codes[i], msgs[i] = e.Code, e.Message
				}
			}(i)
		}
		wg.Wait()
		ok := 0
		for i, c := range codes {
			switch c {
			case "":
				ok++
			case CodeNotFound:
			default:
				t.Fatalf("round %d: delete %d answered %s: %s", round, i, c, msgs[i])
			}
		}
		require.Equal(t, 1, ok, "exactly one delete succeeds: %v", codes)
		_, err := env.Vault.Secrets.Get("tinvest/" + id)
		require.ErrorIs(t, err, secretstore.ErrNotFound)
	}
}
