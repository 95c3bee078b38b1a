package vault

import (
	"context"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/tinvest"
	"github.com/tokenbridge/tokenbridge/host/tinvest/tinvestfake"
)

// A failed check (5xx, rate limit, network, certificate) never overwrites a definite
// verdict: it is recorded as last_failure beside it; the next definite verdict clears it.
func TestValidateFailureKeepsVerdict(t *testing.T) {
	first := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	later := first.Add(5 * 24 * time.Hour)
	secret := testToken(130)

	srv := tinvestfake.NewServer(nil)
	defer srv.Close()

	tlsSrv := httptest.NewTLSServer(tinvestfake.New(map[string]tinvestfake.Token{secret: {Access: tinvestfake.Full}}).Handler())
	defer tlsSrv.Close()
	certClient := func(t *testing.T) Checker {
		c, err := tinvest.New(tinvest.Config{ProdURL: tlsSrv.URL + "/prod/rest", SandboxURL: tlsSrv.URL + "/sandbox/rest", Timeout: 2 * time.Second})
		require.NoError(t, err)
		c.Now = func() time.Time { return later }
		return c
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	down := "http://" + ln.Addr().String() + "/rest"
	require.NoError(t, ln.Close()) // nothing listens there now
	downClient := func(t *testing.T) Checker {
		c, err := tinvest.New(tinvest.Config{ProdURL: down, SandboxURL: down, Timeout: time.Second})
		require.NoError(t, err)
		c.Now = func() time.Time { return later }
		return c
	}
	fakeClient := func(behaviour tinvestfake.Token) func(t *testing.T) Checker {
		return func(t *testing.T) Checker {
			srv.SetToken(secret, behaviour)
			return newValidateClient(t, srv, later)
		}
	}

	tests := []struct {
		name     string
		good     tinvestfake.Token // the first, definite verdict
		goodRes  tinvest.Result
		failing  func(t *testing.T) Checker
		code     string
		msg      string
		accounts int
	}{
		{"5xx after full access", tinvestfake.Token{Access: tinvestfake.Full}, tinvest.ResultFullAccess,
			fakeClient(tinvestfake.Token{Fault: tinvestfake.FaultInternal}), tinvest.CodeServer, "HTTP 500", 2},
		{"rate limit after readonly", tinvestfake.Token{Access: tinvestfake.ReadOnly, AccountID: "2000123456"}, tinvest.ResultReadonly,
			fakeClient(tinvestfake.Token{Fault: tinvestfake.FaultRateLimit}), tinvest.CodeRateLimited, "80002", 1},
		{"network after sandbox", tinvestfake.Token{Sandbox: true}, tinvest.ResultSandbox,
			downClient, tinvest.CodeNetwork, "cannot reach the server", 1},
		{"certificate after full access", tinvestfake.Token{Access: tinvestfake.Full}, tinvest.ResultFullAccess,
			certClient, tinvest.CodeCertificate, "does not trust", 2},
		{"network after no access", tinvestfake.Token{Access: tinvestfake.NoAccess}, tinvest.ResultNoAccess,
			downClient, tinvest.CodeNetwork, "cannot reach the server", 2},
		{"5xx after invalid keeps invalid", tinvestfake.Token{Fault: tinvestfake.FaultUnauthenticated}, tinvest.ResultInvalid,
			fakeClient(tinvestfake.Token{Fault: tinvestfake.FaultInternal}), tinvest.CodeServer, "HTTP 500", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, _ := newTestVault(t)
			v.Now = func() time.Time { return first.Add(-48 * time.Hour) }
			tok, _, err := v.Store(StoreInput{Provider: ProviderTInvest, Secret: secret})
			require.NoError(t, err)

			srv.SetToken(secret, tc.good)
			v.Now = func() time.Time { return first }
			good, err := v.Validate(context.Background(), tok.ID, newValidateClient(t, srv, first))
			require.NoError(t, err)
			require.Equal(t, string(tc.goodRes), good.Validation.Result)
			require.Nil(t, good.Validation.LastFailure)

			v.Now = func() time.Time { return later }
			got, err := v.Validate(context.Background(), tok.ID, tc.failing(t))
			require.NoError(t, err)
			require.NotNil(t, got.Validation.LastFailure)
			require.Equal(t, later, got.Validation.LastFailure.At)
			require.Equal(t, tc.code, got.Validation.LastFailure.Code)
			require.Contains(t, got.Validation.LastFailure.Message, tc.msg)

			// The verdict, its time, message and accounts, the kind and last use are kept.
			kept := *got.Validation
			kept.LastFailure = nil
			require.Equal(t, *good.Validation, kept)
			require.Len(t, got.Validation.Accounts, tc.accounts)
			require.Equal(t, good.Kind, got.Kind)
			require.Equal(t, good.LastUsedAt, got.LastUsedAt)
			again, err := v.Token(tok.ID)
			require.NoError(t, err)
			require.Equal(t, got, again, "persisted")

			// The next definite verdict replaces it and clears the failure.
			srv.SetToken(secret, tinvestfake.Token{Access: tinvestfake.Full})
			v.Now = func() time.Time { return later.Add(time.Hour) }
			fixed, err := v.Validate(context.Background(), tok.ID, newValidateClient(t, srv, later.Add(time.Hour)))
			require.NoError(t, err)
			require.Equal(t, string(tinvest.ResultFullAccess), fixed.Validation.Result)
			require.Nil(t, fixed.Validation.LastFailure)
			require.Equal(t, later.Add(time.Hour), fixed.Validation.CheckedAt)
		})
	}
}

// With no definite verdict yet, a failed check is the validation (upstream) and its
// failure; a second failure replaces both.
func TestValidateFailureWithoutVerdict(t *testing.T) {
	secret := testToken(131)
	srv := tinvestfake.NewServer(map[string]tinvestfake.Token{secret: {Fault: tinvestfake.FaultInternal}})
	defer srv.Close()
	v, _ := newTestVault(t)
	tok, _, err := v.Store(StoreInput{Provider: ProviderTInvest, Secret: secret, Kind: KindReadonly})
	require.NoError(t, err)

	for i, at := range []time.Time{time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)} {
		got, err := v.Validate(context.Background(), tok.ID, newValidateClient(t, srv, at))
		require.NoError(t, err, i)
		require.Equal(t, string(tinvest.ResultUpstream), got.Validation.Result)
		require.Equal(t, at, got.Validation.CheckedAt)
		require.Equal(t, tinvest.CodeServer, got.Validation.Code)
		require.Equal(t, &index.Failure{At: at, Code: tinvest.CodeServer, Message: got.Validation.Message}, got.Validation.LastFailure)
		require.Equal(t, KindReadonly, got.Kind)
	}
}

func TestHasVerdict(t *testing.T) {
	tests := []struct {
		val  *index.Validation
		want bool
	}{
		{nil, false},
		{&index.Validation{}, false},
		{&index.Validation{Result: "upstream"}, false},
		{&index.Validation{Result: "invalid"}, true},
		{&index.Validation{Result: "no_access"}, true},
		{&index.Validation{Result: "full_access"}, true},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, HasVerdict(tc.val), "%+v", tc.val)
	}
}
