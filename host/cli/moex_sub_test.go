package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/moex/keycloakfake"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// moexFixture runs `tokenbridge moex ARGS...` over a memory keyring and a fake MOEX SSO.
type moexFixture struct {
	kc    *keycloakfake.Server
	m     *moex.Manager
	store *secretstore.Memory
}

func newMoexFixture(t *testing.T) *moexFixture {
	t.Setenv("TOKENBRIDGE_HOME", t.TempDir())
	kc := keycloakfake.New()
	t.Cleanup(kc.Close)
	kc.AddClient("test_api", keycloakfake.Client{Secret: "csecret-1"})
	kc.AddClient("new_api", keycloakfake.Client{Secret: "csecret-new"})
	kc.AddUser("trader", keycloakfake.User{Password: "pw-1"})
	store := secretstore.NewMemory()
	m, err := (&Env{Secrets: store}).Moex()
	require.NoError(t, err)
	return &moexFixture{kc: kc, m: m, store: store}
}

func (e *moexFixture) run(stdin string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Run(&Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Secrets: e.store}, append([]string{"moex"}, args...))
	return code, out.String(), errb.String()
}

func TestMoexAddTokenListClaimsLogoutRm(t *testing.T) {
	e := newMoexFixture(t)
	code, out, errs := e.run("csecret-1\npw-1\n", "add", "main", "--env", "play", "--client-id", "test_api", "--username", "trader", "--token-url", e.kc.TokenURL())
	require.Equal(t, ExitOK, code, errs)
	require.Empty(t, out)
	s, err := e.store.Get("moex/main/client_secret")
	require.NoError(t, err)
	require.Equal(t, "csecret-1", s)
	s, err = e.store.Get("moex/main/password")
	require.NoError(t, err)
	require.Equal(t, "pw-1", s)

	code, out, errs = e.run("", "token", "main")
	require.Equal(t, ExitOK, code, errs)
	access, err := e.store.Get("moex/main/access_token")
	require.NoError(t, err)
	require.Equal(t, access+"\n", out, "stdout holds the token and nothing else")

	code, out, _ = e.run("", "token", "--json", "main")
	require.Equal(t, ExitOK, code)
	var tj map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &tj))
	require.Equal(t, access, tj["access_token"])
	require.Equal(t, "Bearer", tj["token_type"])
	require.Contains(t, tj["scope"], "profile")
	for _, k := range []string{"access_expires_at", "refresh_expires_at"} {
		ts, err := time.Parse(time.RFC3339, tj[k].(string))
		require.NoError(t, err)
		require.True(t, ts.After(time.Now()))
	}
	require.Len(t, e.kc.Requests(), 1)

	code, out, _ = e.run("", "list", "--json")
	require.Equal(t, ExitOK, code)
	require.NotContains(t, out, access)
	require.NotContains(t, out, "csecret-1")
	require.NotContains(t, out, "pw-1")
	var lj struct{ Profiles []moex.ListEntry }
	require.NoError(t, json.Unmarshal([]byte(out), &lj))
	require.Len(t, lj.Profiles, 1)
	require.Equal(t, "main", lj.Profiles[0].Name)
	require.Equal(t, "ok", lj.Profiles[0].Status)
	require.Equal(t, "test_api", lj.Profiles[0].ClientID)
	require.Equal(t, "trader", lj.Profiles[0].Username)

	code, out, _ = e.run("", "list")
	require.Equal(t, ExitOK, code)
	require.Contains(t, out, "main")
	require.NotContains(t, out, access)

	code, out, _ = e.run("", "claims", "main")
	require.Equal(t, ExitOK, code)
	require.Contains(t, out, "NOT verified")
	require.Contains(t, out, "azp:   test_api")
	require.Contains(t, out, "/auth/realms/SSO")
	require.NotContains(t, out, access)
	for _, part := range strings.Split(access, ".") {
		require.NotContains(t, out, part)
	}

	code, _, _ = e.run("", "logout", "main")
	require.Equal(t, ExitOK, code)
	code, out, _ = e.run("", "list", "--json")
	require.Equal(t, ExitOK, code)
	require.Contains(t, out, `"no_token"`)
	code, _, errs = e.run("", "claims", "main")
	require.Equal(t, ExitFailure, code)
	require.Contains(t, errs, "moex token main")

	code, _, _ = e.run("", "rm", "main")
	require.Equal(t, ExitOK, code)
	require.Equal(t, 0, e.store.Len())
	code, _, errs = e.run("", "token", "main")
	require.Equal(t, ExitFailure, code)
	require.Contains(t, errs, "no MOEX profile")
}

func TestMoexSecretsNeverFromArgv(t *testing.T) {
	e := newMoexFixture(t)
	for _, flagArg := range []string{"--client-secret=TOPSECRET", "--password", "-client_secret=TOPSECRET", "--secret=TOPSECRET"} {
		code, out, errs := e.run("", "add", "x", "--env", "play", "--client-id", "c", flagArg, "TOPSECRET")
		require.Equal(t, ExitUsage, code)
		require.Empty(t, out)
		require.Contains(t, errs, "never taken from the command line")
		require.NotContains(t, errs, "TOPSECRET")
	}
	require.Equal(t, 0, e.store.Len())
}

func TestMoexUsageErrors(t *testing.T) {
	e := newMoexFixture(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"add", "x", "--client-id", "c"}, "--env"},
		{[]string{"add", "x", "--env", "play"}, "--client-id"},
		{[]string{"add", "Bad Name", "--env", "play", "--client-id", "c"}, "invalid profile name"},
		{[]string{"add", "x", "--env", "prod", "--client-id", "c", "--username", "u"}, "environment"},
		{[]string{"add", "x", "--env", "play", "--client-id", "c", "--username", "u", "--token-url", "http://sso.example.com/t"}, "https"},
		{[]string{"add", "x", "--env", "play", "--client-id", "c"}, "--username"},
		{[]string{"token"}, "missing profile NAME"},
		{[]string{"token", "a", "b"}, "unexpected argument"},
		{[]string{"token", "x", "--nope"}, "not defined"},
		{[]string{"frobnicate"}, "unknown command"},
	}
	for _, tc := range cases {
		code, out, errs := e.run("", tc.args...)
		require.Equal(t, ExitUsage, code, tc.args)
		require.Empty(t, out)
		require.Contains(t, errs, tc.want, tc.args)
	}
	// Missing password line on stdin.
	code, _, errs := e.run("only-secret\n", "add", "x", "--env", "play", "--client-id", "test_api", "--username", "trader")
	require.Equal(t, ExitFailure, code)
	require.Contains(t, errs, "password")
	require.NotContains(t, errs, "only-secret")
}

func TestMoexTokenErrorsAreActionable(t *testing.T) {
	e := newMoexFixture(t)
	e.kc.AddUser("otpuser", keycloakfake.User{Password: "pw-1", OTP: "777777"})
	code, _, errs := e.run("csecret-1\npw-1\n", "add", "o", "--env", "play", "--client-id", "test_api", "--username", "otpuser", "--token-url", e.kc.TokenURL())
	require.Equal(t, ExitOK, code, errs)
	code, out, errs := e.run("", "token", "o")
	require.Equal(t, ExitFailure, code)
	require.Empty(t, out)
	require.Contains(t, errs, "sign in once with `tokenbridge moex token o --otp CODE`")
	require.Contains(t, errs, "enter it again with `tokenbridge moex add o --force --env play --client-id test_api --username otpuser --token-url "+e.kc.TokenURL()+"`")
	require.NotContains(t, errs, "pw-1")
	code, out, _ = e.run("", "token", "o", "--otp", "777777")
	require.Equal(t, ExitOK, code)
	require.NotEmpty(t, strings.TrimSpace(out))
}

func TestMoexMigrateViaStdin(t *testing.T) {
	e := newMoexFixture(t)
	code, _, errs := e.run("csecret-1\npw-1\n", "add", "old", "--env", "play", "--legacy", "--client-id", "test_api", "--username", "trader", "--token-url", e.kc.LegacyTokenURL())
	require.Equal(t, ExitOK, code, errs)

	// The old pair is refused by the new endpoint.
	code, _, errs = e.run("csecret-1\n", "migrate", "old", "--client-id", "test_api_v2", "--token-url", e.kc.TokenURL())
	require.Equal(t, ExitFailure, code)
	require.Contains(t, errs, "unauthorized_client")
	require.Contains(t, errs, "old legacy client_id/client_secret pair does not work there")
	require.NotContains(t, errs, "csecret-1")

	// client_id from stdin line 1, secret from line 2.
	code, _, errs = e.run("new_api\ncsecret-new\n", "migrate", "old", "--token-url", e.kc.TokenURL())
	require.Equal(t, ExitOK, code, errs)
	p, err := e.m.Get("old")
	require.NoError(t, err)
	require.False(t, p.Legacy)
	require.Equal(t, "new_api", p.ClientID)
	code, out, _ := e.run("", "token", "old")
	require.Equal(t, ExitOK, code)
	c, err := moex.DecodeClaims(strings.TrimSpace(out))
	require.NoError(t, err)
	require.Equal(t, "new_api", c.String("azp"))
}

func TestMoexSubcommandHelp(t *testing.T) {
	e := newMoexFixture(t)
	subs := map[string][]string{
		"add":     {"--env", "--client-id", "--grant", "--force"},
		"token":   {"--otp", "--json"},
		"migrate": {"--client-id", "--token-url", "--otp"},
		"list":    {"--json"},
		"rm":      nil,
		"logout":  nil,
		"claims":  nil,
	}
	for sub, flags := range subs {
		for _, args := range [][]string{{sub, "--help"}, {sub, "-h"}, {sub, "-help"}, {sub, "main", "--help"}, {"help", sub}, {"--help", sub}} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				code, out, errs := e.run("", args...)
				require.Equal(t, ExitOK, code, errs)
				require.Empty(t, errs)
				require.Contains(t, out, "usage: tokenbridge moex "+sub)
				for _, f := range flags {
					require.Contains(t, out, strings.TrimPrefix(f, "-"))
				}
			})
		}
	}
	// Aliases and the top-level help.
	code, out, _ := e.run("", "ls", "--help")
	require.Equal(t, ExitOK, code)
	require.Contains(t, out, "usage: tokenbridge moex list")
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, out, errs := e.run("", args...)
		require.Equal(t, ExitOK, code)
		require.Empty(t, errs)
		require.Equal(t, moexUsage, out)
	}
	// A help request never reaches the keyring or the network.
	require.Empty(t, e.kc.Requests())
	_, err := e.store.Get("moex/main/client_secret")
	require.ErrorIs(t, err, secretstore.ErrNotFound)
}

func TestMoexClipKeepsValidUTF8(t *testing.T) {
	// A byte cut would leave half a rune, shown as U+FFFD.
	for _, prefix := range []string{"", "a", "ab"} {
		for n := 15; n < 30; n++ {
			got := clip(prefix + strings.Repeat("я", n))
			require.True(t, utf8.ValidString(got), "n=%d: %q", n, got)
			require.NotContains(t, got, "\uFFFD", "n=%d", n)
		}
	}
	require.Equal(t, "a?b", clip("a\x1bb"))
	e := newMoexFixture(t)
	code, _, errs := e.run("", "a"+strings.Repeat("ё", 30))
	require.Equal(t, ExitUsage, code)
	require.NotContains(t, errs, `\ufffd`)
	require.NotContains(t, errs, "\uFFFD")
}
