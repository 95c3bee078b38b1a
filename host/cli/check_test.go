package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
	"github.com/tokenbridge/tokenbridge/host/tinvest"
	"github.com/tokenbridge/tokenbridge/host/tinvest/tinvestfake"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

// Fake T-Invest-shaped tokens (test fixtures).
func checkTestToken(name string) string { return "t." + name + strings.Repeat("Z", 70-len(name)) }

type checkFixture struct {
	mem *secretstore.Memory
	srv *tinvestfake.Server
	ids map[string]string // name -> token id
}

func newCheckFixture(t *testing.T, table map[string]tinvestfake.Token, names ...string) *checkFixture {
	t.Helper()
	t.Setenv("TOKENBRIDGE_HOME", t.TempDir())
	srv := tinvestfake.NewServer(table)
	t.Cleanup(srv.Close)
	t.Setenv(tinvest.EnvProdURL, srv.ProdURL)
	t.Setenv(tinvest.EnvSandboxURL, srv.SandboxURL)
	t.Setenv(tinvest.EnvCA, "")

	f := &checkFixture{mem: secretstore.NewMemory(), srv: srv, ids: map[string]string{}}
	setup := &Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Secrets: f.mem}
	v, err := setup.Vault()
	require.NoError(t, err)
	// Stored two days ago: not fresh, so a 40003 verdict is final without retries.
	v.Now = func() time.Time { return time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Second) }
	for _, n := range names {
		tok, _, err := v.Store(vault.StoreInput{Provider: vault.ProviderTInvest, Secret: checkTestToken(n), Label: "label " + n})
		require.NoError(t, err)
		f.ids[n] = tok.ID
	}
	return f
}

func (f *checkFixture) run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Run(&Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Secrets: f.mem}, args)
	return code, out.String(), errb.String()
}

func TestCheckCommand(t *testing.T) {
	f := newCheckFixture(t, map[string]tinvestfake.Token{
		checkTestToken("full"):    {Access: tinvestfake.Full},
		checkTestToken("ro"):      {Access: tinvestfake.ReadOnly, AccountID: "2000123456"},
		checkTestToken("sandbox"): {Sandbox: true},
		checkTestToken("down"):    {Fault: tinvestfake.FaultInternal},
		// "expired" is unknown to the fake: 40003 on both hosts.
	}, "full", "ro", "sandbox", "expired", "down")

	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"one full token by id", []string{"check", f.ids["full"]}, ExitOK, []string{"RESULT", "full_access", "2: Брокерский счёт, ИИС"}},
		{"by label", []string{"check", "label ro"}, ExitOK, []string{"readonly", "1: Брокерский счёт"}},
		{"sandbox", []string{"check", f.ids["sandbox"]}, ExitOK, []string{"sandbox"}},
		{"working ones together", []string{"check", f.ids["full"], f.ids["ro"], f.ids["sandbox"]}, ExitOK, []string{"full_access", "readonly", "sandbox"}},
		{"expired is exit 3", []string{"check", f.ids["expired"]}, ExitInvalid, []string{"invalid", tinvest.SettingsURL}},
		{"server error is exit 1, not invalid", []string{"check", f.ids["down"]}, ExitFailure, []string{"upstream", "HTTP 500"}},
		{"invalid wins over upstream", []string{"check", f.ids["down"], f.ids["expired"]}, ExitInvalid, []string{"upstream", "invalid"}},
		{"unknown id is an error row", []string{"check", "tok_0000000000000000", f.ids["full"]}, ExitFailure, []string{"error", "full_access"}},
		{"--all", []string{"check", "--all"}, ExitInvalid, []string{"full_access", "readonly", "sandbox", "invalid", "upstream"}},
		{"no args is all", []string{"check"}, ExitInvalid, []string{"full_access", "invalid"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := f.run(tc.args...)
			require.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", out, errs)
			for _, s := range tc.contains {
				require.Contains(t, out, s)
			}
			for n := range f.ids {
				require.NotContains(t, out+errs, checkTestToken(n))
			}
		})
	}
	require.Empty(t, f.srv.Violations())

	// The verdicts were saved: list shows them.
	code, out, _ := f.run("list", "--json")
	require.Equal(t, ExitOK, code)
	var toks []index.Token
	require.NoError(t, json.Unmarshal([]byte(out), &toks))
	kinds := map[string]string{}
	for _, tok := range toks {
		require.NotNil(t, tok.Validation, tok.Label)
		kinds[tok.ID] = tok.Kind
	}
	require.Equal(t, vault.KindFullAccess, kinds[f.ids["full"]])
	require.Equal(t, vault.KindReadonly, kinds[f.ids["ro"]])
	require.Equal(t, vault.KindSandbox, kinds[f.ids["sandbox"]])
	require.Equal(t, vault.KindUnknown, kinds[f.ids["expired"]])
}

func TestCheckJSON(t *testing.T) {
	f := newCheckFixture(t, map[string]tinvestfake.Token{
		checkTestToken("full"): {Access: tinvestfake.Full},
	}, "full", "expired")

	// Flags after the ids work too.
	code, out, errs := f.run("check", f.ids["full"], f.ids["expired"], "nope", "--json")
	require.Equal(t, ExitInvalid, code, errs)
	var entries []checkEntry
	require.NoError(t, json.Unmarshal([]byte(out), &entries), out)
	require.Len(t, entries, 3)
	require.Equal(t, "full_access", entries[0].Token.Validation.Result)
	require.Len(t, entries[0].Token.Validation.Accounts, 2)
	require.Equal(t, "invalid", entries[1].Token.Validation.Result)
	require.Equal(t, "nope", entries[2].Ref)
	require.Contains(t, entries[2].Error, "no token")
	require.NotContains(t, out, checkTestToken("full"))
}

func TestCheckUsageAndEmpty(t *testing.T) {
	f := newCheckFixture(t, nil)

	code, out, _ := f.run("check", "--all")
	require.Equal(t, ExitOK, code)
	require.Contains(t, out, "no T-Invest tokens stored")

	code, out, _ = f.run("check", "--json")
	require.Equal(t, ExitOK, code)
	require.JSONEq(t, "[]", out)

	code, _, errs := f.run("check", "--all", "tok_0000000000000000")
	require.Equal(t, ExitUsage, code)
	require.Contains(t, errs, "not both")

	code, _, _ = f.run("check", "--bogus")
	require.Equal(t, ExitUsage, code)

	code, out, _ = f.run("check", "--help")
	require.Equal(t, ExitOK, code)
	require.Contains(t, out, "read-only")

	t.Setenv(tinvest.EnvProdURL, "http://203.0.113.9/rest")
	f2 := newCheckFixtureKeepEnv(t, f)
	code, _, errs = f2.run("check", "--all")
	require.Equal(t, ExitFailure, code)
	require.Contains(t, errs, tinvest.EnvProdURL)
	require.Empty(t, f.srv.Calls())
}

// newCheckFixtureKeepEnv stores one token in f's home without touching the environment.
func newCheckFixtureKeepEnv(t *testing.T, f *checkFixture) *checkFixture {
	t.Helper()
	setup := &Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Secrets: f.mem}
	v, err := setup.Vault()
	require.NoError(t, err)
	_, _, err = v.Store(vault.StoreInput{Provider: vault.ProviderTInvest, Secret: checkTestToken("cfg")})
	require.NoError(t, err)
	return f
}

func TestParseArgsInterspersed(t *testing.T) {
	tests := []struct {
		args      []string
		pos       []string
		json, all bool
	}{
		{[]string{"a", "--json", "b"}, []string{"a", "b"}, true, false},
		{[]string{"--all"}, nil, false, true},
		{[]string{"a", "--", "-b"}, []string{"a", "-b"}, false, false},
		{[]string{"--json", "--", "--all"}, []string{"--all"}, true, false},
	}
	for _, tc := range tests {
		fs := flag.NewFlagSet("check", flag.ContinueOnError)
		asJSON, all := fs.Bool("json", false, ""), fs.Bool("all", false, "")
		pos, err := parseArgs(fs, tc.args, true)
		require.NoError(t, err, tc.args)
		require.Equal(t, tc.pos, pos, tc.args)
		require.Equal(t, tc.json, *asJSON, tc.args)
		require.Equal(t, tc.all, *all, tc.args)
	}
}
