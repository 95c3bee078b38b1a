package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestResolveAPI(t *testing.T) {
	const cfgPath = "/home/u/.config/tokenbridge/config.json"
	tests := []struct {
		name    string
		env     map[string]string
		cfg     APIOverrides
		want    APISettings // ConfigPath and Overrides are checked separately
		allowed []string    // AllowedBy of each override, in order ("" = refused)
		err     []string    // substrings of the error
	}{
		{name: "nothing set"},
		{name: "loopback v4 fake (the e2e setup)",
			env:     map[string]string{EnvTInvestURL: "http://127.0.0.1:4123/prod/rest", EnvTInvestSandboxURL: "http://127.0.0.1:4123/sandbox/rest"},
			want:    APISettings{TInvestURL: "http://127.0.0.1:4123/prod/rest", TInvestSandboxURL: "http://127.0.0.1:4123/sandbox/rest"},
			allowed: []string{AllowedLoopback, AllowedLoopback}},
		{name: "loopback v6 and 127/8",
			env:     map[string]string{EnvTInvestURL: "https://[::1]:8443/rest", EnvTInvestSandboxURL: "https://127.8.9.10/rest"},
			want:    APISettings{TInvestURL: "https://[::1]:8443/rest", TInvestSandboxURL: "https://127.8.9.10/rest"},
			allowed: []string{AllowedLoopback, AllowedLoopback}},
		{name: "bank hosts, old and new",
			env:     map[string]string{EnvTInvestURL: "https://invest-public-api.tinkoff.ru/rest", EnvTInvestSandboxURL: "https://SANDBOX-invest-public-api.tbank.ru/rest"},
			want:    APISettings{TInvestURL: "https://invest-public-api.tinkoff.ru/rest", TInvestSandboxURL: "https://SANDBOX-invest-public-api.tbank.ru/rest"},
			allowed: []string{AllowedBankHost, AllowedBankHost}},
		{name: "foreign host refused",
			env:     map[string]string{EnvTInvestURL: "https://collector.example/rest"},
			allowed: []string{""},
			err: []string{`TOKENBRIDGE_TINVEST_URL="https://collector.example/rest" would send every token checked to collector.example`,
				"unset TOKENBRIDGE_TINVEST_URL", `allow it in ` + cfgPath + ` with "api_overrides": {"tinvest_url": "https://collector.example/rest"}`}},
		{name: "look-alike bank host refused",
			env:     map[string]string{EnvTInvestSandboxURL: "https://sandbox-invest-public-api.tbank.ru.example/rest"},
			allowed: []string{""}, err: []string{"TOKENBRIDGE_TINVEST_SANDBOX_URL=", `{"tinvest_sandbox_url": `}},
		{name: "localhost is a name, not an address",
			env:     map[string]string{EnvTInvestURL: "http://localhost:1/rest"},
			allowed: []string{""}, err: []string{"neither a loopback address"}},
		{name: "user info trick refused",
			env:     map[string]string{EnvTInvestURL: "https://127.0.0.1@collector.example/rest"},
			allowed: []string{""}, err: []string{"to collector.example"}},
		{name: "foreign host named in config.json",
			env:     map[string]string{EnvTInvestURL: "https://proxy.corp.example/rest/"},
			cfg:     APIOverrides{TInvestURL: "https://proxy.corp.example/rest"},
			want:    APISettings{TInvestURL: "https://proxy.corp.example/rest/"},
			allowed: []string{AllowedConfig}},
		{name: "config.json names another host than the env",
			env:     map[string]string{EnvTInvestURL: "https://collector.example/rest"},
			cfg:     APIOverrides{TInvestURL: "https://proxy.corp.example/rest"},
			allowed: []string{""}, err: []string{"collector.example"}},
		{name: "override only in config.json",
			cfg:     APIOverrides{TInvestSandboxURL: "https://proxy.corp.example/sandbox", TInvestCA: "/etc/corp-ca.pem"},
			want:    APISettings{TInvestSandboxURL: "https://proxy.corp.example/sandbox", TInvestCA: "/etc/corp-ca.pem", CAInConfig: true},
			allowed: []string{AllowedConfig, AllowedConfig}},
		{name: "env CA with loopback URLs (local TLS fake)",
			env:     map[string]string{EnvTInvestURL: "https://127.0.0.1:1/p", EnvTInvestSandboxURL: "https://127.0.0.1:1/s", EnvTInvestCA: "/tmp/ca.pem"},
			want:    APISettings{TInvestURL: "https://127.0.0.1:1/p", TInvestSandboxURL: "https://127.0.0.1:1/s", TInvestCA: "/tmp/ca.pem"},
			allowed: []string{AllowedLoopback, AllowedLoopback, AllowedLoopback}},
		{name: "env CA for the bank's hosts refused",
			env:     map[string]string{EnvTInvestCA: "/tmp/ca.pem"},
			allowed: []string{""},
			err:     []string{`TOKENBRIDGE_TINVEST_CA="/tmp/ca.pem" would make tokenbridge trust`, `"api_overrides": {"tinvest_ca": "/tmp/ca.pem"}`}},
		{name: "env CA with only one loopback URL refused",
			env:     map[string]string{EnvTInvestURL: "http://127.0.0.1:1/p", EnvTInvestCA: "/tmp/ca.pem"},
			want:    APISettings{TInvestURL: "http://127.0.0.1:1/p"},
			allowed: []string{AllowedLoopback, ""}, err: []string{"TOKENBRIDGE_TINVEST_CA="}},
		{name: "env CA named in config.json",
			env:     map[string]string{EnvTInvestCA: "/etc/./corp-ca.pem"},
			cfg:     APIOverrides{TInvestCA: "/etc/corp-ca.pem"},
			want:    APISettings{TInvestCA: "/etc/./corp-ca.pem", CAInConfig: true},
			allowed: []string{AllowedConfig}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &Config{APIOverrides: tc.cfg}
			got, err := c.ResolveAPI(func(k string) string { return tc.env[k] }, cfgPath)
			if len(tc.err) == 0 {
				require.NoError(t, err)
			}
			for _, e := range tc.err {
				require.ErrorContains(t, err, e)
			}
			require.Equal(t, cfgPath, got.ConfigPath)
			require.Len(t, got.Overrides, len(tc.allowed))
			for i, o := range got.Overrides {
				require.Equal(t, tc.allowed[i], o.AllowedBy, o.Setting)
				require.Equal(t, tc.allowed[i] == "", o.Refused != "", o.Setting)
				require.NotEmpty(t, o.Value)
				require.Contains(t, o.ConfigKey, "api_overrides.")
			}
			got.ConfigPath, got.Overrides = "", nil
			require.Equal(t, tc.want, got, "a refused override never takes effect")
		})
	}
}

func TestActiveOverrides(t *testing.T) {
	home := t.TempDir()
	t.Setenv("TOKENBRIDGE_HOME", home)
	t.Setenv(EnvTInvestURL, "")
	t.Setenv(EnvTInvestSandboxURL, "")
	t.Setenv(EnvTInvestCA, "")
	got, err := ActiveOverrides()
	require.NoError(t, err)
	require.Empty(t, got)

	t.Setenv(EnvTInvestURL, "https://collector.example/rest")
	t.Setenv(EnvTInvestSandboxURL, "http://127.0.0.1:9/rest")
	got, err = ActiveOverrides()
	require.NoError(t, err, "refused overrides are listed, not an error")
	require.Len(t, got, 2)
	require.Equal(t, "env", got[0].Source)
	require.Contains(t, got[0].Refused, filepath.Join(home, "config.json"))
	require.Equal(t, AllowedLoopback, got[1].AllowedBy)

	// Allowing it in config.json (round trip through Save and Load).
	d := Dirs{Home: home}
	c := &Config{APIOverrides: APIOverrides{TInvestURL: "https://collector.example/rest"}}
	require.NoError(t, c.Save(d))
	raw, err := os.ReadFile(d.Config())
	require.NoError(t, err)
	require.Contains(t, string(raw), `"api_overrides": {`)
	s, err := LoadAPI()
	require.NoError(t, err)
	require.Equal(t, "https://collector.example/rest", s.TInvestURL)
	require.Equal(t, AllowedConfig, s.Overrides[0].AllowedBy)

	require.NoError(t, os.WriteFile(d.Config(), []byte("{"), 0o600))
	_, err = ActiveOverrides()
	require.ErrorContains(t, err, "not valid JSON")
}
