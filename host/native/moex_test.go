package native

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/moex/keycloakfake"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// moexEnv is a host with profiles "trader" and "otpuser" (who needs a one-time code) on a
// fake MOEX SSO.
func moexEnv(t *testing.T) (*Env, *secretstore.Memory, *keycloakfake.Server) {
	t.Helper()
	env, mem := testEnv(t)
	kc := keycloakfake.New()
	t.Cleanup(kc.Close)
	kc.AddClient("test_api", keycloakfake.Client{Secret: "cs-native"})
	kc.AddUser("trader", keycloakfake.User{Password: "pw-native"})
	kc.AddUser("otpuser", keycloakfake.User{Password: "pw-native", OTP: "123456"})
	for _, u := range []string{"trader", "otpuser"} {
		require.NoError(t, env.Moex.Add(moex.Profile{Name: u, Env: moex.EnvPlay, Grant: moex.GrantPassword, ClientID: "test_api",
			Username: u, TokenURL: kc.TokenURL()}, moex.Credentials{ClientSecret: "cs-native", Password: "pw-native"}, false))
	}
	return env, mem, kc
}

func TestMoexListAndToken(t *testing.T) {
	env, mem, kc := moexEnv(t)
	m := env.Moex

	a := call(t, env, `{"id":"1","cmd":"moex_list"}`)
	require.True(t, a.OK, string(a.Raw))
	var lr struct{ Profiles []moex.ListEntry }
	require.NoError(t, json.Unmarshal(a.Raw, &lr))
	require.Len(t, lr.Profiles, 2)
	require.Equal(t, "no_token", lr.Profiles[0].Status)
	require.Nil(t, lr.Profiles[0].AccessExpiresAt)

	a = call(t, env, `{"id":"2","cmd":"moex_token","name":"trader","purpose":"copy"}`)
	require.True(t, a.OK, string(a.Raw))
	var tr struct {
		AccessToken string `json:"access_token"`
		ExpiresAt   string `json:"expires_at"`
	}
	require.NoError(t, json.Unmarshal(a.Raw, &tr))
	saved, err := mem.Get("moex/trader/access_token")
	require.NoError(t, err)
	require.Equal(t, saved, tr.AccessToken)
	exp, err := time.Parse(time.RFC3339, tr.ExpiresAt)
	require.NoError(t, err)
	require.True(t, exp.After(time.Now()))

	a = call(t, env, `{"id":"3","cmd":"moex_list"}`)
	require.True(t, a.OK)
	require.NotContains(t, string(a.Raw), saved)
	require.NotContains(t, string(a.Raw), "cs-native")
	require.NotContains(t, string(a.Raw), "pw-native")
	require.NoError(t, json.Unmarshal(a.Raw, &lr))
	for _, p := range lr.Profiles {
		if p.Name == "trader" {
			require.Equal(t, "ok", p.Status)
			require.NotNil(t, p.RefreshExpiresAt)
		}
	}

	cases := []struct{ req, code string }{
		{`{"id":"4","cmd":"moex_token","name":"nope","purpose":"copy"}`, CodeNotFound},
		{`{"id":"5","cmd":"moex_token","name":"Bad/Name","purpose":"copy"}`, CodeBadRequest},
		{`{"id":"6","cmd":"moex_token","name":"trader"}`, CodeBadRequest},
		{`{"id":"7","cmd":"moex_token","name":"trader","purpose":"fill"}`, CodeBadRequest},
		{`{"id":"8","cmd":"moex_token","purpose":"copy"}`, CodeBadRequest},
		{`{"id":"9","cmd":"moex_token","name":"trader","purpose":"copy","otp":"1"}`, CodeBadRequest},
		{`{"id":"10","cmd":"moex_list","x":1}`, CodeBadRequest},
		{`{"id":"11","cmd":"moex_token","name":"otpuser","purpose":"copy"}`, CodeMoexAuth},
	}
	for _, tc := range cases {
		a := call(t, env, tc.req)
		require.False(t, a.OK, tc.req)
		require.Equal(t, tc.code, a.Error.Code, tc.req)
		require.NotContains(t, a.Error.Message, "pw-native")
		require.NotContains(t, a.Error.Message, "cs-native")
	}

	kc.Close()
	require.NoError(t, m.Logout("trader"))
	a = call(t, env, `{"id":"12","cmd":"moex_token","name":"trader","purpose":"copy"}`)
	require.False(t, a.OK)
	require.Equal(t, CodeUpstream, a.Error.Code)
}

// TestMoexAuthMessages: moex_auth messages name the real profile and the command to run, an
// edited token URL sends nothing, and a refresh token reported as reused is shown as a
// warning with the token (or in front of the error).
func TestMoexAuthMessages(t *testing.T) {
	env, mem, kc := moexEnv(t)

	a := call(t, env, `{"id":"1","cmd":"moex_token","name":"otpuser","purpose":"copy"}`)
	require.False(t, a.OK)
	require.Equal(t, CodeMoexAuth, a.Error.Code)
	require.Contains(t, a.Error.Message, "sign in once with `tokenbridge moex token otpuser --otp CODE`")
	require.Contains(t, a.Error.Message, "`tokenbridge moex add otpuser --force --env play --client-id test_api --username otpuser")
	require.NotContains(t, a.Error.Message, "NAME")

	// Reused refresh token: the answer carries the token and a warning.
	a = call(t, env, `{"id":"2","cmd":"moex_token","name":"trader","purpose":"copy"}`)
	require.True(t, a.OK, string(a.Raw))
	require.NotContains(t, string(a.Raw), `"warning"`)
	rt, err := mem.Get("moex/trader/refresh_token")
	require.NoError(t, err)
	require.NoError(t, kc.SpendRefreshToken("test_api", "cs-native", rt))
	editProfiles(t, env, func(p *moex.Profile) { p.AccessExpiresAt = time.Now().Add(-time.Minute).UTC() })
	a = call(t, env, `{"id":"3","cmd":"moex_token","name":"trader","purpose":"copy"}`)
	require.True(t, a.OK, string(a.Raw))
	var wr struct {
		AccessToken string `json:"access_token"`
		Warning     string `json:"warning"`
	}
	require.NoError(t, json.Unmarshal(a.Raw, &wr))
	require.NotEmpty(t, wr.AccessToken)
	require.Contains(t, wr.Warning, `MOEX reported the saved refresh token of profile "trader" as already used`)
	require.NotContains(t, wr.Warning, rt)

	// Edited token URL: moex_auth, nothing sent.
	editProfiles(t, env, func(p *moex.Profile) {
		p.TokenURL = "http://any-host/"
		p.AccessExpiresAt = time.Now().Add(-time.Minute).UTC()
	})
	kc.ResetRequests()
	a = call(t, env, `{"id":"4","cmd":"moex_token","name":"trader","purpose":"copy"}`)
	require.False(t, a.OK)
	require.Equal(t, CodeMoexAuth, a.Error.Code)
	require.Contains(t, a.Error.Message, `MOEX profile "trader" has a token URL that is not allowed`)
	require.Contains(t, a.Error.Message, "nothing was sent")
	require.Empty(t, kc.Requests())
}

// editProfiles changes every profile in index.json, as a person or program editing it would.
func editProfiles(t *testing.T, env *Env, edit func(*moex.Profile)) {
	t.Helper()
	require.NoError(t, moex.IndexProfiles{File: env.Vault.Index}.Modify(func(ps []moex.Profile) ([]moex.Profile, error) {
		for i := range ps {
			edit(&ps[i])
		}
		return ps, nil
	}))
}
