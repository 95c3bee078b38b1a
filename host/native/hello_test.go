package native

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/trust"
)

func TestHelloOverrides(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		cfg     config.APIOverrides
		allowed []string // allowed_by per listed override, "" = refused
	}{
		{name: "none", allowed: []string{}},
		{name: "loopback fake", env: map[string]string{config.EnvTInvestURL: "http://127.0.0.1:1/prod/rest", config.EnvTInvestSandboxURL: "http://127.0.0.1:1/sb/rest"},
			allowed: []string{config.AllowedLoopback, config.AllowedLoopback}},
		{name: "refused foreign host is listed", env: map[string]string{config.EnvTInvestURL: "https://collector.example/rest"}, allowed: []string{""}},
		{name: "CA named in config.json", cfg: config.APIOverrides{TInvestCA: "/etc/corp-ca.pem"}, allowed: []string{config.AllowedConfig}},
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
				Overrides []config.Override `json:"overrides"`
			}
			require.NoError(t, json.Unmarshal(a.Raw, &res))
			require.Contains(t, string(a.Raw), `"overrides":[`, "an array, never null")
			require.Len(t, res.Overrides, len(tc.allowed))
			for i, o := range res.Overrides {
				require.Equal(t, tc.allowed[i], o.AllowedBy)
				require.Equal(t, tc.allowed[i] == "", strings.Contains(o.Refused, env.ConfigPath), o.Refused)
				require.NotEmpty(t, o.Setting)
				require.NotEmpty(t, o.Value)
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
