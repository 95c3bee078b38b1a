package moex

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// Add keeps the profile's non-secret settings in its own keyring item, from which the profile
// can be rebuilt exactly; the item holds no secret, and rm removes it.
func TestProfileRecordRebuildsSettings(t *testing.T) {
	tests := []struct {
		name   string
		p      Profile
		cred   Credentials
		public bool
	}{
		{name: "pw", p: Profile{Name: "pw", Env: EnvPlay, Grant: GrantPassword, ClientID: "test_api", Username: "trader", Scope: "openid", AuthStyle: AuthBasic},
			cred: Credentials{ClientSecret: testSecret, Password: testPassword}},
		{name: "svc", p: Profile{Name: "svc", Env: EnvProduction, Grant: GrantClientCredentials, ClientID: "test_api"},
			cred: Credentials{ClientSecret: testSecret}},
		{name: "public", p: Profile{Name: "public", Env: EnvPlay, Grant: GrantPassword, ClientID: "pub", Username: "trader", Legacy: true},
			cred: Credentials{Password: testPassword}, public: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.p.TokenURL = f.kc.TokenURL()
			require.NoError(t, f.m.Add(tt.p, tt.cred, false))
			want, err := f.m.Get(tt.p.Name)
			require.NoError(t, err)
			require.Equal(t, tt.public, *want.PublicClient)

			raw := f.secret(t, "moex/"+tt.p.Name+"/profile")
			require.NotContains(t, raw, testSecret)
			require.NotContains(t, raw, testPassword)
			for _, field := range []string{`"env"`, `"grant"`, `"client_id"`, `"token_url"`, `"public_client"`} {
				require.Contains(t, raw, field)
			}
			got, err := ReadRecord(f.store, tt.p.Name)
			require.NoError(t, err)
			require.Equal(t, want, got)
			ok, err := RecordMatches(raw, want)
			require.NoError(t, err)
			require.True(t, ok)
			want.ClientID += "x"
			ok, err = RecordMatches(raw, want)
			require.NoError(t, err)
			require.False(t, ok, "a changed setting does not match")

			require.NoError(t, f.m.Remove(tt.p.Name))
			_, err = ReadRecord(f.store, tt.p.Name)
			require.ErrorIs(t, err, secretstore.ErrNotFound)
			require.Zero(t, f.store.Len())
		})
	}
}

// A profile written by an older tokenbridge (no settings item, client kind unknown) gets both
// at its next sign-in.
func TestOlderProfileGetsRecordOnNextWrite(t *testing.T) {
	f := newFixture(t)
	f.addPassword(t, "old", nil)
	require.NoError(t, f.store.Delete("moex/old/profile"))
	require.NoError(t, f.m.Profiles.Modify(func(ps []Profile) ([]Profile, error) {
		ps[0].PublicClient = nil
		return ps, nil
	}))
	_, err := f.m.Token(context.Background(), "old", TokenOptions{})
	require.NoError(t, err)
	p, err := f.m.Get("old")
	require.NoError(t, err)
	require.NotNil(t, p.PublicClient)
	require.False(t, *p.PublicClient, "it signed in with its secret: a confidential client")
	got, err := ReadRecord(f.store, "old")
	require.NoError(t, err)
	p.ObtainedAt, p.AccessExpiresAt, p.RefreshExpiresAt, p.TokenType, p.TokenScope = got.ObtainedAt, got.AccessExpiresAt, got.RefreshExpiresAt, got.TokenType, got.TokenScope
	require.Equal(t, p, got)
}

// A missing client secret is never sent as a public client: the error names the item and the
// fix, and nothing reaches the server. A profile from an older tokenbridge (kind unknown) that
// is refused without a secret is told the same, not that the secret is wrong.
func TestMissingClientSecret(t *testing.T) {
	f := newFixture(t)
	f.addPassword(t, "conf", nil)
	require.NoError(t, f.store.Delete("moex/conf/client_secret"))
	_, err := f.m.Token(context.Background(), "conf", TokenOptions{})
	require.Equal(t, CodeNoCredentials, ErrorCode(err), err)
	require.ErrorContains(t, err, "moex/conf/client_secret")
	require.ErrorContains(t, err, "tokenbridge moex add conf --force")
	require.Empty(t, f.kc.Requests())

	require.NoError(t, f.m.Profiles.Modify(func(ps []Profile) ([]Profile, error) {
		ps[0].PublicClient = nil
		return ps, nil
	}))
	_, err = f.m.Token(context.Background(), "conf", TokenOptions{})
	require.Equal(t, CodeBadClient, ErrorCode(err), err)
	require.ErrorContains(t, err, "without a client secret")
	require.ErrorContains(t, err, "moex/conf/client_secret")
	require.ErrorContains(t, err, "tokenbridge moex add conf --force")
	p, err := f.m.Get("conf")
	require.NoError(t, err)
	require.Nil(t, p.PublicClient, "a failed sign-in teaches nothing")
}

func TestParseItemKey(t *testing.T) {
	for key, want := range map[string][2]string{"moex/a/password": {"a", "password"}, "moex/a-b/profile": {"a-b", "profile"}} {
		n, k, ok := ParseItemKey(key)
		require.True(t, ok, key)
		require.Equal(t, want, [2]string{n, k})
	}
	for _, key := range []string{"tinvest/x", "moex/", "moex/a", "moex//x"} {
		_, _, ok := ParseItemKey(key)
		require.False(t, ok, key)
	}
	var r record
	require.NoError(t, json.Unmarshal([]byte(`{"v":1,"profile":{"name":"x"}}`), &r))
	require.True(t, strings.HasPrefix(ItemKey("x", ItemProfile), "moex/x/"))
}
