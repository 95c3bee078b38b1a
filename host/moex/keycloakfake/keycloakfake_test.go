package keycloakfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type answer struct {
	status int
	body   map[string]any
}

func post(t *testing.T, u string, form url.Values, basic []string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic != nil {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), string(b))
	return answer{resp.StatusCode, m}
}

func TestErrorsMatchKeycloak(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddClient("c", Client{Secret: "sec"})
	s.AddUser("u", User{Password: "pw", OTP: "111"})
	cases := []struct {
		name   string
		form   url.Values
		basic  []string
		status int
		code   string
		desc   string
	}{
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {"c"}, "client_secret": {"x"}}, nil, 401, "unauthorized_client", "Invalid client or Invalid client credentials"},
		{"unknown client", url.Values{"grant_type": {"client_credentials"}, "client_id": {"zz"}, "client_secret": {"x"}}, nil, 401, "unauthorized_client", "Invalid client or Invalid client credentials"},
		{"wrong password", url.Values{"grant_type": {"password"}, "client_id": {"c"}, "client_secret": {"sec"}, "username": {"u"}, "password": {"no"}, "otp": {"111"}}, nil, 401, "invalid_grant", "Invalid user credentials"},
		{"missing otp", url.Values{"grant_type": {"password"}, "username": {"u"}, "password": {"pw"}}, []string{"c", "sec"}, 401, "invalid_grant", "Invalid user credentials"},
		{"missing grant", url.Values{"client_id": {"c"}, "client_secret": {"sec"}}, nil, 400, "invalid_request", "Missing form parameter: grant_type"},
		{"unsupported grant", url.Values{"grant_type": {"passport"}, "client_id": {"c"}, "client_secret": {"sec"}}, nil, 400, "unsupported_grant_type", "Unsupported grant_type"},
		{"bad refresh", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"a.b.c"}}, []string{"c", "sec"}, 400, "invalid_grant", "Invalid refresh token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := post(t, s.TokenURL(), tc.form, tc.basic)
			require.Equal(t, tc.status, a.status)
			require.Equal(t, tc.code, a.body["error"])
			require.Equal(t, tc.desc, a.body["error_description"])
		})
	}
	require.Len(t, s.Requests(), len(cases))

	resp, err := http.Get(s.TokenURL())
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func TestNewFormatAndRotation(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddClient("c", Client{Secret: "sec", AcceptBasic: true})
	s.AddUser("u", User{Password: "pw", OTP: "111"})

	// A Basic-only client refuses form credentials.
	a := post(t, s.TokenURL(), url.Values{"grant_type": {"password"}, "client_id": {"c"}, "client_secret": {"sec"}, "username": {"u"}, "password": {"pw"}, "otp": {"111"}}, nil)
	require.Equal(t, 401, a.status)

	a = post(t, s.TokenURL(), url.Values{"grant_type": {"password"}, "username": {"u"}, "password": {"pw"}, "otp": {"111"}}, []string{"c", "sec"})
	require.Equal(t, 200, a.status)
	for _, k := range []string{"access_token", "expires_in", "refresh_expires_in", "refresh_token", "token_type", "not-before-policy", "session_state", "scope"} {
		require.Contains(t, a.body, k)
	}
	require.True(t, strings.HasPrefix(a.body["access_token"].(string), "eyJhbGciOiJSUzI1NiIs"))
	require.True(t, strings.HasPrefix(a.body["refresh_token"].(string), "eyJhbGciOiJIUzI1NiIs"))
	claims, ok := s.verify(a.body["refresh_token"].(string))
	require.True(t, ok)
	require.Equal(t, "Refresh", claims["typ"])
	access, ok := s.verify(a.body["access_token"].(string))
	require.True(t, ok)
	for _, k := range []string{"exp", "iat", "jti", "iss", "aud", "sub", "typ", "azp", "session_state", "realm_access", "scope", "email_verified", "name", "preferred_username", "given_name", "family_name", "email"} {
		require.Contains(t, access, k)
	}

	rt1 := a.body["refresh_token"].(string)
	a = post(t, s.TokenURL(), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt1}}, []string{"c", "sec"})
	require.Equal(t, 200, a.status)
	rt2 := a.body["refresh_token"].(string)
	require.NotEqual(t, rt1, rt2)

	// Reuse ends the session.
	a = post(t, s.TokenURL(), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt1}}, []string{"c", "sec"})
	require.Equal(t, 400, a.status)
	require.Equal(t, "Maximum allowed refresh token reuse exceeded", a.body["error_description"])
	a = post(t, s.TokenURL(), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt2}}, []string{"c", "sec"})
	require.Equal(t, 400, a.status)
	require.Equal(t, "Session not active", a.body["error_description"])
	require.Equal(t, 1, s.Refreshes())
}

func TestLegacyFormat(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddClient("c", Client{Secret: "sec"})
	s.AddUser("u", User{Password: "pw"})
	a := post(t, s.LegacyTokenURL(), url.Values{"grant_type": {"passport"}, "client_id": {"c"}, "client_secret": {"sec"}, "username": {"u"}, "password": {"pw"}}, nil)
	require.Equal(t, 200, a.status)
	require.Equal(t, "passport", a.body["grant_type"])
	require.Equal(t, "Bearer", a.body["token_type"])
	require.Equal(t, float64(3599), a.body["expires_in"])
	require.Len(t, a.body["access_token"], 36)
	require.NotContains(t, a.body, "refresh_expires_in")
	a = post(t, s.LegacyTokenURL(), url.Values{"grant_type": {"password"}, "client_id": {"c"}, "client_secret": {"sec"}}, nil)
	require.Equal(t, "unsupported_grant_type", a.body["error"])
}
