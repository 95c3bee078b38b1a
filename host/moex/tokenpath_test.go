package moex

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tokenbridge/tokenbridge/host/moex/keycloakfake"
)

func setTokenURL(t *testing.T, m *Manager, name, u string) {
	t.Helper()
	require.NoError(t, updateProfile(m.Profiles, name, func(p *Profile) error { p.TokenURL = u; return nil }))
}

// TestTokenURLCheckedOnEveryUse: a token URL changed behind tokenbridge's back (index.json
// edited) is refused before any request, for a sign-in and for a refresh.
func TestTokenURLCheckedOnEveryUse(t *testing.T) {
	f := newFixture(t)
	byName := strings.Replace(f.kc.TokenURL(), "127.0.0.1", "localhost", 1)
	for _, bad := range []string{"http://any-host/auth/realms/SSO/protocol/openid-connect/token", byName, "http://10.0.0.1/t", "ftp://127.0.0.1/t", "https://user:pw@sso.moex.com/t"} {
		for _, withRefresh := range []bool{false, true} {
			f.kc.ResetRequests()
			ct := &keycloakfake.CountingTransport{}
			f.m.HTTP = &http.Client{Transport: ct}
			name := "main"
			f.addPasswordForce(t, name)
			if withRefresh {
				_, err := f.m.Token(context.Background(), name, TokenOptions{})
				require.NoError(t, err)
				f.clock.Add(299 * time.Second) // access token expired, refresh token alive
				f.kc.ResetRequests()
				ct = &keycloakfake.CountingTransport{}
				f.m.HTTP = &http.Client{Transport: ct}
			}
			setTokenURL(t, f.m, name, bad)

			_, err := f.m.Token(context.Background(), name, TokenOptions{})
			require.Equal(t, CodeBadProfile, ErrorCode(err), "%s refresh=%v: %v", bad, withRefresh, err)
			require.Contains(t, err.Error(), `MOEX profile "main" has a token URL that is not allowed (was index.json edited?)`)
			require.Contains(t, err.Error(), "nothing was sent")
			require.Contains(t, err.Error(), "`tokenbridge moex add main --force --env play --client-id test_api --username trader`", "the fix uses the default URL, not the bad one")
			require.NotContains(t, err.Error(), testSecret)
			require.NotContains(t, err.Error(), testPassword)
			require.Zero(t, ct.Count(), "no request left the process")
			require.Empty(t, f.kc.Requests(), "the token endpoint saw nothing")
		}
	}

	// Migrate signs in too: its new URL is checked the same way.
	f.addPassword(t, "old", func(p *Profile) { p.Legacy = true; p.TokenURL = f.kc.LegacyTokenURL() })
	_, err := f.m.Migrate(context.Background(), "old", MigrateOptions{ClientID: "test_api", ClientSecret: testSecret, TokenURL: byName})
	require.Equal(t, CodeInvalid, ErrorCode(err))
	require.Contains(t, err.Error(), "not a name such as localhost")
	require.Empty(t, f.kc.Requests())
}

// stealRefresh spends the profile's saved refresh token as another holder of it would.
func (f *fixture) stealRefresh(t *testing.T, name string) {
	t.Helper()
	rt := f.secret(t, "moex/"+name+"/refresh_token")
	require.NotEmpty(t, rt)
	require.NoError(t, f.kc.SpendRefreshToken("test_api", testSecret, rt))
}

// TestReusedRefreshTokenWarns: when the server reports the saved refresh token as reused,
// the user is told (Token.Warning, or in front of the error) what it means and what to do.
func TestReusedRefreshTokenWarns(t *testing.T) {
	f := newFixture(t)
	f.addPassword(t, "main", nil)
	_, err := f.m.Token(context.Background(), "main", TokenOptions{})
	require.NoError(t, err)
	f.stealRefresh(t, "main")
	f.clock.Add(299 * time.Second)

	tok, err := f.m.Token(context.Background(), "main", TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, "grant", tok.Source, "signed in again")
	require.Contains(t, tok.Warning, `MOEX reported the saved refresh token of profile "main" as already used (Maximum allowed refresh token reuse exceeded)`)
	require.Contains(t, tok.Warning, "someone else may hold a copy of it")
	require.Contains(t, tok.Warning, "change the MOEX Passport password (and ask for a new client secret), then enter them with `tokenbridge moex add main --force --env play --client-id test_api --username trader")
	require.Contains(t, tok.Warning, "tokenbridge signed in again with the stored credentials")

	// The new session works without a warning.
	f.clock.Add(299 * time.Second)
	tok, err = f.m.Token(context.Background(), "main", TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, "refresh", tok.Source)
	require.Empty(t, tok.Warning)

	// Reused, and signing in again fails: the warning leads the error.
	f.stealRefresh(t, "main")
	f.clock.Add(299 * time.Second)
	require.NoError(t, f.m.deleteSecret(keyPassword("main")))
	_, err = f.m.Token(context.Background(), "main", TokenOptions{})
	require.Equal(t, CodeSessionEnded, ErrorCode(err))
	require.True(t, strings.HasPrefix(err.Error(), `MOEX reported the saved refresh token of profile "main" as already used`), err.Error())
	require.Contains(t, err.Error(), "; signing in again failed: the session of MOEX profile \"main\" ended and no password is stored")

	// An ended session that is not a reuse (admin logout, idle timeout) gives no warning.
	f.addPasswordForce(t, "main")
	_, err = f.m.Token(context.Background(), "main", TokenOptions{})
	require.NoError(t, err)
	f.kc.EndSessions()
	f.clock.Add(299 * time.Second)
	tok, err = f.m.Token(context.Background(), "main", TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, "grant", tok.Source)
	require.Empty(t, tok.Warning)
}

func (f *fixture) addPasswordForce(t *testing.T, name string) {
	t.Helper()
	p := Profile{Name: name, Env: EnvPlay, Grant: GrantPassword, ClientID: "test_api", Username: "trader", TokenURL: f.kc.TokenURL()}
	require.NoError(t, f.m.Add(p, Credentials{ClientSecret: testSecret, Password: testPassword}, true))
}

// TestBadClientNamesTheAuthOption: a client that takes its secret only one way gets a message
// naming the --auth value that sends it the other way.
func TestBadClientNamesTheAuthOption(t *testing.T) {
	f := newFixture(t)
	f.kc.AddClient("basic_only", keycloakfake.Client{Secret: testSecret, AcceptBasic: true})
	f.kc.AddClient("form_only", keycloakfake.Client{Secret: testSecret, AcceptForm: true})
	tests := []struct {
		client, auth, want string
	}{
		{"basic_only", AuthParams, "the client may need HTTP Basic authentication: add --auth basic (`tokenbridge moex add c --force --env play --client-id basic_only --username trader --token-url " + f.kc.TokenURL() + " --auth basic`)"},
		{"form_only", AuthBasic, "the client may take its secret as form fields instead of HTTP Basic authentication: add --auth params (`tokenbridge moex add c --force --env play --client-id form_only --username trader --token-url " + f.kc.TokenURL() + "`)"},
	}
	for _, tc := range tests {
		require.NoError(t, f.m.Add(Profile{Name: "c", Env: EnvPlay, Grant: GrantPassword, ClientID: tc.client, Username: "trader", TokenURL: f.kc.TokenURL(), AuthStyle: tc.auth},
			Credentials{ClientSecret: testSecret, Password: testPassword}, true))
		_, err := f.m.Token(context.Background(), "c", TokenOptions{})
		require.Equal(t, CodeBadClient, ErrorCode(err))
		require.Contains(t, err.Error(), tc.want)
		require.NotContains(t, err.Error(), testSecret)
	}
}

// TestDisplayTextStripsInvisible: unverified claims and server texts lose every character
// that could make them print as something else.
func TestDisplayTextStripsInvisible(t *testing.T) {
	hostile := "a\x1b[2Jb\rc\u0085d\u009be\u202ef\u202ag\u2066h\u2069i\u200ej\u200fk\u061cl\x7fm\x00n"
	kc := keycloakfake.New()
	defer kc.Close()
	c, err := DecodeClaims(kc.MakeJWT(map[string]any{"sub": hostile, "iss": "https://sso.moex.com/\u202eevil", "scope": "profile\u2067 email"}))
	require.NoError(t, err)
	require.Equal(t, "a[2Jbcdefghijklmn", c.String("sub"))
	require.Equal(t, "https://sso.moex.com/evil", c.String("iss"))
	require.Equal(t, "profile email", c.String("scope"))
	require.Equal(t, "Иван Петров ✓", displayText("Иван Петров ✓"), "ordinary text stays")

	p := &Profile{Name: "main", Username: "trader", ClientID: "c", Env: EnvPlay, Grant: GrantPassword, TokenURL: PlayTokenURL}
	err = classify(&oauth2.RetrieveError{ErrorCode: "invalid_grant", ErrorDescription: "Invalid\u202e user\x1b credentials\u0085"}, p, GrantPassword)
	require.Contains(t, err.Error(), "(Invalid user credentials)")
	require.NotContains(t, err.Error(), "\u202e")
}
