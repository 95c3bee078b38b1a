package native

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/frame"
	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
	"github.com/tokenbridge/tokenbridge/host/tinvest"
	"github.com/tokenbridge/tokenbridge/host/tinvest/tinvestfake"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

// Fake T-Invest-shaped tokens (test fixtures).
func validateTestToken(name string) string {
	return "t." + name + strings.Repeat("x", 70-len(name))
}

type validateFixture struct {
	env *Env
	mem *secretstore.Memory
	srv *tinvestfake.Server
	log *bytes.Buffer
}

func newValidateFixture(t *testing.T, table map[string]tinvestfake.Token) *validateFixture {
	t.Helper()
	srv := tinvestfake.NewServer(table)
	t.Cleanup(srv.Close)
	t.Setenv(tinvest.EnvProdURL, srv.ProdURL)
	t.Setenv(tinvest.EnvSandboxURL, srv.SandboxURL)
	t.Setenv(tinvest.EnvCA, "")

	mem := secretstore.NewMemory()
	v := vault.New(mem, index.Open(filepath.Join(t.TempDir(), "index.json")))
	// Stored a day ago: not a fresh token, so 40003 is final at once.
	v.Now = func() time.Time { return time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Second) }
	var logBuf bytes.Buffer
	return &validateFixture{
		env: &Env{
			Caller: Caller{Browser: "chromium", ExtensionID: config.ChromiumExtensionID},
			Config: &config.Config{},
			Vault:  v,
			Log:    zerolog.New(&logBuf).Level(zerolog.DebugLevel),
		},
		mem: mem, srv: srv, log: &logBuf,
	}
}

func (f *validateFixture) store(t *testing.T, secret, kind string) index.Token {
	t.Helper()
	tok, _, err := f.env.Vault.Store(vault.StoreInput{Provider: vault.ProviderTInvest, Secret: secret, Kind: kind})
	require.NoError(t, err)
	return tok
}

type validateAnswer struct {
	ID    string       `json:"id"`
	OK    bool         `json:"ok"`
	Token *index.Token `json:"token"`
	Error *Error       `json:"error"`
}

// roundTrip sends one framed request through Serve and decodes the framed answer.
func (f *validateFixture) roundTrip(t *testing.T, msg string) validateAnswer {
	t.Helper()
	var in, out bytes.Buffer
	require.NoError(t, frame.Write(&in, []byte(msg)))
	require.NoError(t, Serve(context.Background(), f.env, &in, &out))
	body, err := frame.Read(&out, frame.MaxOutgoing)
	require.NoError(t, err)
	var a validateAnswer
	dec := json.NewDecoder(bytes.NewReader(body))
	require.NoError(t, dec.Decode(&a), string(body))
	return a
}

func TestValidateCommand(t *testing.T) {
	full := validateTestToken("full")
	ro := validateTestToken("readonly")
	sb := validateTestToken("sandbox")
	expired := validateTestToken("expired")
	down := validateTestToken("down")
	f := newValidateFixture(t, map[string]tinvestfake.Token{
		full: {Access: tinvestfake.Full},
		ro:   {Access: tinvestfake.ReadOnly, AccountID: "2000654321"},
		sb:   {Sandbox: true},
		down: {Fault: tinvestfake.FaultInternal},
	})

	tests := []struct {
		secret, kind, wantResult, wantKind string
		accounts                           int
	}{
		{full, vault.KindUnknown, "full_access", vault.KindFullAccess, 2},
		{ro, vault.KindFullAccess, "readonly", vault.KindReadonly, 1},
		{sb, vault.KindUnknown, "sandbox", vault.KindSandbox, 1},
		{expired, vault.KindReadonly, "invalid", vault.KindReadonly, 0},
		{down, vault.KindUnknown, "upstream", vault.KindUnknown, 0},
	}
	for i, tc := range tests {
		t.Run(tc.wantResult, func(t *testing.T) {
			tok := f.store(t, tc.secret, tc.kind)
			a := f.roundTrip(t, fmt.Sprintf(`{"id":"v%d","cmd":"validate","token_id":%q}`, i, tok.ID))
			require.True(t, a.OK, "%+v", a.Error)
			require.Equal(t, fmt.Sprintf("v%d", i), a.ID)
			require.NotNil(t, a.Token)
			require.Equal(t, tok.ID, a.Token.ID)
			require.NotNil(t, a.Token.Validation)
			require.Equal(t, tc.wantResult, a.Token.Validation.Result)
			require.NotEmpty(t, a.Token.Validation.Message)
			require.False(t, a.Token.Validation.CheckedAt.IsZero())
			require.Len(t, a.Token.Validation.Accounts, tc.accounts)
			require.Equal(t, tc.wantKind, a.Token.Kind)
			require.NotContains(t, f.log.String(), tc.secret)
		})
	}
	require.Empty(t, f.srv.Violations())
}

func TestValidateCommandErrors(t *testing.T) {
	f := newValidateFixture(t, nil)
	tok := f.store(t, validateTestToken("locked"), vault.KindUnknown)

	tests := []struct {
		name, msg, code string
		setup           func()
	}{
		{name: "missing token_id", msg: `{"id":"1","cmd":"validate"}`, code: CodeBadRequest},
		{name: "bad token_id", msg: `{"id":"1","cmd":"validate","token_id":"../etc"}`, code: CodeBadRequest},
		{name: "unknown field", msg: `{"id":"1","cmd":"validate","token_id":"` + tok.ID + `","secret":"x"}`, code: CodeBadRequest},
		{name: "mistyped", msg: `{"id":"1","cmd":"validate","token_id":5}`, code: CodeBadRequest},
		{name: "not found", msg: `{"id":"1","cmd":"validate","token_id":"tok_0000000000000000"}`, code: CodeNotFound},
		{name: "keyring locked", msg: `{"id":"1","cmd":"validate","token_id":"` + tok.ID + `"}`, code: CodeKeyringLocked,
			setup: func() { f.mem.FailWith = secretstore.ErrLocked }},
		{name: "bad T-Invest URL setting", msg: `{"id":"1","cmd":"validate","token_id":"` + tok.ID + `"}`, code: CodeInternal,
			setup: func() { f.mem.FailWith = nil; t.Setenv(tinvest.EnvProdURL, "http://203.0.113.1/rest") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			a := f.roundTrip(t, tc.msg)
			require.False(t, a.OK)
			require.NotNil(t, a.Error)
			require.Equal(t, tc.code, a.Error.Code, a.Error.Message)
			require.NotEmpty(t, a.Error.Message)
		})
	}
	require.Empty(t, f.srv.Calls(), "no request reached the API")
}
