package tinvestfake

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/tinvest"
)

const (
	tFull = "t.fake-full"
	tSB   = "t.fake-sandbox"
	tRate = "t.fake-rate"
	tNum  = "t.fake-numeric"
)

func post(t *testing.T, url, token, contentType, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, resp.Header, m
}

func TestFakeAnswers(t *testing.T) {
	s := NewServer(map[string]Token{
		tFull: {Access: Full},
		tSB:   {Sandbox: true},
		tRate: {Fault: FaultRateLimit, RateReset: 9, FaultTimes: 1},
		tNum:  {Fault: FaultUnauthenticatedNum},
	})
	defer s.Close()
	m := contractPrefix

	code, _, body := post(t, s.ProdURL+m+"UsersService/GetAccounts", tFull, "application/json", "{}")
	require.Equal(t, 200, code)
	accs := body["accounts"].([]any)
	require.Len(t, accs, 2)
	require.Equal(t, "ACCOUNT_ACCESS_LEVEL_FULL_ACCESS", accs[0].(map[string]any)["accessLevel"])

	code, _, body = post(t, s.ProdURL+m+"UsersService/GetInfo", tFull, "application/json; charset=utf-8", "{}")
	require.Equal(t, 200, code)
	require.Equal(t, "investor", body["tariff"])

	// Sandbox token: 40003 on production, works on the sandbox.
	code, _, body = post(t, s.ProdURL+m+"UsersService/GetAccounts", tSB, "application/json", "{}")
	require.Equal(t, 401, code)
	require.Equal(t, "40003", body["description"])
	code, _, body = post(t, s.SandboxURL+m+"SandboxService/GetSandboxAccounts", tSB, "application/json", "{}")
	require.Equal(t, 200, code)
	require.Len(t, body["accounts"], 1)
	// Production token on the sandbox: 40003.
	code, _, _ = post(t, s.SandboxURL+m+"SandboxService/GetSandboxAccounts", tFull, "application/json", "{}")
	require.Equal(t, 401, code)

	// Numeric description.
	code, _, body = post(t, s.ProdURL+m+"UsersService/GetAccounts", tNum, "application/json", "{}")
	require.Equal(t, 401, code)
	require.Equal(t, float64(40003), body["description"])

	// Rate limit once, then fine.
	code, h, body := post(t, s.ProdURL+m+"UsersService/GetAccounts", tRate, "application/json", "{}")
	require.Equal(t, 429, code)
	require.Equal(t, "80002", body["description"])
	require.Equal(t, "9", h.Get("x-ratelimit-reset"))
	require.Equal(t, "0", h.Get("x-ratelimit-remaining"))
	require.Equal(t, "100, 100;w=60", h.Get("x-ratelimit-limit"))
	code, _, _ = post(t, s.ProdURL+m+"UsersService/GetAccounts", tRate, "application/json", "{}")
	require.Equal(t, 200, code)

	require.Empty(t, s.Violations())
	require.Equal(t, 5, s.CountRPC("prod", "UsersService/GetAccounts"))
}

func TestFakeRecordsViolations(t *testing.T) {
	s := NewServer(map[string]Token{tFull: {}})
	defer s.Close()
	m := contractPrefix
	cases := []struct {
		name, url, token, ct, body, method, violation string
		status                                        int
	}{
		{name: "mutating method", url: s.SandboxURL + m + "SandboxService/OpenSandboxAccount", token: tFull, ct: "application/json", body: "{}", violation: "not a read-only method", status: 404},
		{name: "orders", url: s.ProdURL + m + "OrdersService/PostOrder", token: tFull, ct: "application/json", body: "{}", violation: "not a read-only method", status: 404},
		{name: "sandbox method on prod", url: s.ProdURL + m + "SandboxService/GetSandboxAccounts", token: tFull, ct: "application/json", body: "{}", violation: "sandbox method sent to production", status: 404},
		{name: "GET", url: s.ProdURL + m + "UsersService/GetAccounts", token: tFull, ct: "application/json", method: http.MethodGet, violation: "want POST", status: 405},
		{name: "content type", url: s.ProdURL + m + "UsersService/GetAccounts", token: tFull, ct: "text/plain", body: "{}", violation: "content type", status: 415},
		{name: "body", url: s.ProdURL + m + "UsersService/GetAccounts", token: tFull, ct: "application/json", body: "[]", violation: "not a JSON object", status: 400},
		{name: "no auth", url: s.ProdURL + m + "UsersService/GetAccounts", ct: "application/json", body: "{}", violation: "missing Authorization", status: 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.Reset()
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			req, err := http.NewRequest(method, tc.url, strings.NewReader(tc.body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", tc.ct)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, tc.status, resp.StatusCode)
			v := s.Violations()
			require.Len(t, v, 1)
			require.Contains(t, v[0].Violation, tc.violation)
			require.Equal(t, tc.status, v[0].Status)
		})
	}
}

func TestFakeIntrospectionHidesTokens(t *testing.T) {
	s := NewServer(map[string]Token{tFull: {}})
	defer s.Close()
	post(t, s.ProdURL+contractPrefix+"UsersService/GetAccounts", tFull, "application/json", "{}")
	resp, err := http.Get(s.HTTP.URL + "/_fake/calls")
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NotContains(t, string(raw), tFull)
	var calls []Call
	require.NoError(t, json.Unmarshal(raw, &calls))
	require.Len(t, calls, 1)
	require.Equal(t, Fingerprint(tFull), calls[0].TokenFP)
	require.Equal(t, 200, calls[0].Status)

	resp2, err := http.Get(s.HTTP.URL + "/_fake/violations")
	require.NoError(t, err)
	defer resp2.Body.Close()
	raw, err = io.ReadAll(resp2.Body)
	require.NoError(t, err)
	require.JSONEq(t, "[]", string(raw))
}

func TestAccountScope(t *testing.T) {
	got := accountsFor(Token{Access: ReadOnly, AccountID: "2000654321"})
	require.Len(t, got, 1)
	require.Equal(t, "2000654321", got[0].ID)
	require.Equal(t, "ACCOUNT_ACCESS_LEVEL_READ_ONLY", got[0].AccessLevel)
	require.Equal(t, "ACCOUNT_ACCESS_LEVEL_NO_ACCESS", accountsFor(Token{Access: NoAccess})[0].AccessLevel)
}

func TestAccessLevels(t *testing.T) {
	mixed := []Account{{ID: "1", Access: NoAccess}, {ID: "2"}, {ID: "3", Access: Full}}
	tests := []struct {
		name string
		tok  Token
		want []string
	}{
		{"default is full", Token{}, []string{"ACCOUNT_ACCESS_LEVEL_FULL_ACCESS", "ACCOUNT_ACCESS_LEVEL_FULL_ACCESS"}},
		{"token level on every account", Token{Access: NoAccess}, []string{"ACCOUNT_ACCESS_LEVEL_NO_ACCESS", "ACCOUNT_ACCESS_LEVEL_NO_ACCESS"}},
		{"per-account level wins", Token{Access: ReadOnly, Accounts: mixed},
			[]string{"ACCOUNT_ACCESS_LEVEL_NO_ACCESS", "ACCOUNT_ACCESS_LEVEL_READ_ONLY", "ACCOUNT_ACCESS_LEVEL_FULL_ACCESS"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, a := range accountsFor(tc.tok) {
				got = append(got, a.AccessLevel)
			}
			require.Equal(t, tc.want, got)
		})
	}
}

// The fake allows exactly the client's read-only methods (one list:
// tinvest.ReadOnlyRPCs).
func TestFakeAllowsTheClientsRPCs(t *testing.T) {
	s := NewServer(map[string]Token{tFull: {}, tSB: {Sandbox: true}})
	defer s.Close()
	for _, rpc := range tinvest.ReadOnlyRPCs {
		base, token := s.ProdURL, tFull
		if strings.HasPrefix(rpc, "SandboxService/") {
			base, token = s.SandboxURL, tSB
		}
		code, _, _ := post(t, base+contractPrefix+rpc, token, "application/json", "{}")
		require.Equal(t, 200, code, rpc)
		require.Equal(t, 1, s.CountRPC("", rpc), rpc)
	}
	require.Empty(t, s.Violations())
}
