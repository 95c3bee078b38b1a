package native

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/frame"
	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

const tok1 = "t.Fake_Token-Fake_Token-Fake_Token-Fake_Token-Fake_Token-Fake_Token-Fake_Token-0001"

func testEnv(t testing.TB) (*Env, *secretstore.Memory) {
	mem := secretstore.NewMemory()
	dir := t.TempDir()
	idx := index.Open(filepath.Join(dir, "index.json"))
	dirs := config.Dirs{Home: dir}
	return &Env{
		Caller: Caller{Browser: "chromium", ExtensionID: config.ChromiumExtensionID},
		Config: &config.Config{}, ConfigPath: dirs.Config(),
		Vault: vault.New(mem, idx), Moex: moex.New(dirs, mem, zerolog.Nop()), Log: zerolog.Nop(),
	}, mem
}

func frameOf(body string) []byte {
	b := make([]byte, 4+len(body))
	binary.LittleEndian.PutUint32(b, uint32(len(body)))
	copy(b[4:], body)
	return b
}

type answer struct {
	ID    string          `json:"id"`
	OK    bool            `json:"ok"`
	Error *Error          `json:"error"`
	Token *index.Token    `json:"token"`
	Raw   json.RawMessage `json:"-"`
}

func readAnswers(t testing.TB, out *bytes.Buffer) []answer {
	var as []answer
	for {
		b, err := frame.Read(out, frame.MaxOutgoing)
		if err == io.EOF {
			return as
		}
		require.NoError(t, err)
		var a answer
		require.NoError(t, json.Unmarshal(b, &a))
		a.Raw = b
		as = append(as, a)
	}
}

// call sends one request and returns its answer.
func call(t testing.TB, env *Env, req string) answer {
	var out bytes.Buffer
	require.NoError(t, Serve(context.Background(), env, bytes.NewReader(frameOf(req)), &out))
	as := readAnswers(t, &out)
	require.Len(t, as, 1)
	return as[0]
}

func storeReq(secret string) string {
	return fmt.Sprintf(`{"id":"s1","cmd":"store","provider":"tinvest","secret":%q,"kind":"full_access","scope":{"all_accounts":true},"source_origin":"https://www.tbank.ru"}`, secret)
}

func TestMalformedInput(t *testing.T) {
	long := func(n uint32) []byte { b := make([]byte, 4); binary.LittleEndian.PutUint32(b, n); return b }
	tests := []struct {
		name     string
		in       []byte
		code     string
		exitsErr bool
	}{
		{"zero length", long(0), CodeBadRequest, false},
		{"length above cap", long(frame.MaxIncoming + 1), CodeTooLarge, true},
		{"length 0xFFFFFFFF", long(0xFFFFFFFF), CodeTooLarge, true},
		{"truncated body", append(long(100), []byte(`{"id":"1"`)...), CodeBadRequest, true},
		{"invalid json", frameOf(`{"id":"1","cmd":`), CodeBadRequest, false},
		{"invalid utf-8", frameOf("{\"id\":\"1\",\"cmd\":\"list\",\"provider\":\"\xff\"}"), CodeBadRequest, false},
		{"json array", frameOf(`[1,2]`), CodeBadRequest, false},
		{"json number", frameOf(`42`), CodeBadRequest, false},
		{"json null", frameOf(`null`), CodeBadRequest, false},
		{"unknown cmd", frameOf(`{"id":"1","cmd":"format_disk"}`), CodeUnknownCmd, false},
		{"missing id", frameOf(`{"cmd":"list"}`), CodeBadRequest, false},
		{"id not string", frameOf(`{"id":1,"cmd":"list"}`), CodeBadRequest, false},
		{"missing cmd", frameOf(`{"id":"1"}`), CodeBadRequest, false},
		{"cmd not string", frameOf(`{"id":"1","cmd":["list"]}`), CodeBadRequest, false},
		{"missing secret", frameOf(`{"id":"1","cmd":"store","provider":"tinvest"}`), CodeBadRequest, false},
		{"secret not string", frameOf(`{"id":"1","cmd":"store","provider":"tinvest","secret":42}`), CodeBadRequest, false},
		{"unknown field", frameOf(`{"id":"1","cmd":"list","admin":true}`), CodeBadRequest, false},
		{"1 MiB secret", append(long(1<<20+60), []byte(`{"id":"1","cmd":"store","secret":"`+strings.Repeat("a", 1<<20)+`"}`)...), CodeTooLarge, true},
		{"40 KiB secret", frameOf(`{"id":"1","cmd":"store","provider":"tinvest","secret":"t.` + strings.Repeat("a", 40<<10) + `"}`), CodeTooLarge, false},
		{"control chars in label", frameOf(`{"id":"1","cmd":"store","provider":"tinvest","secret":"` + tok1[:80] + `x","label":"a\u0007\u001b[2Jb"}`), CodeBadRequest, false},
		{"masked token", frameOf(`{"id":"1","cmd":"store","provider":"tinvest","secret":"t.AbCd…WxYz"}`), CodeBadRequest, false},
		{"bad source origin", frameOf(`{"id":"1","cmd":"store","provider":"tinvest","secret":"` + tok1 + `x","source_origin":"javascript:1"}`), CodeBadRequest, false},
		{"get bad id", frameOf(`{"id":"1","cmd":"get","token_id":"../../etc","purpose":"copy"}`), CodeBadRequest, false},
		{"get unknown token", frameOf(`{"id":"1","cmd":"get","token_id":"tok_0000000000000000","purpose":"copy"}`), CodeNotFound, false},
		{"update nothing", frameOf(`{"id":"1","cmd":"update","token_id":"tok_0000000000000000"}`), CodeBadRequest, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, mem := testEnv(t)
			// Something already stored must survive every bad message.
			require.True(t, call(t, env, storeReq(tok1)).OK)
			before, err := os.ReadFile(env.Vault.Index.Path())
			require.NoError(t, err)

			var out bytes.Buffer
			err = Serve(context.Background(), env, bytes.NewReader(tt.in), &out)
			if tt.exitsErr {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
			}
			as := readAnswers(t, &out)
			require.Len(t, as, 1)
			require.False(t, as[0].OK)
			require.Equal(t, tt.code, as[0].Error.Code, as[0].Error.Message)
			require.NotEmpty(t, as[0].Error.Message)

			after, err := os.ReadFile(env.Vault.Index.Path())
			require.NoError(t, err)
			require.Equal(t, string(before), string(after))
			require.Equal(t, 1, mem.Len())
			s, err := mem.Get("tinvest/" + as0ID(t, env))
			require.NoError(t, err)
			require.Equal(t, tok1, s)
		})
	}
}

func as0ID(t testing.TB, env *Env) string {
	toks, err := env.Vault.List("")
	require.NoError(t, err)
	require.Len(t, toks, 1)
	return toks[0].ID
}

func TestManyMessagesPerProcess(t *testing.T) {
	env, _ := testEnv(t)
	var in bytes.Buffer
	in.Write(frameOf(`{"id":"a","cmd":"hello"}`))
	in.Write(frameOf(storeReq(tok1)))
	in.Write(frameOf(`{"id":"c","cmd":"list"}`))
	in.Write(frameOf(`{"id":"d","cmd":"nope"}`))
	var out bytes.Buffer
	require.NoError(t, Serve(context.Background(), env, &in, &out))
	// Requests are answered concurrently: answers are matched by id.
	byID := map[string]answer{}
	for _, a := range readAnswers(t, &out) {
		byID[a.ID] = a
	}
	require.Len(t, byID, 4)
	require.True(t, byID["a"].OK)
	require.Contains(t, string(byID["a"].Raw), `"keyring":"ok"`)
	require.Contains(t, string(byID["a"].Raw), `"protocol":1`)
	require.True(t, byID["s1"].OK)
	require.True(t, byID["c"].OK)
	require.NotContains(t, string(byID["c"].Raw), tok1, "list must never carry secrets")
	require.Equal(t, CodeUnknownCmd, byID["d"].Error.Code)
}

func TestOriginDenied(t *testing.T) {
	for _, c := range []Caller{{"chromium", "abcdefghijklmnopabcdefghijklmnop"}, {"firefox", "evil@example.org"}} {
		env, mem := testEnv(t)
		env.Caller = c
		a := call(t, env, storeReq(tok1))
		require.False(t, a.OK)
		require.Equal(t, CodeOriginDenied, a.Error.Code)
		require.Contains(t, a.Error.Message, "tokenbridge install --extension-id")
		require.Zero(t, mem.Len())
		env.ConfigErr = fmt.Errorf("config.json: invalid character")
		a = call(t, env, `{"id":"1","cmd":"hello"}`)
		require.Equal(t, CodeOriginDenied, a.Error.Code)
		require.Contains(t, a.Error.Message, "config is unreadable")
		env.ConfigErr = nil
		// An ID added by install is allowed.
		require.NoError(t, env.Config.AddExtensionID(c.ExtensionID))
		require.True(t, call(t, env, `{"id":"1","cmd":"hello"}`).OK)
	}
}

func TestGetPurposes(t *testing.T) {
	env, _ := testEnv(t)
	st := call(t, env, storeReq(tok1))
	require.True(t, st.OK)
	id := st.Token.ID
	get := func(purpose, origin string) answer {
		return call(t, env, fmt.Sprintf(`{"id":"g","cmd":"get","token_id":%q,"purpose":%q,"origin":%q}`, id, purpose, origin))
	}
	tests := []struct {
		purpose, origin string
		code            string
	}{
		{"fill", "https://logos-up.com", ""},
		{"fill", "https://www.logos-up.com", ""},
		{"fill", "https://logos-up.com.evil.test", CodeTargetDenied},
		{"fill", "http://logos-up.com", CodeTargetDenied},
		{"fill", "https://logos-up.net", CodeTargetDenied},
		{"fill", "", CodeBadRequest},
		{"copy", "", ""},
		{"copy", "https://logos-up.com", CodeBadRequest},
		{"steal", "", CodeBadRequest},
		{"", "", CodeBadRequest},
	}
	for _, tt := range tests {
		a := get(tt.purpose, tt.origin)
		if tt.code == "" {
			require.True(t, a.OK, "%s %s: %+v", tt.purpose, tt.origin, a.Error)
			require.Contains(t, string(a.Raw), tok1)
			continue
		}
		require.False(t, a.OK, "%s %s", tt.purpose, tt.origin)
		require.Equal(t, tt.code, a.Error.Code)
		require.NotContains(t, string(a.Raw), tok1)
	}
	env.Config.FillOrigins = map[string][]string{"tinvest": {"https://robot.example"}}
	require.True(t, get("fill", "https://robot.example").OK)
}

func TestUpdateDeleteRecordUse(t *testing.T) {
	env, mem := testEnv(t)
	id := call(t, env, storeReq(tok1)).Token.ID
	a := call(t, env, fmt.Sprintf(`{"id":"u","cmd":"update","token_id":%q,"label":"Logos"}`, id))
	require.True(t, a.OK)
	require.Equal(t, "Logos", a.Token.Label)
	a = call(t, env, fmt.Sprintf(`{"id":"r","cmd":"record_use","token_id":%q,"origin":"https://logos-up.com"}`, id))
	require.True(t, a.OK)
	require.Equal(t, "https://logos-up.com", a.Token.UsedBy[0].Origin)
	a = call(t, env, fmt.Sprintf(`{"id":"r","cmd":"record_use","token_id":%q,"origin":"logos"}`, id))
	require.Equal(t, CodeBadRequest, a.Error.Code)
	a = call(t, env, fmt.Sprintf(`{"id":"d","cmd":"delete","token_id":%q}`, id))
	require.True(t, a.OK)
	require.Zero(t, mem.Len())
	a = call(t, env, fmt.Sprintf(`{"id":"d","cmd":"delete","token_id":%q}`, id))
	require.Equal(t, CodeNotFound, a.Error.Code)
}

func TestKeyringErrorsHaveCodes(t *testing.T) {
	tests := []struct {
		err     error
		code    string
		keyring string
	}{
		{secretstore.ErrLocked, CodeKeyringLocked, "locked"},
		{secretstore.ErrUnavailable, CodeKeyringUnavailable, "unavailable"},
		{fmt.Errorf("get: %w", secretstore.ErrTimeout), CodeKeyringTimeout, "timeout"},
	}
	for _, tt := range tests {
		env, mem := testEnv(t)
		mem.FailWith = tt.err
		a := call(t, env, storeReq(tok1))
		require.Equal(t, tt.code, a.Error.Code)
		require.Contains(t, strings.ToLower(a.Error.Message), "keyring")
		h := call(t, env, `{"id":"h","cmd":"hello"}`)
		require.True(t, h.OK)
		require.Contains(t, string(h.Raw), `"keyring":"`+tt.keyring+`"`)
		toks, err := env.Vault.List("")
		require.NoError(t, err)
		require.Empty(t, toks)
	}
}

func TestHandlerPanicAnswersInternal(t *testing.T) {
	handlers["test_panic"] = func(context.Context, *Env, *Request) (Result, error) { panic("boom " + tok1) }
	t.Cleanup(func() { delete(handlers, "test_panic") })
	env, _ := testEnv(t)
	var logBuf bytes.Buffer
	env.Log = zerolog.New(&logBuf)
	a := call(t, env, `{"id":"p","cmd":"test_panic"}`)
	require.Equal(t, CodeInternal, a.Error.Code)
	require.NotContains(t, string(a.Raw), tok1)
	require.NotContains(t, logBuf.String(), tok1)
	require.True(t, call(t, env, `{"id":"h","cmd":"hello"}`).OK)
}

func TestCallerFromArgs(t *testing.T) {
	tests := []struct {
		args []string
		ok   bool
		want Caller
	}{
		{[]string{"chrome-extension://hodkpdeoebfagkfdfjfhcfnbemcgabcj/"}, true, Caller{"chromium", "hodkpdeoebfagkfdfjfhcfnbemcgabcj"}},
		{[]string{"chrome-extension://hodkpdeoebfagkfdfjfhcfnbemcgabcj/", "--parent-window=1234"}, true, Caller{"chromium", "hodkpdeoebfagkfdfjfhcfnbemcgabcj"}},
		{[]string{"/home/u/.mozilla/native-messaging-hosts/dev.tokenbridge.host.json", "tokenbridge@tokenbridge.dev"}, true, Caller{"firefox", "tokenbridge@tokenbridge.dev"}},
		{[]string{"list"}, false, Caller{}},
		{[]string{"install", "--browser", "firefox"}, false, Caller{}},
		{[]string{"x.json", "not an id"}, false, Caller{}},
		{nil, false, Caller{}},
	}
	for _, tt := range tests {
		c, ok := CallerFromArgs(tt.args)
		require.Equal(t, tt.ok, ok, tt.args)
		require.Equal(t, tt.want, c)
	}
}

// idPattern is what validID accepts, as a regexp: the tests' oracle.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)

func TestValidIDMatchesPattern(t *testing.T) {
	ids := []string{"", "1", "a", "Z9", "req_1.2:3-4", strings.Repeat("x", 64), strings.Repeat("x", 65),
		"a b", "a/b", "é", "a\x00", "a\n", "{}", "a+b", "a@b", "\xff", "ab\u200d", "_", ".", ":", "-"}
	for c := 0; c < 256; c++ {
		ids = append(ids, string([]byte{byte(c)}), "a"+string([]byte{byte(c)})+"b")
	}
	for _, id := range ids {
		require.Equal(t, idPattern.MatchString(id), validID(id), "%q", id)
	}
}

func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{`{"id":"1","cmd":"hello"}`, `[]`, `{"id":1}`, "{\"id\":\"\xff\"}", `{"id":"1","cmd":"store","secret":"x"}`, `null`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, id, err := DecodeRequest(body)
		if err != nil {
			if req != nil {
				t.Fatal("request returned with error")
			}
			return
		}
		if !idPattern.MatchString(id) || req.Cmd == "" {
			t.Fatalf("accepted bad envelope %q", body)
		}
		var p storeParams
		_ = req.Bind(&p)
	})
}

func FuzzServe(f *testing.F) {
	f.Add(frameOf(`{"id":"1","cmd":"hello"}`))
	f.Add(frameOf(storeReq(tok1)))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, in []byte) {
		env, _ := testEnv(t)
		var out bytes.Buffer
		_ = Serve(context.Background(), env, bytes.NewReader(in), &out)
		for {
			b, err := frame.Read(&out, frame.MaxOutgoing)
			if err != nil {
				break
			}
			var a answer
			if json.Unmarshal(b, &a) != nil {
				t.Fatalf("host wrote a non-JSON frame: %q", b)
			}
		}
	})
}

// A denied fill is logged, without the secret.
func TestFillDenialLoggedWithoutSecret(t *testing.T) {
	env, _ := testEnv(t)
	var logBuf bytes.Buffer
	env.Log = zerolog.New(&logBuf)
	id := call(t, env, storeReq(tok1)).Token.ID
	a := call(t, env, fmt.Sprintf(`{"id":"g","cmd":"get","token_id":%q,"purpose":"fill","origin":"https://logos-up.net"}`, id))
	require.Equal(t, CodeTargetDenied, a.Error.Code)
	require.Contains(t, logBuf.String(), "fill denied")
	require.Contains(t, logBuf.String(), "https://logos-up.net")
	require.NotContains(t, logBuf.String(), tok1)
	a = call(t, env, fmt.Sprintf(`{"id":"g","cmd":"get","token_id":%q,"purpose":"fill","origin":"https://%s"}`, id, strings.Repeat("x", 300)))
	require.Equal(t, CodeBadRequest, a.Error.Code)
}
