package native

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/trust"
)

func TestHelloOverrides(t *testing.T) {
	type want struct{ setting, value, reason string }
	tests := []struct {
		name    string
		env     map[string]string
		cfg     config.APIOverrides
		want    []want
		refused []bool
	}{
		{name: "none", want: []want{}},
		{name: "loopback fake", env: map[string]string{config.EnvTInvestURL: "http://127.0.0.1:1/prod/rest", config.EnvTInvestSandboxURL: "http://127.0.0.1:1/sb/rest"},
			want:    []want{{config.EnvTInvestURL, "http://127.0.0.1:1/prod/rest", "loopback address"}, {config.EnvTInvestSandboxURL, "http://127.0.0.1:1/sb/rest", "loopback address"}},
			refused: []bool{false, false}},
		{name: "refused foreign host is listed", env: map[string]string{config.EnvTInvestURL: "https://collector.example/rest"},
			want: []want{{config.EnvTInvestURL, "https://collector.example/rest", "refused"}}, refused: []bool{true}},
		{name: "CA named in config.json", cfg: config.APIOverrides{TInvestCA: "/etc/corp-ca.pem"},
			want: []want{{"api_overrides.tinvest_ca", "/etc/corp-ca.pem", "set in config.json"}}, refused: []bool{false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{config.EnvTInvestURL, config.EnvTInvestSandboxURL, config.EnvTInvestCA} {
				t.Setenv(k, tc.env[k])
			}
			env, _ := testEnv(t)
			env.Config.APIOverrides = tc.cfg
			a := call(t, env, `{"id":"h","cmd":"hello"}`)
			require.True(t, a.OK)
			var res struct {
				Overrides []map[string]any `json:"overrides"`
			}
			require.NoError(t, json.Unmarshal(a.Raw, &res))
			require.Contains(t, string(a.Raw), `"overrides":[`, "an array, never null")
			require.Len(t, res.Overrides, len(tc.want))
			for i, o := range res.Overrides {
				keys := make([]string, 0, len(o))
				for k := range o {
					keys = append(keys, k)
				}
				require.ElementsMatch(t, []string{"setting", "value", "reason", "refused"}, keys, "the simple shape")
				require.Equal(t, tc.want[i].setting, o["setting"])
				require.Equal(t, tc.want[i].value, o["value"])
				require.Contains(t, o["reason"], tc.want[i].reason)
				require.Equal(t, tc.refused[i], o["refused"])
				if tc.refused[i] {
					require.Contains(t, o["reason"], env.ConfigPath, "a refused override names the fix")
				}
			}
		})
	}
}

func TestCertificateCode(t *testing.T) {
	hs := httptest.NewTLSServer(http.NotFoundHandler())
	defer hs.Close()
	_, err := (&http.Client{Transport: trust.Transport(trust.Pool())}).Get(hs.URL)
	require.Error(t, err)
	ce, ok := trust.AsCertificateError(err, "T-Invest API host", "invest-public-api.tbank.ru", "name it in config.json")
	require.True(t, ok)
	tests := []struct {
		name string
		err  error
	}{
		{name: "certificate error", err: ce},
		{name: "wrapped", err: errors.Join(errors.New("context"), ce)},
		{name: "moex certificate error", err: moexError(&moex.Error{Code: moex.CodeCertificate, Msg: ce.Error(), Err: ce})},
		{name: "moex unusable CA file", err: moexError(&moex.Error{Code: moex.CodeCertificate, Msg: "MOEX client: cannot open CA file"})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pe := codeFor(tc.err)
			require.Equal(t, CodeCertificate, pe.Code)
			require.NotContains(t, pe.Message, "host error")
			require.NotEmpty(t, pe.Message)
		})
	}
	require.Contains(t, codeFor(ce).Message, "invest-public-api.tbank.ru presented a TLS certificate tokenbridge does not trust")
}
