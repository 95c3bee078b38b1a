package native

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/config"
)

type fillOriginsAnswer struct {
	Builtin []string `json:"builtin"`
	Added   []string `json:"added"`
	Origin  string   `json:"origin"`
}

func fillOriginsOf(t *testing.T, a answer) fillOriginsAnswer {
	t.Helper()
	var r fillOriginsAnswer
	require.NoError(t, json.Unmarshal(a.Raw, &r))
	return r
}

// allow_fill_origin adds an https origin to config.json's fill_origins
// (normalized, shape re-checked), get for fill and record_use then accept
// it, remove_fill_origin takes it away again; built-in origins stay.
func TestFillOriginAllowlist(t *testing.T) {
	env, _ := testEnv(t)
	id := call(t, env, storeReq(tok1)).Token.ID
	get := func(origin string) answer {
		return call(t, env, fmt.Sprintf(`{"id":"g","cmd":"get","token_id":%q,"purpose":"fill","origin":%q}`, id, origin))
	}
	const site = "https://tracker.example-invest.test"
	require.Equal(t, CodeTargetDenied, get(site).Error.Code, "not allowed before")

	a := call(t, env, `{"id":"a","cmd":"allow_fill_origin","origin":"https://TRACKER.example-invest.test:443"}`)
	require.True(t, a.OK, "%+v", a.Error)
	r := fillOriginsOf(t, a)
	require.Equal(t, site, r.Origin, "normalized")
	require.Equal(t, []string{site}, r.Added)
	require.Equal(t, config.DefaultFillOrigins["tinvest"], r.Builtin)
	require.True(t, get(site).OK, "get for fill is allowed now")
	require.True(t, call(t, env, fmt.Sprintf(`{"id":"u","cmd":"record_use","token_id":%q,"origin":%q}`, id, site)).OK)

	// Saved: a new process reads the same allowlist from config.json.
	disk, err := config.Load(config.Dirs{Home: configDirs(env).Home})
	require.NoError(t, err)
	require.True(t, disk.FillAllowed("tinvest", site))
	require.Equal(t, []string{site}, fillOriginsOf(t, call(t, env, `{"id":"l","cmd":"list_fill_origins"}`)).Added)

	// Twice is once.
	require.Equal(t, []string{site}, fillOriginsOf(t, call(t, env, fmt.Sprintf(`{"id":"a2","cmd":"allow_fill_origin","origin":%q}`, site))).Added)

	rm := call(t, env, fmt.Sprintf(`{"id":"r","cmd":"remove_fill_origin","origin":%q}`, site))
	require.True(t, rm.OK, "%+v", rm.Error)
	require.Empty(t, fillOriginsOf(t, rm).Added)
	require.Equal(t, CodeTargetDenied, get(site).Error.Code, "denied again after removal")
	disk, err = config.Load(config.Dirs{Home: configDirs(env).Home})
	require.NoError(t, err)
	require.False(t, disk.FillAllowed("tinvest", site))
}

func TestFillOriginAllowlistRefuses(t *testing.T) {
	tests := []struct {
		name, req, code string
	}{
		{"http", `{"id":"x","cmd":"allow_fill_origin","origin":"http://example.org"}`, CodeBadRequest},
		{"path", `{"id":"x","cmd":"allow_fill_origin","origin":"https://example.org/profile"}`, CodeBadRequest},
		{"user info", `{"id":"x","cmd":"allow_fill_origin","origin":"https://a@example.org"}`, CodeBadRequest},
		{"query", `{"id":"x","cmd":"allow_fill_origin","origin":"https://example.org?x=1"}`, CodeBadRequest},
		{"javascript", `{"id":"x","cmd":"allow_fill_origin","origin":"javascript:alert(1)"}`, CodeBadRequest},
		{"missing", `{"id":"x","cmd":"allow_fill_origin"}`, CodeBadRequest},
		{"other provider", `{"id":"x","cmd":"allow_fill_origin","provider":"generic","origin":"https://example.org"}`, CodeBadRequest},
		{"built-in removal", `{"id":"x","cmd":"remove_fill_origin","origin":"https://logos-up.com"}`, CodeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := testEnv(t)
			a := call(t, env, tt.req)
			require.False(t, a.OK)
			require.Equal(t, tt.code, a.Error.Code, a.Error.Message)
			require.Empty(t, env.Config.FillOriginsOf("tinvest").Added, "nothing added")
		})
	}
}
