package vault

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/limits"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// A secret over its provider's limit is secretstore.ErrTooLarge
// (protocol code too_large), not merely invalid.
func TestStoreTooLarge(t *testing.T) {
	tests := []struct {
		name string
		in   StoreInput
	}{
		{"T-Invest token over 512 characters", StoreInput{Provider: ProviderTInvest, Secret: "t." + strings.Repeat("a", limits.MaxTokenLen-1)}},
		{"1 MiB T-Invest token", StoreInput{Provider: ProviderTInvest, Secret: "t." + strings.Repeat("a", 1<<20)}},
		{"generic secret over 4096 bytes", StoreInput{Provider: ProviderGeneric, Secret: strings.Repeat("я", limits.MaxSecret/2+1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, mem := newTestVault(t)
			_, _, err := v.Store(tt.in)
			require.ErrorIs(t, err, secretstore.ErrTooLarge)
			require.Zero(t, mem.Len())
		})
	}
	v, _ := newTestVault(t)
	_, _, err := v.Store(StoreInput{Provider: ProviderGeneric, Secret: strings.Repeat("x", limits.MaxSecret)})
	require.NoError(t, err, "exactly at the limit is stored")
}

func TestStoreSourceOriginOnlyProviderSites(t *testing.T) {
	for origin, ok := range map[string]bool{
		"": true, "https://www.tbank.ru": true, "https://www.tinkoff.ru": true,
		"https://logos-up.com": false, "https://www.tbank.ru.evil.test": false, "https://evil.test": false,
	} {
		v, mem := newTestVault(t)
		_, _, err := v.Store(StoreInput{Provider: ProviderTInvest, Secret: testToken(1), SourceOrigin: origin})
		if ok {
			require.NoError(t, err, origin)
			continue
		}
		require.ErrorIs(t, err, ErrInvalid, origin)
		require.Zero(t, mem.Len(), origin)
	}
}
