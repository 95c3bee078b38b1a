package moex

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// damagedStore answers ErrDamaged for the listed keys until they are
// deleted, as a chunked item with a lost chunk does.
type damagedStore struct {
	secretstore.Store
	damaged map[string]bool
}

func (s *damagedStore) Get(key string) (string, error) {
	if s.damaged[key] {
		return "", fmt.Errorf("secret %q: %w: chunk 2 of 3 is missing", key, secretstore.ErrDamaged)
	}
	return s.Store.Get(key)
}

func (s *damagedStore) Delete(key string) error {
	delete(s.damaged, key)
	return s.Store.Delete(key)
}

func TestDamagedCachedTokenIsDroppedNotFatal(t *testing.T) {
	for _, tc := range []struct {
		name    string
		damaged []string
		source  string
	}{
		{"access token", []string{"moex/main/access_token"}, "refresh"},
		{"refresh token", []string{"moex/main/refresh_token"}, "grant"},
		{"both", []string{"moex/main/access_token", "moex/main/refresh_token"}, "grant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.addPassword(t, "main", nil)
			_, err := f.m.Token(context.Background(), "main", TokenOptions{})
			require.NoError(t, err)
			f.clock.Add(10 * time.Minute) // the cached access token is stale: it must be read

			d := &damagedStore{Store: f.store, damaged: map[string]bool{}}
			for _, k := range tc.damaged {
				d.damaged[k] = true
			}
			f.m.Secrets = d
			tok, err := f.m.Token(context.Background(), "main", TokenOptions{})
			require.NoError(t, err, "a damaged cache item costs a sign-in, never the request")
			require.Equal(t, tc.source, tok.Source)
			require.Empty(t, d.damaged, "the damaged items were dropped")
			require.Equal(t, tok.AccessToken, f.secret(t, "moex/main/access_token"))
			require.Equal(t, testPassword, f.secret(t, "moex/main/password"), "credentials untouched")
		})
	}
}
