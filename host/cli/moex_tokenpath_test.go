package cli

import (
	"bytes"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/moex/keycloakfake"
)

// runWith runs `tokenbridge ARGS...` with the fixture's manager (and its HTTP client).
func (e *moexFixture) runWith(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Run(&Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Secrets: e.store, moex: e.m}, args)
	return code, out.String(), errb.String()
}

func (e *moexFixture) addMain(t *testing.T) {
	t.Helper()
	code, _, errs := e.run("csecret-1\npw-1\n", "add", "main", "--force", "--env", "play", "--client-id", "test_api", "--username", "trader", "--token-url", e.kc.TokenURL())
	require.Equal(t, ExitOK, code, errs)
}

func indexPath(t *testing.T) string {
	t.Helper()
	d, err := config.Paths()
	require.NoError(t, err)
	return d.Index()
}

// TestMoexTokenURLEditedInIndex: index.json edited to send the credentials elsewhere: nothing
// leaves, and the message says what to do.
func TestMoexTokenURLEditedInIndex(t *testing.T) {
	e := newMoexFixture(t)
	ct := &keycloakfake.CountingTransport{}
	e.m.HTTP = &http.Client{Transport: ct}
	for _, bad := range []string{"http://any-host/", strings.Replace(e.kc.TokenURL(), "127.0.0.1", "localhost", 1)} {
		e.addMain(t)
		raw, err := os.ReadFile(indexPath(t))
		require.NoError(t, err)
		require.Contains(t, string(raw), `"token_url": "`+e.kc.TokenURL()+`"`)
		require.NoError(t, os.WriteFile(indexPath(t), []byte(strings.ReplaceAll(string(raw), e.kc.TokenURL(), bad)), 0o600))
		e.kc.ResetRequests()

		for _, args := range [][]string{{"moex", "token", "main"}, {"exec", "--moex", "main", "--", "sh", "-c", "echo started"}} {
			code, out, errs := e.runWith(args...)
			require.Equal(t, ExitFailure, code, "%v: %s", args, errs)
			require.Empty(t, out, "nothing printed, CMD not started")
			require.Contains(t, errs, `MOEX profile "main" has a token URL that is not allowed (was index.json edited?)`)
			require.Contains(t, errs, "plain http only to a literal loopback address, 127.0.0.1 or [::1], not a name such as localhost")
			require.Contains(t, errs, "nothing was sent. Set the profile again with `tokenbridge moex add main --force --env play --client-id test_api --username trader`")
			require.NotContains(t, errs, "csecret-1")
			require.NotContains(t, errs, "pw-1")
		}
		// logout sends nothing: it works, and warns about the URL.
		code, _, errs := e.runWith("moex", "logout", "main")
		require.Equal(t, ExitOK, code, errs)
		require.Contains(t, errs, "cached tokens of MOEX profile \"main\" dropped")
		require.Contains(t, errs, `tokenbridge moex logout: warning: MOEX profile "main" has a token URL that is not allowed`)
		require.Zero(t, ct.Count(), "no request left the process")
		require.Empty(t, e.kc.Requests(), "the token endpoint saw nothing")
	}

	code, _, errs := e.run("x\ny\n", "add", "l", "--env", "play", "--client-id", "test_api", "--username", "trader", "--token-url", "http://localhost:8080/t")
	require.Equal(t, ExitUsage, code)
	require.Contains(t, errs, "not a name such as localhost")
}

// TestMoexReusedRefreshTokenWarning: a refresh token reported as reused is a warning on
// stderr; stdout still carries only the token.
func TestMoexReusedRefreshTokenWarning(t *testing.T) {
	e := newMoexFixture(t)
	e.addMain(t)
	code, _, errs := e.run("", "token", "main")
	require.Equal(t, ExitOK, code, errs)

	for _, args := range [][]string{{"moex", "token", "main"}, {"exec", "--moex", "main", "--", "sh", "-c", `printf %s "$MOEX_ACCESS_TOKEN"`}} {
		cmdName := "tokenbridge " + strings.Join(args[:2], " ")
		if args[0] == "exec" {
			cmdName = "tokenbridge exec"
		}
		// Someone else spends the saved refresh token first.
		rt, err := e.store.Get("moex/main/refresh_token")
		require.NoError(t, err)
		require.NoError(t, e.kc.SpendRefreshToken("test_api", "csecret-1", rt))
		expireAccess(t, "main")

		code, out, errs := e.runWith(args...)
		require.Equal(t, ExitOK, code, errs)
		access, err := e.store.Get("moex/main/access_token")
		require.NoError(t, err)
		require.Equal(t, access, strings.TrimSuffix(out, "\n"), "stdout: the token only")
		require.Contains(t, errs, cmdName+`: warning: MOEX reported the saved refresh token of profile "main" as already used (Maximum allowed refresh token reuse exceeded)`)
		require.Contains(t, errs, "change the MOEX Passport password")
		require.NotContains(t, errs, rt)
		require.NotContains(t, errs, "pw-1")
	}
}

func expireAccess(t *testing.T, name string) {
	t.Helper()
	require.NoError(t, moex.IndexProfiles{File: index.Open(indexPath(t))}.Modify(func(ps []moex.Profile) ([]moex.Profile, error) {
		for i := range ps {
			if ps[i].Name == name {
				ps[i].AccessExpiresAt = time.Now().Add(-time.Minute).UTC()
			}
		}
		return ps, nil
	}))
}

// TestExecMoexOTPMessage: exec has no --otp; its message points to the command that has one.
func TestExecMoexOTPMessage(t *testing.T) {
	e := newMoexFixture(t)
	e.kc.AddUser("otpuser", keycloakfake.User{Password: "pw-1", OTP: "777777"})
	code, _, errs := e.run("csecret-1\npw-1\n", "add", "o", "--env", "play", "--client-id", "test_api", "--username", "otpuser", "--token-url", e.kc.TokenURL())
	require.Equal(t, ExitOK, code, errs)
	code, out, errs := e.runWith("exec", "--moex", "o", "--", "sh", "-c", "echo started")
	require.Equal(t, ExitFailure, code)
	require.Empty(t, out)
	require.Contains(t, errs, "sign in once with `tokenbridge moex token o --otp CODE` (later tokens come from the refresh token)")
	require.NotContains(t, errs, "rerun with --otp")
	code, _, _ = e.runWith("exec", "--moex", "o", "--otp", "777777", "--", "true")
	require.Equal(t, ExitUsage, code, "exec has no --otp, and the message never suggested one")

	code, _, errs = e.run("", "token", "o", "--otp", "777777")
	require.Equal(t, ExitOK, code, errs)
	code, out, errs = e.runWith("exec", "--moex", "o", "--", "sh", "-c", `test -n "$MOEX_ACCESS_TOKEN" && echo started`)
	require.Equal(t, ExitOK, code, errs)
	require.Equal(t, "started\n", out)
}

// TestMoexClaimsStripsInvisible: `moex claims` prints a crafted token's claims without
// terminal escapes, C1 controls or bidi reordering.
func TestMoexClaimsStripsInvisible(t *testing.T) {
	e := newMoexFixture(t)
	e.addMain(t)
	crafted := e.kc.MakeJWT(map[string]any{
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(),
		"iss": "https://sso.moex.com/\u202eevil\u202c", "azp": "test_api\x1b]0;pwned\x07",
		"sub": "user\u2066\u200f\u061c\u200e\u2069\u0085\u009b31m", "scope": "profile\rREAL-SCOPE",
	})
	require.NoError(t, e.store.Set("moex/main/access_token", crafted))
	code, out, errs := e.run("", "claims", "main")
	require.Equal(t, ExitOK, code, errs)
	require.Contains(t, out, "iss:   https://sso.moex.com/evil\n")
	require.Contains(t, out, "azp:   test_api]0;pwned\n")
	require.Contains(t, out, "sub:   user31m\n")
	require.Contains(t, out, "scope: profileREAL-SCOPE\n")
	for _, r := range out {
		ok := r == '\n' || (r >= 0x20 && r != 0x7f && (r < 0x80 || r > 0x9f) &&
			!(r >= 0x202a && r <= 0x202e) && !(r >= 0x2066 && r <= 0x2069) && r != 0x200e && r != 0x200f && r != 0x061c)
		require.True(t, ok, "printed %U", r)
	}
}
