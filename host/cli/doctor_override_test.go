package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// doctor shows each active API override as a warning row (exit code unchanged) and a
// refused one as a problem (exit 1).
func TestDoctorOverrideRows(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home) // no browser manifests of the real user
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	tbHome := t.TempDir()
	t.Setenv("TOKENBRIDGE_HOME", tbHome)
	mem := secretstore.NewMemory()
	doctor := func(t *testing.T, env map[string]string) (int, string) {
		t.Helper()
		for _, k := range []string{config.EnvTInvestURL, config.EnvTInvestSandboxURL, config.EnvTInvestCA} {
			t.Setenv(k, env[k])
		}
		var out, errb bytes.Buffer
		code := Run(&Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Secrets: mem}, []string{"doctor", "--check"})
		return code, out.String() + errb.String()
	}
	baseCode, baseOut := doctor(t, nil)
	require.NotContains(t, baseOut, "api override")
	// The machine may lack browser manifests: count problems, not just the exit code.
	problems := func(out string) int {
		m := regexp.MustCompile(`(\d+) problem\(s\) found`).FindStringSubmatch(out)
		if m == nil {
			return 0
		}
		n, err := strconv.Atoi(m[1])
		require.NoError(t, err)
		return n
	}
	base := problems(baseOut)

	cfgPath := config.Dirs{Home: tbHome}.Config()
	tests := []struct {
		name  string
		env   map[string]string
		code  int
		extra int      // problems beyond the machine's
		lines []string // substrings of one output line each
	}{
		{"loopback fake is a warning", map[string]string{config.EnvTInvestURL: "http://127.0.0.1:4123/prod/rest", config.EnvTInvestSandboxURL: "http://127.0.0.1:4123/sb/rest"},
			baseCode, 0, []string{"api override", config.EnvTInvestURL + "=http://127.0.0.1:4123/prod/rest", "warning", "loopback address"}},
		{"bank host is a warning", map[string]string{config.EnvTInvestURL: "https://invest-public-api.tinkoff.ru/rest"},
			baseCode, 0, []string{config.EnvTInvestURL + "=https://invest-public-api.tinkoff.ru/rest", "warning", "bank's own"}},
		{"refused host is a problem", map[string]string{config.EnvTInvestURL: "https://collector.example/rest"},
			ExitFailure, 1, []string{config.EnvTInvestURL + "=https://collector.example/rest", "PROBLEM", "refused", cfgPath}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out := doctor(t, tc.env)
			require.Equal(t, tc.code, code, out)
			require.Equal(t, base+tc.extra, problems(out), out)
			var line string
			for _, l := range strings.Split(out, "\n") {
				if strings.Contains(l, tc.lines[1]) {
					line = l
				}
			}
			require.NotEmpty(t, line, out)
			for _, w := range tc.lines {
				require.Contains(t, line, w)
			}
		})
	}

	t.Run("config.json override is a warning", func(t *testing.T) {
		require.NoError(t, os.WriteFile(cfgPath, []byte(`{"api_overrides": {"tinvest_ca": "/etc/corp-ca.pem"}}`), 0o600))
		defer os.Remove(cfgPath)
		code, out := doctor(t, nil)
		require.Equal(t, baseCode, code, out)
		require.Equal(t, base, problems(out), out)
		require.Regexp(t, `api override\s+api_overrides.tinvest_ca=/etc/corp-ca.pem\s+warning\s+accepted: set in config.json`, out)
	})
}
