package native

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/moex/keycloakfake"
)

func TestMoexListAndToken(t *testing.T) {
	env, mem := testEnv(t)
	kc := keycloakfake.New()
	defer kc.Close()
	kc.AddClient("test_api", keycloakfake.Client{Secret: "cs-native"})
	kc.AddUser("trader", keycloakfake.User{Password: "pw-native"})
	kc.AddUser("otpuser", keycloakfake.User{Password: "pw-native", OTP: "123456"})
	m := env.Moex
	for _, u := range []string{"trader", "otpuser"} {
		require.NoError(t, m.Add(moex.Profile{Name: u, Env: moex.EnvPlay, Grant: moex.GrantPassword, ClientID: "test_api",
			Username: u, TokenURL: kc.TokenURL()}, moex.Credentials{ClientSecret: "cs-native", Password: "pw-native"}, false))
	}

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
