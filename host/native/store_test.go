package native

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/secretstore"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

// A secret over its limit answers too_large (host/PROTOCOL.md, "Limits");
// a malformed one bad_request.
func TestStoreSecretLimits(t *testing.T) {
	tests := []struct {
		name, secret, code string
	}{
		{"512 characters", "t." + strings.Repeat("a", 510), ""},
		{"513 characters", "t." + strings.Repeat("a", 511), CodeTooLarge},
		{"5000 bytes", "t." + strings.Repeat("a", 4998), CodeTooLarge},
		{"not a token", "t.short", CodeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, mem := testEnv(t)
			a := call(t, env, storeReq(tt.secret))
			if tt.code == "" {
				require.True(t, a.OK, "%+v", a.Error)
				return
			}
			require.False(t, a.OK)
			require.Equal(t, tt.code, a.Error.Code, a.Error.Message)
			require.Zero(t, mem.Len())
		})
	}
}

// store takes source_origin only from the provider's own sites.
func TestStoreSourceOrigin(t *testing.T) {
	tests := []struct {
		origin, want, code string
	}{
		{"https://www.tbank.ru", "https://www.tbank.ru", ""},
		{"https://www.tinkoff.ru", "https://www.tinkoff.ru", ""},
		{"https://WWW.TBANK.RU:443", "https://www.tbank.ru", ""},
		{"https://www.tbank.ru.evil.test", "", CodeBadRequest},
		{"https://evil.test", "", CodeBadRequest},
		{"https://logos-up.com", "", CodeBadRequest},
		{"http://www.tbank.ru", "", CodeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			env, mem := testEnv(t)
			a := call(t, env, fmt.Sprintf(`{"id":"s","cmd":"store","provider":"tinvest","secret":%q,"source_origin":%q}`, tok1, tt.origin))
			if tt.code == "" {
				require.True(t, a.OK, "%+v", a.Error)
				require.Equal(t, tt.want, a.Token.SourceOrigin)
				return
			}
			require.False(t, a.OK)
			require.Equal(t, tt.code, a.Error.Code)
			require.Contains(t, a.Error.Message, "https://www.tbank.ru")
			require.Zero(t, mem.Len())
		})
	}
}

// record_use accepts only an origin the token may be filled into (the rule
// of `get` for "fill").
func TestRecordUseOnlyFillOrigins(t *testing.T) {
	env, _ := testEnv(t)
	id := call(t, env, storeReq(tok1)).Token.ID
	record := func(origin string) answer {
		return call(t, env, fmt.Sprintf(`{"id":"r","cmd":"record_use","token_id":%q,"origin":%q}`, id, origin))
	}
	tests := []struct {
		origin, code string
	}{
		{"https://logos-up.com", ""},
		{"https://www.logos-up.com", ""},
		{"https://evil.test", CodeTargetDenied},
		{"https://logos-up.com.evil.test", CodeTargetDenied},
		{"https://www.tbank.ru", CodeTargetDenied},
		{"http://logos-up.com", CodeBadRequest},
	}
	for _, tt := range tests {
		a := record(tt.origin)
		if tt.code == "" {
			require.True(t, a.OK, "%s: %+v", tt.origin, a.Error)
			continue
		}
		require.False(t, a.OK, tt.origin)
		require.Equal(t, tt.code, a.Error.Code, tt.origin)
	}
	tok, err := env.Vault.Token(id)
	require.NoError(t, err)
	require.Len(t, tok.UsedBy, 2, "only the allowed uses are recorded")
	env.Config.FillOrigins = map[string][]string{"tinvest": {"https://robot.example"}}
	require.True(t, record("https://robot.example").OK)
}

// hangingKeyring never answers, like a keyring waiting on a hidden unlock
// prompt.
type hangingKeyring struct{ release chan struct{} }

func (h hangingKeyring) Set(string, string) error   { <-h.release; return nil }
func (h hangingKeyring) Get(string) (string, error) { <-h.release; return "", secretstore.ErrNotFound }
func (h hangingKeyring) Delete(string) error        { <-h.release; return nil }

// A hung keyring answers store with keyring_timeout within the configured
// timeout, not a multiple of it.
func TestStoreHungKeyringAnswersWithinTimeout(t *testing.T) {
	const d = 300 * time.Millisecond
	h := hangingKeyring{release: make(chan struct{})}
	t.Cleanup(func() { close(h.release) })
	env, _ := testEnv(t)
	env.Vault = vault.New(secretstore.OpenWith(h, d), env.Vault.Index)
	for _, req := range []string{storeReq(tok1), `{"id":"h","cmd":"hello"}`} {
		start := time.Now()
		a := call(t, env, req)
		took := time.Since(start)
		require.Less(t, took, d+d/2, req)
		if a.ID == "h" {
			require.Contains(t, string(a.Raw), `"keyring":"timeout"`)
			continue
		}
		require.False(t, a.OK)
		require.Equal(t, CodeKeyringTimeout, a.Error.Code)
		require.GreaterOrEqual(t, took, d)
	}
	toks, err := env.Vault.List("")
	require.NoError(t, err)
	require.Empty(t, toks, "nothing half-stored in the index")
}
