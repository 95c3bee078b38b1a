package tinvest_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/tinvest"
	"github.com/tokenbridge/tokenbridge/host/tinvest/tinvestfake"
)

// Test tokens (fixtures, not real secrets).
const (
	tokFull      = "t.full-0000000000000000000000000000"
	tokRO        = "t.readonly-00000000000000000000000000"
	tokScoped    = "t.scoped-000000000000000000000000000"
	tokScopedRO  = "t.scoped-ro-0000000000000000000000000"
	tokNoAccess  = "t.noaccess-00000000000000000000000000"
	tokSandbox   = "t.sandbox-000000000000000000000000000"
	tokExpired   = "t.expired-000000000000000000000000000"
	tokNumeric   = "t.numeric-000000000000000000000000000"
	tokFresh     = "t.fresh-00000000000000000000000000000"
	tokFreshSB   = "t.fresh-sandbox-000000000000000000000"
	tokRate      = "t.rate-000000000000000000000000000000"
	tokRateBare  = "t.rate-bare-0000000000000000000000000"
	tokRateAll   = "t.rate-forever-00000000000000000000000"
	tokRateSB    = "t.rate-sandbox-00000000000000000000000"
	tok500       = "t.five-hundred-000000000000000000000000"
	tokMalformed = "t.malformed-0000000000000000000000000"
	tokHTML      = "t.html-00000000000000000000000000000"
	tokSlow      = "t.slow-00000000000000000000000000000"
	tok40002     = "t.perm-00000000000000000000000000000"
	tokEmptyAcc  = "t.empty-0000000000000000000000000000"
	tokMixedNone = "t.mixed-none-0000000000000000000000000"
)

func table() map[string]tinvestfake.Token {
	return map[string]tinvestfake.Token{
		tokFull:      {Access: tinvestfake.Full},
		tokRO:        {Access: tinvestfake.ReadOnly},
		tokScoped:    {Access: tinvestfake.Full, AccountID: "2000654321"},
		tokScopedRO:  {Access: tinvestfake.ReadOnly, AccountID: "2000123456"},
		tokNoAccess:  {Access: tinvestfake.NoAccess},
		tokSandbox:   {Sandbox: true},
		tokNumeric:   {Fault: tinvestfake.FaultUnauthenticatedNum},
		tokFresh:     {Access: tinvestfake.Full, Fault: tinvestfake.FaultUnauthenticated, FaultTimes: 2},
		tokFreshSB:   {Sandbox: true, Fault: tinvestfake.FaultUnauthenticated, FaultTimes: 2},
		tokRate:      {Access: tinvestfake.ReadOnly, Fault: tinvestfake.FaultRateLimit, FaultTimes: 2, RateReset: 7},
		tokRateBare:  {Access: tinvestfake.Full, Fault: tinvestfake.FaultTooManyBare, FaultTimes: 1},
		tokRateAll:   {Fault: tinvestfake.FaultRateLimit, RateReset: 3600},
		tokRateSB:    {Sandbox: true, Fault: tinvestfake.FaultRateLimit},
		tok500:       {Fault: tinvestfake.FaultInternal},
		tokMalformed: {Fault: tinvestfake.FaultMalformed},
		tokHTML:      {Fault: tinvestfake.FaultHTML},
		tokSlow:      {DelayMS: 2000},
		tok40002:     {Fault: tinvestfake.FaultPermission},
		tokEmptyAcc:  {Accounts: []tinvestfake.Account{}},
		tokMixedNone: {Access: tinvestfake.NoAccess, Accounts: []tinvestfake.Account{
			{ID: "2000123456", Type: "ACCOUNT_TYPE_TINKOFF", Status: "ACCOUNT_STATUS_OPEN"},
			{ID: "2000654321", Type: "ACCOUNT_TYPE_TINKOFF_IIS", Status: "ACCOUNT_STATUS_OPEN", Access: tinvestfake.ReadOnly},
		}},
		// tokExpired is unknown to the fake: 40003 everywhere.
	}
}

type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

var now = time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)

func newTestClient(t *testing.T, prod, sandbox string) (*tinvest.Client, *sleeps) {
	t.Helper()
	c, err := tinvest.New(tinvest.Config{ProdURL: prod, SandboxURL: sandbox, Timeout: 500 * time.Millisecond})
	require.NoError(t, err)
	s := &sleeps{}
	c.Sleep = s.sleep
	c.Now = func() time.Time { return now }
	return c, s
}

func TestCheckClassification(t *testing.T) {
	srv := tinvestfake.NewServer(table())
	defer srv.Close()

	fresh := now.Add(-30 * time.Second)
	old := now.Add(-24 * time.Hour)

	tests := []struct {
		name       string
		token      string
		captured   time.Time
		want       tinvest.Result
		accountIDs []string
		access     string
		msg        string // substring of the message
		code       string // Verdict.Code
		sleeps     []time.Duration
		prodCalls  int
		sbCalls    int
	}{
		{name: "full access", token: tokFull, captured: old, want: tinvest.ResultFullAccess,
			accountIDs: []string{"2000123456", "2000654321"}, access: tinvest.AccessFull, msg: "full-access", prodCalls: 1},
		{name: "readonly", token: tokRO, captured: old, want: tinvest.ResultReadonly,
			accountIDs: []string{"2000123456", "2000654321"}, access: tinvest.AccessReadOnly, msg: "read-only", prodCalls: 1},
		{name: "account-scoped full", token: tokScoped, captured: old, want: tinvest.ResultFullAccess,
			accountIDs: []string{"2000654321"}, access: tinvest.AccessFull, msg: "1 account", prodCalls: 1},
		{name: "account-scoped readonly", token: tokScopedRO, captured: old, want: tinvest.ResultReadonly,
			accountIDs: []string{"2000123456"}, access: tinvest.AccessReadOnly, msg: "1 account", prodCalls: 1},
		{name: "no access on every account", token: tokNoAccess, captured: old, want: tinvest.ResultNoAccess,
			accountIDs: []string{"2000123456", "2000654321"}, access: tinvest.AccessNone, msg: "no access to its 2 accounts", prodCalls: 1},
		{name: "no access on one account of two is readonly", token: tokMixedNone, captured: old, want: tinvest.ResultReadonly,
			accountIDs: []string{"2000123456", "2000654321"}, msg: "1 of them without access", prodCalls: 1},
		{name: "no accounts", token: tokEmptyAcc, captured: old, want: tinvest.ResultReadonly, msg: "sees no accounts", prodCalls: 1},
		{name: "sandbox", token: tokSandbox, captured: old, want: tinvest.ResultSandbox,
			accountIDs: []string{"a1b2c3d4-0000-4000-8000-000000000001"}, access: tinvest.AccessFull, msg: "sandbox", prodCalls: 1, sbCalls: 1},
		{name: "expired both 40003", token: tokExpired, captured: old, want: tinvest.ResultInvalid,
			msg: "issue a new one at " + tinvest.SettingsURL, prodCalls: 1, sbCalls: 1},
		{name: "expired with unknown capture time", token: tokExpired, want: tinvest.ResultInvalid, msg: "expired or revoked", prodCalls: 1, sbCalls: 1},
		{name: "numeric description", token: tokNumeric, captured: old, want: tinvest.ResultInvalid, msg: "40003", prodCalls: 1, sbCalls: 1},
		{name: "expired but fresh is retried then invalid", token: tokExpired, captured: fresh, want: tinvest.ResultInvalid,
			msg: "still rejected after 3 retries", sleeps: []time.Duration{time.Second, time.Second, time.Second}, prodCalls: 4, sbCalls: 4},
		{name: "fresh token 40003 twice then works", token: tokFresh, captured: fresh, want: tinvest.ResultFullAccess,
			accountIDs: []string{"2000123456", "2000654321"}, access: tinvest.AccessFull, sleeps: []time.Duration{time.Second, time.Second}, prodCalls: 3, sbCalls: 2},
		{name: "fresh sandbox token 40003 twice then works", token: tokFreshSB, captured: fresh, want: tinvest.ResultSandbox,
			sleeps: []time.Duration{time.Second, time.Second}, prodCalls: 3, sbCalls: 3,
			accountIDs: []string{"a1b2c3d4-0000-4000-8000-000000000001"}, access: tinvest.AccessFull},
		{name: "fresh-behaving token captured long ago is invalid at once", token: tokFresh, captured: old, want: tinvest.ResultInvalid, prodCalls: 1, sbCalls: 1},
		{name: "80002 twice then ok waits x-ratelimit-reset", token: tokRate, captured: old, want: tinvest.ResultReadonly,
			accountIDs: []string{"2000123456", "2000654321"}, access: tinvest.AccessReadOnly, sleeps: []time.Duration{7 * time.Second, 7 * time.Second}, prodCalls: 3},
		{name: "bare 429 then ok uses reset header", token: tokRateBare, captured: old, want: tinvest.ResultFullAccess,
			accountIDs: []string{"2000123456", "2000654321"}, access: tinvest.AccessFull, sleeps: []time.Duration{time.Second}, prodCalls: 2},
		{name: "rate limit exhausted is upstream, wait capped", token: tokRateAll, captured: old, want: tinvest.ResultUpstream,
			msg: "80002", code: tinvest.CodeRateLimited, sleeps: []time.Duration{10 * time.Second, 10 * time.Second}, prodCalls: 3},
		{name: "rate limit exhausted on sandbox is upstream", token: tokRateSB, captured: old, want: tinvest.ResultUpstream,
			msg: "sandbox", code: tinvest.CodeRateLimited, sleeps: []time.Duration{time.Second, time.Second}, prodCalls: 1, sbCalls: 3},
		{name: "500 is upstream", token: tok500, captured: fresh, want: tinvest.ResultUpstream, msg: "server error (HTTP 500)", code: tinvest.CodeServer, prodCalls: 1},
		{name: "malformed JSON is upstream", token: tokMalformed, captured: old, want: tinvest.ResultUpstream, msg: "malformed JSON", code: tinvest.CodeServer, prodCalls: 1},
		{name: "html 502 is upstream", token: tokHTML, captured: old, want: tinvest.ResultUpstream, msg: "HTTP 502", code: tinvest.CodeServer, prodCalls: 1},
		{name: "40002 is upstream not invalid", token: tok40002, captured: old, want: tinvest.ResultUpstream, msg: "40002", code: tinvest.CodeServer, prodCalls: 1},
		{name: "slow response times out as upstream", token: tokSlow, captured: old, want: tinvest.ResultUpstream, msg: "no answer within 500ms", code: tinvest.CodeNetwork, prodCalls: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.Reset()
			c, sl := newTestClient(t, srv.ProdURL, srv.SandboxURL)
			c.FreshDelay = time.Second
			v := c.Check(context.Background(), tc.token, tc.captured)

			require.Equal(t, tc.want, v.Result, v.Message)
			require.Equal(t, tc.code, v.Code)
			require.Contains(t, v.Message, tc.msg)
			require.NotContains(t, v.Message, tc.token)
			require.Equal(t, now, v.CheckedAt)
			var ids []string
			for _, a := range v.Accounts {
				ids = append(ids, a.ID)
				if tc.access != "" { // "" = mixed levels
					require.Equal(t, tc.access, a.AccessLevel)
				}
				require.NotEmpty(t, a.Type)
				require.Equal(t, "ACCOUNT_STATUS_OPEN", a.Status)
			}
			require.Equal(t, tc.accountIDs, ids)
			require.Equal(t, tc.sleeps, sl.all())
			require.Equal(t, tc.prodCalls, srv.CountRPC("prod", tinvest.RPCGetAccounts), "production GetAccounts calls")
			require.Equal(t, tc.sbCalls, srv.CountRPC("sandbox", tinvest.RPCGetSandboxAccounts), "sandbox calls")
			require.Empty(t, srv.Violations(), "only well-formed read-only calls")
			for _, call := range srv.Calls() {
				require.Equal(t, tc.token, call.Token)
				require.Equal(t, tinvest.AppName, call.AppName)
				require.Equal(t, "application/json", call.ContentType)
				require.Equal(t, "{}", call.Body)
				require.NotContains(t, call.Path, tc.token)
			}
		})
	}
}

func TestCheckServerDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now

	c, _ := newTestClient(t, "http://"+addr+"/rest", "http://"+addr+"/rest")
	v := c.Check(context.Background(), tokFull, now.Add(-time.Second))
	require.Equal(t, tinvest.ResultUpstream, v.Result)
	require.Contains(t, v.Message, "cannot reach the server")
	require.Equal(t, tinvest.CodeNetwork, v.Code)
	require.NotContains(t, v.Message, tokFull)
}

func TestCheckMalformedToken(t *testing.T) {
	srv := tinvestfake.NewServer(table())
	defer srv.Close()
	c, _ := newTestClient(t, srv.ProdURL, srv.SandboxURL)
	for _, tok := range []string{"", "t.abc\r\nX-Evil: 1", "t.with space", strings.Repeat("a", tinvest.MaxTokenLen+1), "t.кириллица"} {
		v := c.Check(context.Background(), tok, time.Time{})
		require.Equal(t, tinvest.ResultInvalid, v.Result)
		require.Contains(t, v.Message, "not a T-Invest token")
	}
	require.Empty(t, srv.Calls(), "a malformed token is never sent")
}

func TestCheckCancelledWhileWaitingFresh(t *testing.T) {
	srv := tinvestfake.NewServer(table())
	defer srv.Close()
	c, err := tinvest.New(tinvest.Config{ProdURL: srv.ProdURL, SandboxURL: srv.SandboxURL})
	require.NoError(t, err)
	c.FreshDelay = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	v := c.Check(ctx, tokExpired, time.Now())
	require.Equal(t, tinvest.ResultUpstream, v.Result)
	require.Contains(t, v.Message, "cancelled")
	require.Equal(t, tinvest.CodeNetwork, v.Code)
}

func TestRedirectNotFollowed(t *testing.T) {
	var hits int
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		hits++
		if r.URL.Path == "/elsewhere" {
			t.Error("redirect followed")
		}
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	hs := httptest.NewServer(mux)
	defer hs.Close()
	c, _ := newTestClient(t, hs.URL+"/rest", hs.URL+"/rest")
	v := c.Check(context.Background(), tokFull, time.Time{})
	require.Equal(t, tinvest.ResultUpstream, v.Result)
	require.Contains(t, v.Message, "HTTP 307")
	require.Equal(t, 1, hits)
}

func TestOversizedBody(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"accounts":[],"pad":"`))
		_, _ = w.Write([]byte(strings.Repeat("x", tinvest.MaxBody)))
		_, _ = w.Write([]byte(`"}`))
	}))
	defer hs.Close()
	c, _ := newTestClient(t, hs.URL, hs.URL)
	_, err := c.GetAccounts(context.Background(), tokFull)
	var ue *tinvest.UpstreamError
	require.ErrorAs(t, err, &ue)
	require.Contains(t, ue.Reason, "larger than 1 MiB")
}
