package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOverrideNameReason(t *testing.T) {
	tests := []struct {
		name       string
		o          Override
		wantName   string
		wantReason string
	}{
		{"env loopback", Override{Setting: EnvTInvestURL, ConfigKey: "api_overrides.tinvest_url", Source: "env", AllowedBy: AllowedLoopback},
			EnvTInvestURL, "loopback address"},
		{"env CA for loopback fakes", Override{Setting: EnvTInvestCA, Source: "env", AllowedBy: AllowedLoopback},
			EnvTInvestCA, "both T-Invest addresses"},
		{"bank host", Override{Setting: EnvTInvestSandboxURL, Source: "env", AllowedBy: AllowedBankHost},
			EnvTInvestSandboxURL, "bank's own"},
		{"config only", Override{Setting: EnvTInvestCA, ConfigKey: "api_overrides.tinvest_ca", Source: "config", AllowedBy: AllowedConfig},
			"api_overrides.tinvest_ca", "set in config.json"},
		{"env named in config", Override{Setting: EnvTInvestURL, ConfigKey: "api_overrides.tinvest_url", Source: "env", AllowedBy: AllowedConfig},
			EnvTInvestURL, "names the same value"},
		{"refused", Override{Setting: EnvTInvestURL, Source: "env", Refused: "unset it"},
			EnvTInvestURL, "refused (T-Invest checks fail until it is fixed): unset it"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.wantName, tc.o.Name())
			require.Contains(t, tc.o.Reason(), tc.wantReason)
		})
	}
}
