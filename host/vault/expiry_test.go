package vault

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/index"
)

func TestExpiryOf(t *testing.T) {
	used := time.Date(2026, 9, 10, 12, 0, 0, 0, time.UTC)
	est := time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
	tinv := func(last, created time.Time, result string) index.Token {
		tok := index.Token{Provider: ProviderTInvest, LastUsedAt: last, CreatedAt: created}
		if result != "" {
			tok.Validation = &index.Validation{Result: result}
		}
		return tok
	}
	tests := []struct {
		name string
		tok  index.Token
		now  time.Time
		want *Expiry
	}{
		{"15 days left is no warning", tinv(used, used, ""), est.Add(-15 * 24 * time.Hour), &Expiry{est, 15, false}},
		{"14 days and a bit is no warning", tinv(used, used, ""), est.Add(-14*24*time.Hour - time.Hour), &Expiry{est, 14, false}},
		{"13 days left warns", tinv(used, used, ""), est.Add(-13 * 24 * time.Hour), &Expiry{est, 13, true}},
		{"13 days and 23 hours warns", tinv(used, used, ""), est.Add(-14*24*time.Hour + time.Hour), &Expiry{est, 13, true}},
		{"passed an hour ago is -1", tinv(used, used, "full_access"), est.Add(time.Hour), &Expiry{est, -1, true}},
		{"created_at when never used", tinv(time.Time{}, used, ""), est.Add(-30 * 24 * time.Hour), &Expiry{est, 30, false}},
		{"no_access still expires", tinv(used, used, "no_access"), est.Add(-20 * 24 * time.Hour), &Expiry{est, 20, false}},
		{"month end clamps (30 Nov → 28 Feb)", tinv(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), time.Time{}, ""),
			time.Date(2027, 2, 1, 8, 0, 0, 0, time.UTC), &Expiry{time.Date(2027, 2, 28, 8, 0, 0, 0, time.UTC), 27, false}},
		{"leap year (30 Nov 2027 → 29 Feb 2028)", tinv(time.Date(2027, 11, 30, 0, 0, 0, 0, time.UTC), time.Time{}, ""),
			time.Date(2028, 2, 20, 0, 0, 0, 0, time.UTC), &Expiry{time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC), 9, true}},
		{"invalid has none", tinv(used, used, "invalid"), used, nil},
		{"generic has none", index.Token{Provider: ProviderGeneric, LastUsedAt: used}, used, nil},
		{"no dates has none", tinv(time.Time{}, time.Time{}, ""), used, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, ExpiryOf(tc.tok, tc.now))
		})
	}
}

func TestViewJSON(t *testing.T) {
	used := time.Date(2026, 9, 10, 12, 0, 0, 0, time.UTC)
	tok := index.Token{ID: "tok_0123456789abcdef", Provider: ProviderTInvest, LastUsedAt: used, CreatedAt: used}
	b, err := json.Marshal(Views([]index.Token{tok, {ID: "tok_1123456789abcdef", Provider: ProviderGeneric}}, time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)))
	require.NoError(t, err)
	var got []map[string]any
	require.NoError(t, json.Unmarshal(b, &got))
	require.Equal(t, "tok_0123456789abcdef", got[0]["id"], "the token's own fields stay at the top level")
	require.Equal(t, "2026-12-10T12:00:00Z", got[0]["expires_estimate"])
	require.Equal(t, float64(13), got[0]["expires_in_days"])
	require.Equal(t, true, got[0]["expires_soon"])
	require.NotContains(t, got[1], "expires_estimate")
	require.NotContains(t, got[1], "expires_soon")
	require.Equal(t, "[]", mustJSON(t, Views(nil, used)))
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
