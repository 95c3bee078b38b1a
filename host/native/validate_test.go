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
	home := t.TempDir() // never the real user's config.json
	t.Setenv("TOKENBRIDGE_HOME", home)
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
			Config: &config.Config{}, ConfigPath: config.Dirs{Home: home}.Config(),
			Vault: v,
			Log:   zerolog.New(&logBuf).Level(zerolog.DebugLevel),
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
	ID    string      `json:"id"`
	OK    bool        `json:"ok"`
	Token *vault.View `json:"token"`
	Error *Error      `json:"error"`
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
	none := validateTestToken("noaccess")
	f := newValidateFixture(t, map[string]tinvestfake.Token{
		none: {Access: tinvestfake.NoAccess},
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
		{none, vault.KindFullAccess, "no_access", vault.KindFullAccess, 2},
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
			if tc.wantResult == "invalid" {
				require.Nil(t, a.Token.Expiry, "an invalid token has no expiry estimate")
			} else {
				require.NotNil(t, a.Token.Expiry)
				require.Equal(t, vault.ExpiryOf(a.Token.Token, time.Now()).ExpiresEstimate, a.Token.ExpiresEstimate)
			}
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
		contains        []string
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
			setup: func() { f.mem.FailWith = nil; t.Setenv(tinvest.EnvProdURL, "ftp://127.0.0.1/rest") }},
		{name: "refused override", msg: `{"id":"1","cmd":"validate","token_id":"` + tok.ID + `"}`, code: CodeOverrideRefused,
			contains: []string{"203.0.113.1", "api_overrides", f.env.ConfigPath},
			setup:    func() { t.Setenv(tinvest.EnvProdURL, "https://203.0.113.1/rest") }},
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
			for _, c := range tc.contains {
				require.Contains(t, a.Error.Message, c)
			}
		})
	}
	require.Empty(t, f.srv.Calls(), "no request reached the API")
}

// A no_access token is never filled, also after a later failed check kept its verdict;
// copying it stays possible.
func TestNoAccessNeverFilled(t *testing.T) {
	none := validateTestToken("noaccess")
	full := validateTestToken("full")
	f := newValidateFixture(t, map[string]tinvestfake.Token{none: {Access: tinvestfake.NoAccess}, full: {Access: tinvestfake.Full}})
	noneTok := f.store(t, none, vault.KindFullAccess)
	fullTok := f.store(t, full, vault.KindFullAccess)
	for _, id := range []string{noneTok.ID, fullTok.ID} {
		require.True(t, f.roundTrip(t, fmt.Sprintf(`{"id":"v","cmd":"validate","token_id":%q}`, id)).OK)
	}
	get := func(id, purpose, origin string) answer {
		return call(t, f.env, fmt.Sprintf(`{"id":"g","cmd":"get","token_id":%q,"purpose":%q,"origin":%q}`, id, purpose, origin))
	}

	tests := []struct {
		name, id, purpose, origin, code string
		before                          func()
	}{
		{name: "no_access fill refused", id: noneTok.ID, purpose: PurposeFill, origin: "https://logos-up.com", code: CodeNoAccess},
		{name: "no_access copy allowed", id: noneTok.ID, purpose: PurposeCopy},
		{name: "full access fill allowed", id: fullTok.ID, purpose: PurposeFill, origin: "https://logos-up.com"},
		{name: "still refused after a failed check", id: noneTok.ID, purpose: PurposeFill, origin: "https://logos-up.com", code: CodeNoAccess,
			before: func() {
				f.srv.SetToken(none, tinvestfake.Token{Fault: tinvestfake.FaultInternal})
				a := f.roundTrip(t, fmt.Sprintf(`{"id":"v","cmd":"validate","token_id":%q}`, noneTok.ID))
				require.True(t, a.OK)
				require.Equal(t, "no_access", a.Token.Validation.Result)
				require.NotNil(t, a.Token.Validation.LastFailure)
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				tc.before()
			}
			a := get(tc.id, tc.purpose, tc.origin)
			if tc.code == "" {
				require.True(t, a.OK, "%+v", a.Error)
				return
			}
			require.False(t, a.OK)
			require.Equal(t, tc.code, a.Error.Code)
			require.Contains(t, a.Error.Message, "no access")
			require.Contains(t, a.Error.Message, tinvest.SettingsURL)
			require.NotContains(t, string(a.Raw), none)
		})
	}
	require.NotContains(t, f.log.String(), none)
}

// list answers every token with the expiry estimate (PROTOCOL.md "expires_estimate").
func TestListCarriesExpiry(t *testing.T) {
	f := newValidateFixture(t, nil)
	tok := f.store(t, validateTestToken("listed"), vault.KindUnknown)
	a := call(t, f.env, `{"id":"l","cmd":"list"}`)
	require.True(t, a.OK)
	var res struct {
		Tokens []vault.View `json:"tokens"`
	}
	require.NoError(t, json.Unmarshal(a.Raw, &res))
	require.Len(t, res.Tokens, 1)
	require.Equal(t, tok.ID, res.Tokens[0].ID)
	require.NotNil(t, res.Tokens[0].Expiry)
	require.Equal(t, vault.ExpiryOf(tok, time.Now()).ExpiresEstimate, res.Tokens[0].ExpiresEstimate)
	require.Contains(t, string(a.Raw), `"expires_soon":false`)
}
