package vault

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/limits"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
	"github.com/tokenbridge/tokenbridge/host/tinvest"
	"github.com/tokenbridge/tokenbridge/host/tinvest/tinvestfake"
)

func newValidateClient(t *testing.T, srv *tinvestfake.Server, now time.Time) *tinvest.Client {
	t.Helper()
	c, err := tinvest.New(tinvest.Config{ProdURL: srv.ProdURL, SandboxURL: srv.SandboxURL, Timeout: time.Second})
	require.NoError(t, err)
	c.Now = func() time.Time { return now }
	c.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	return c
}

func TestValidate(t *testing.T) {
	stored := time.Date(2026, 8, 1, 10, 0, 0, 0, time.UTC)
	checked := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)

	srv := tinvestfake.NewServer(map[string]tinvestfake.Token{
		testToken(101): {Access: tinvestfake.Full},
		testToken(102): {Access: tinvestfake.ReadOnly, AccountID: "2000123456"},
		testToken(103): {Sandbox: true},
		testToken(105): {Fault: tinvestfake.FaultInternal},
		testToken(106): {Fault: tinvestfake.FaultMalformed},
		testToken(107): {Access: tinvestfake.NoAccess},
		// testToken(104) is unknown: 40003 on both hosts.
	})
	defer srv.Close()

	tests := []struct {
		name      string
		secret    string
		kind      string
		wantRes   tinvest.Result
		wantKind  string
		wantAccts int
		used      bool // last_used_at moves to the check time
		msg       string
	}{
		{"full access", testToken(101), KindUnknown, tinvest.ResultFullAccess, KindFullAccess, 2, true, "full-access"},
		{"readonly account-scoped", testToken(102), KindFullAccess, tinvest.ResultReadonly, KindReadonly, 1, true, "read-only"},
		{"sandbox", testToken(103), KindUnknown, tinvest.ResultSandbox, KindSandbox, 1, true, "sandbox"},
		{"expired keeps kind", testToken(104), KindFullAccess, tinvest.ResultInvalid, KindFullAccess, 0, false, tinvest.SettingsURL},
		{"no access keeps kind", testToken(107), KindReadonly, tinvest.ResultNoAccess, KindReadonly, 2, true, "no access"},
		{"server error keeps kind", testToken(105), KindReadonly, tinvest.ResultUpstream, KindReadonly, 0, false, "HTTP 500"},
		{"malformed answer keeps kind", testToken(106), KindUnknown, tinvest.ResultUpstream, KindUnknown, 0, false, "malformed JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.Reset()
			v, _ := newTestVault(t)
			v.Now = func() time.Time { return stored }
			tok, _, err := v.Store(StoreInput{Provider: ProviderTInvest, Secret: tc.secret, Kind: tc.kind})
			require.NoError(t, err)

			v.Now = func() time.Time { return checked }
			got, err := v.Validate(context.Background(), tok.ID, newValidateClient(t, srv, checked))
			require.NoError(t, err)

			require.NotNil(t, got.Validation)
			require.Equal(t, string(tc.wantRes), got.Validation.Result)
			require.Equal(t, checked, got.Validation.CheckedAt)
			require.Contains(t, got.Validation.Message, tc.msg)
			require.Len(t, got.Validation.Accounts, tc.wantAccts)
			require.Equal(t, tc.wantKind, got.Kind)
			if tc.used {
				require.Equal(t, checked, got.LastUsedAt)
			} else {
				require.Equal(t, stored, got.LastUsedAt)
			}

			// Persisted, and the index never holds the secret.
			again, err := v.Token(tok.ID)
			require.NoError(t, err)
			require.Equal(t, got, again)
			raw, err := os.ReadFile(v.Index.Path())
			require.NoError(t, err)
			require.NotContains(t, string(raw), tc.secret)
			require.Empty(t, srv.Violations())
		})
	}
}

func TestValidateFreshTokenRetried(t *testing.T) {
	now := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	srv := tinvestfake.NewServer(map[string]tinvestfake.Token{
		testToken(110): {Access: tinvestfake.Full, Fault: tinvestfake.FaultUnauthenticated, FaultTimes: 2},
	})
	defer srv.Close()
	v, _ := newTestVault(t)
	v.Now = func() time.Time { return now }
	tok, _, err := v.Store(StoreInput{Provider: ProviderTInvest, Secret: testToken(110)})
	require.NoError(t, err)

	// Checked 20 s after capture: the two 40003 answers are retried.
	got, err := v.Validate(context.Background(), tok.ID, newValidateClient(t, srv, now.Add(20*time.Second)))
	require.NoError(t, err)
	require.Equal(t, string(tinvest.ResultFullAccess), got.Validation.Result)
	require.Equal(t, KindFullAccess, got.Kind)
	require.Equal(t, 3, srv.CountRPC("prod", tinvest.RPCGetAccounts))
}

func TestValidateErrors(t *testing.T) {
	srv := tinvestfake.NewServer(nil)
	defer srv.Close()
	c := newValidateClient(t, srv, time.Now())
	ctx := context.Background()

	v, mem := newTestVault(t)
	_, err := v.Validate(ctx, "tok_0000000000000000", c)
	require.ErrorIs(t, err, ErrNotFound)

	tok, _, err := v.Store(StoreInput{Provider: ProviderTInvest, Secret: testToken(120)})
	require.NoError(t, err)
	_, err = v.Validate(ctx, tok.ID, nil)
	require.ErrorIs(t, err, ErrNoChecker)

	mem.FailWith = secretstore.ErrLocked
	_, err = v.Validate(ctx, tok.ID, c)
	require.ErrorIs(t, err, secretstore.ErrLocked)
	mem.FailWith = nil
	after, err := v.Token(tok.ID)
	require.NoError(t, err)
	require.Nil(t, after.Validation)

	gen, _, err := v.Store(StoreInput{Provider: ProviderGeneric, Secret: "some-api-key"})
	require.NoError(t, err)
	_, err = v.Validate(ctx, gen.ID, c)
	require.ErrorIs(t, err, ErrInvalid)

	// The keyring lost the secret: not found, with the doctor hint.
	require.NoError(t, mem.Delete(SecretKey(tok)))
	_, err = v.Validate(ctx, tok.ID, c)
	require.ErrorIs(t, err, ErrNotFound)
	require.ErrorContains(t, err, "doctor")

	require.Empty(t, srv.Calls(), "nothing reached the API")
}

func TestClipBoundsServerText(t *testing.T) {
	long := strings.Repeat("я", limits.MaxVerdictText) // 2 bytes each
	for _, tc := range []struct {
		name, in string
	}{
		{"short", "token accepted"},
		{"exact", strings.Repeat("a", limits.MaxVerdictText)},
		{"long multibyte", long},
		{"long ascii", strings.Repeat("a", 5000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := clip(tc.in)
			require.LessOrEqual(t, len(out), limits.MaxVerdictText)
			require.True(t, utf8.ValidString(out))
			if len(tc.in) <= limits.MaxVerdictText {
				require.Equal(t, tc.in, out)
			} else {
				require.True(t, strings.HasSuffix(out, "…"))
			}
		})
	}
}
