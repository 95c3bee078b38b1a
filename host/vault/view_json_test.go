package vault

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/index"
)

func TestViewAppendJSONMatchesMarshal(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	toks := map[string]index.Token{
		"tinvest with expiry": {ID: "tok_1", Provider: ProviderTInvest, Label: "robot <1>", CreatedAt: now.Add(-48 * time.Hour), LastUsedAt: now.Add(-time.Hour)},
		"expired":             {ID: "tok_2", Provider: ProviderTInvest, CreatedAt: now.AddDate(-1, 0, 0)},
		"generic, no expiry":  {ID: "tok_3", Provider: "generic", CreatedAt: now},
		"invalid, no expiry":  {ID: "tok_4", Provider: ProviderTInvest, CreatedAt: now, Validation: &index.Validation{Result: "invalid", CheckedAt: now, Message: "401"}},
		"no dates":            {ID: "tok_5", Provider: ProviderTInvest},
	}
	for name, tok := range toks {
		t.Run(name, func(t *testing.T) {
			v := ViewOf(tok, now)
			want, err := json.Marshal(v)
			require.NoError(t, err)
			got, err := v.AppendJSON(nil)
			require.NoError(t, err)
			require.Equal(t, string(want), string(got))
		})
	}
}
