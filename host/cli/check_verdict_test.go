package cli

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/tinvest"
	"github.com/tokenbridge/tokenbridge/host/tinvest/tinvestfake"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

// runAt runs a command with the vault's clock at now (expiry estimates, stored dates).
func (f *checkFixture) runAt(t *testing.T, now time.Time, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Secrets: f.mem}
	v, err := env.Vault()
	require.NoError(t, err)
	v.Now = func() time.Time { return now }
	code := Run(env, args)
	return code, out.String(), errb.String()
}

// A no_access token: its own verdict (not readonly), exit 3, kind kept.
func TestCheckNoAccess(t *testing.T) {
	f := newCheckFixture(t, map[string]tinvestfake.Token{
		checkTestToken("none"): {Access: tinvestfake.NoAccess},
		checkTestToken("full"): {Access: tinvestfake.Full},
	}, "none", "full")

	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"alone is exit 3", []string{"check", f.ids["none"]}, ExitInvalid, []string{"no_access", "no access to its 2 accounts", tinvest.SettingsURL}},
		{"with a working token still exit 3", []string{"check", f.ids["full"], f.ids["none"]}, ExitInvalid, []string{"no_access", "full_access"}},
		{"json", []string{"check", f.ids["none"], "--json"}, ExitInvalid, []string{`"result": "no_access"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := f.run(tc.args...)
			require.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", out, errs)
			for _, w := range tc.want {
				require.Contains(t, out, w)
			}
			require.NotContains(t, out, "readonly")
		})
	}
	code, out, _ := f.run("list", "--json")
	require.Equal(t, ExitOK, code)
	var views []vault.View
	require.NoError(t, json.Unmarshal([]byte(out), &views))
	for _, v := range views {
		if v.ID == f.ids["none"] {
			require.Equal(t, "no_access", v.Validation.Result)
			require.Equal(t, vault.KindUnknown, v.Kind, "no_access does not say which kind the token is")
		}
	}
}

// A good verdict followed by a failed check (5xx, network, certificate) is kept with its
// accounts; the failure is recorded beside it and shown in check and list, exit 1.
func TestCheckFailureKeepsVerdict(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	down := "http://" + ln.Addr().String() + "/rest"
	require.NoError(t, ln.Close())
	secret := checkTestToken("flaky")
	tlsSrv := httptest.NewTLSServer(tinvestfake.New(map[string]tinvestfake.Token{secret: {Access: tinvestfake.Full}}).Handler())
	defer tlsSrv.Close()

	tests := []struct {
		name  string
		fail  func(t *testing.T, f *checkFixture)
		code  string
		shows string
	}{
		{"server error", func(t *testing.T, f *checkFixture) {
			f.srv.SetToken(secret, tinvestfake.Token{Fault: tinvestfake.FaultInternal})
		}, tinvest.CodeServer, "HTTP 500"},
		{"network", func(t *testing.T, f *checkFixture) {
			t.Setenv(tinvest.EnvProdURL, down)
			t.Setenv(tinvest.EnvSandboxURL, down)
		}, tinvest.CodeNetwork, "cannot reach the server"},
		{"certificate", func(t *testing.T, f *checkFixture) {
			t.Setenv(tinvest.EnvProdURL, tlsSrv.URL+"/prod/rest")
			t.Setenv(tinvest.EnvSandboxURL, tlsSrv.URL+"/sandbox/rest")
		}, tinvest.CodeCertificate, "does not trust"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newCheckFixture(t, map[string]tinvestfake.Token{secret: {Access: tinvestfake.Full}}, "flaky")
			id := f.ids["flaky"]
			code, out, _ := f.run("check", id)
			require.Equal(t, ExitOK, code, out)
			var first []checkEntry
			code, out, _ = f.run("list", "--json")
			require.Equal(t, ExitOK, code)
			var before []vault.View
			require.NoError(t, json.Unmarshal([]byte(out), &before))
			okDate := before[0].Validation.CheckedAt.Local().Format(time.DateOnly)

			tc.fail(t, f)
			code, out, errs := f.run("check", id)
			require.Equal(t, ExitFailure, code, "stdout: %s\nstderr: %s", out, errs)
			for _, w := range []string{"failed (" + tc.code + ")", tc.shows, "full_access kept", "last checked OK on " + okDate, "2: Брокерский счёт, ИИС"} {
				require.Contains(t, out, w)
			}

			code, out, _ = f.run("check", id, "--json")
			require.Equal(t, ExitFailure, code)
			require.NoError(t, json.Unmarshal([]byte(out), &first))
			val := first[0].Token.Validation
			require.Equal(t, string(tinvest.ResultFullAccess), val.Result)
			require.Equal(t, before[0].Validation.CheckedAt, val.CheckedAt)
			require.Len(t, val.Accounts, 2)
			require.NotNil(t, val.LastFailure)
			require.Equal(t, tc.code, val.LastFailure.Code)
			require.Contains(t, val.LastFailure.Message, tc.shows)
			require.Equal(t, vault.KindFullAccess, first[0].Token.Kind)

			code, out, _ = f.run("list")
			require.Equal(t, ExitOK, code)
			require.Contains(t, out, "full_access (check failed on ")
			require.Contains(t, out, "("+tc.code+"); last checked OK on "+okDate)
			require.Contains(t, out, "could not reach a verdict, full_access kept: ")
			require.Contains(t, out, tc.shows)
			require.NotContains(t, out, secret)
		})
	}
}

// list and check (table and --json) carry the expiry estimate; 13 days left warns, 15 do not.
func TestExpiryEstimateShown(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	f := newCheckFixture(t, map[string]tinvestfake.Token{
		// A failing check keeps last_used_at, so the estimate stays where the test put it.
		checkTestToken("d13"): {Fault: tinvestfake.FaultInternal},
		checkTestToken("d15"): {Fault: tinvestfake.FaultInternal},
	})
	ids := map[string]string{}
	for name, used := range map[string]time.Time{
		"d13": time.Date(2026, 9, 14, 12, 0, 0, 0, time.UTC), // estimate 2026-12-14 12:00: 13 days
		"d15": time.Date(2026, 9, 16, 12, 0, 0, 0, time.UTC), // estimate 2026-12-16 12:00: 15 days
	} {
		env := &Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Secrets: f.mem}
		v, err := env.Vault()
		require.NoError(t, err)
		v.Now = func() time.Time { return used }
		tok, _, err := v.Store(vault.StoreInput{Provider: vault.ProviderTInvest, Secret: checkTestToken(name), Label: name})
		require.NoError(t, err)
		ids[name] = tok.ID
	}
	want := map[string]struct {
		estimate string
		days     int
		soon     bool
	}{
		"d13": {"2026-12-14T12:00:00Z", 13, true},
		"d15": {"2026-12-16T12:00:00Z", 15, false},
	}
	assertViews := func(t *testing.T, views []vault.View) {
		t.Helper()
		require.Len(t, views, 2)
		for name, w := range want {
			var got *vault.View
			for i := range views {
				if views[i].ID == ids[name] {
					got = &views[i]
				}
			}
			require.NotNil(t, got, name)
			require.NotNil(t, got.Expiry, name)
			require.Equal(t, w.estimate, got.ExpiresEstimate.Format(time.RFC3339), name)
			require.Equal(t, w.days, got.ExpiresInDays, name)
			require.Equal(t, w.soon, got.ExpiresSoon, name)
		}
	}

	t.Run("list json", func(t *testing.T) {
		code, out, _ := f.runAt(t, now, "list", "--json")
		require.Equal(t, ExitOK, code)
		var views []vault.View
		require.NoError(t, json.Unmarshal([]byte(out), &views))
		assertViews(t, views)
		require.Contains(t, out, `"expires_estimate": "2026-12-14T12:00:00Z"`)
		require.Contains(t, out, `"expires_soon": true`)
	})
	t.Run("check json", func(t *testing.T) {
		code, out, _ := f.runAt(t, now, "check", "--all", "--json")
		require.Equal(t, ExitFailure, code, "the fake answers 500: no verdict")
		var entries []checkEntry
		require.NoError(t, json.Unmarshal([]byte(out), &entries))
		views := []vault.View{*entries[0].Token, *entries[1].Token}
		assertViews(t, views)
	})
	for _, cmd := range [][]string{{"list"}, {"check", "--all"}} {
		t.Run(cmd[0]+" table", func(t *testing.T) {
			_, out, _ := f.runAt(t, now, cmd...)
			require.Contains(t, out, "EXPIRES")
			require.Contains(t, out, " (13 d) !")
			require.Contains(t, out, " (15 d)")
			require.NotContains(t, out, " (15 d) !")
			require.Contains(t, out, "warning: "+ids["d13"]+" (d13) expires about ")
			require.Contains(t, out, "(in 13 days; 3 months after its last use)")
			require.NotContains(t, out, "warning: "+ids["d15"])
		})
	}
}
