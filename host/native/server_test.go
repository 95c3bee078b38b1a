package native

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/frame"
	"github.com/tokenbridge/tokenbridge/host/limits"
	"github.com/tokenbridge/tokenbridge/host/tinvest"
	"github.com/tokenbridge/tokenbridge/host/tinvest/tinvestfake"
)

// slowTInvest is the T-Invest fake behind a gate: every API call waits
// until release is closed.
func slowTInvest(t *testing.T, tokens map[string]tinvestfake.Token) (release func(), waiting *atomic.Int32) {
	gate := make(chan struct{})
	waiting = &atomic.Int32{}
	fake := tinvestfake.New(tokens).Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		waiting.Add(1)
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
		fake.ServeHTTP(w, r)
	}))
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(func() { release(); srv.Close() })
	t.Setenv(tinvest.EnvProdURL, srv.URL+"/prod/rest")
	t.Setenv(tinvest.EnvSandboxURL, srv.URL+"/sandbox/rest")
	t.Setenv(tinvest.EnvCA, "")
	return release, waiting
}

// pipeHost runs Serve on a pipe, like a browser's long-lived port: send
// writes a request, next reads the next answer (failing after wait).
func pipeHost(t *testing.T, env *Env) (send func(string), next func(wait time.Duration) answer, closeIn func() error) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- Serve(context.Background(), env, inR, outW); outW.Close() }()
	answers := make(chan answer, 16)
	go func() {
		for {
			b, err := frame.Read(outR, frame.MaxOutgoing)
			if err != nil {
				close(answers)
				return
			}
			var a answer
			if json.Unmarshal(b, &a) == nil {
				a.Raw = b
				answers <- a
			}
		}
	}()
	send = func(req string) { require.NoError(t, frame.Write(inW, []byte(req))) }
	next = func(wait time.Duration) answer {
		select {
		case a, ok := <-answers:
			require.True(t, ok, "the host closed its output")
			return a
		case <-time.After(wait):
			t.Fatalf("no answer within %s", wait)
			return answer{}
		}
	}
	closeIn = func() error { inW.Close(); return <-done }
	return send, next, closeIn
}

// A validate blocked on a slow T-Invest API does not hold up a get sent
// after it on the same connection: the get answers at once, the validate
// when the API does, each answer carrying its request's id.
func TestSlowValidateDoesNotDelayGet(t *testing.T) {
	release, waiting := slowTInvest(t, map[string]tinvestfake.Token{tok1: {Access: tinvestfake.Full}})
	env, _ := testEnv(t)
	id := call(t, env, storeReq(tok1)).Token.ID

	send, next, closeIn := pipeHost(t, env)
	send(fmt.Sprintf(`{"id":"v","cmd":"validate","token_id":%q}`, id))
	require.Eventually(t, func() bool { return waiting.Load() > 0 }, 5*time.Second, 5*time.Millisecond, "validate reached the API")
	send(fmt.Sprintf(`{"id":"g","cmd":"get","token_id":%q,"purpose":"fill","origin":"https://logos-up.com"}`, id))
	g := next(2 * time.Second)
	require.Equal(t, "g", g.ID, "the get answers while the validate still waits")
	require.True(t, g.OK, "%+v", g.Error)
	require.Contains(t, string(g.Raw), tok1)

	release()
	v := next(limits.ValidateTimeout)
	require.Equal(t, "v", v.ID)
	require.True(t, v.OK, "%+v", v.Error)
	require.Equal(t, "full_access", v.Token.Validation.Result)
	require.NoError(t, closeIn())
}

// At most limits.MaxInFlight requests run at once; the rest wait to be
// read, and every one is answered when the slow ones finish.
func TestInFlightBounded(t *testing.T) {
	release, waiting := slowTInvest(t, map[string]tinvestfake.Token{tok1: {Access: tinvestfake.Full}})
	env, _ := testEnv(t)
	id := call(t, env, storeReq(tok1)).Token.ID

	send, next, closeIn := pipeHost(t, env)
	total := limits.MaxInFlight + 3
	for i := 0; i < total; i++ {
		send(fmt.Sprintf(`{"id":"v%d","cmd":"validate","token_id":%q}`, i, id))
	}
	require.Eventually(t, func() bool { return waiting.Load() == int32(limits.MaxInFlight) }, 5*time.Second, 5*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	require.Equal(t, int32(limits.MaxInFlight), waiting.Load(), "no more than MaxInFlight requests run")
	// Every slot taken and more validates waiting: a get is still read and answered at once.
	send(fmt.Sprintf(`{"id":"g","cmd":"get","token_id":%q,"purpose":"copy"}`, id))
	a := next(2 * time.Second)
	require.Equal(t, "g", a.ID)
	require.True(t, a.OK, "%+v", a.Error)
	release()
	seen := map[string]bool{}
	for i := 0; i < total; i++ {
		a := next(limits.ValidateTimeout)
		require.True(t, a.OK, "%+v", a.Error)
		seen[a.ID] = true
	}
	require.Len(t, seen, total)
	require.NoError(t, closeIn())
}

// Past MaxQueued background requests the host stops reading until one is
// answered: a flood of validates cannot grow without bound.
func TestQueuedBounded(t *testing.T) {
	release, waiting := slowTInvest(t, map[string]tinvestfake.Token{tok1: {Access: tinvestfake.Full}})
	env, _ := testEnv(t)
	id := call(t, env, storeReq(tok1)).Token.ID

	send, next, closeIn := pipeHost(t, env)
	total := limits.MaxQueued + 3
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for i := 0; i < total; i++ {
			send(fmt.Sprintf(`{"id":"v%d","cmd":"validate","token_id":%q}`, i, id))
		}
	}()
	require.Eventually(t, func() bool { return waiting.Load() == int32(limits.MaxInFlight) }, 5*time.Second, 5*time.Millisecond)
	time.Sleep(200 * time.Millisecond)
	select {
	case <-sent:
		t.Fatal("the host read more background requests than MaxQueued")
	default:
	}
	release()
	for i := 0; i < total; i++ {
		require.True(t, next(limits.ValidateTimeout).OK)
	}
	<-sent
	require.NoError(t, closeIn())
}

// Requests other than the background ones start in arrival order and each
// finishes before the next: pipelined requests that depend on each other
// keep their meaning, even behind a validate still waiting on the API.
func TestPipelinedRequestsKeepOrder(t *testing.T) {
	release, waiting := slowTInvest(t, map[string]tinvestfake.Token{tok1: {Access: tinvestfake.Full}})
	defer release()
	env, _ := testEnv(t)
	old := call(t, env, storeReq(tok1)).Token.ID
	send, next, closeIn := pipeHost(t, env)
	send(fmt.Sprintf(`{"id":"v","cmd":"validate","token_id":%q}`, old))
	require.Eventually(t, func() bool { return waiting.Load() > 0 }, 5*time.Second, 5*time.Millisecond)
	tok2 := tok1[:80] + "0002"
	send(fmt.Sprintf(`{"id":"s","cmd":"store","provider":"tinvest","secret":%q}`, tok2))
	send(`{"id":"l","cmd":"list"}`)
	s := next(2 * time.Second)
	require.Equal(t, "s", s.ID)
	require.True(t, s.OK, "%+v", s.Error)
	l := next(2 * time.Second)
	require.Equal(t, "l", l.ID)
	require.Contains(t, string(l.Raw), s.Token.ID, "list sees the store before it")
	send(fmt.Sprintf(`{"id":"d","cmd":"delete","token_id":%q}`, s.Token.ID))
	send(fmt.Sprintf(`{"id":"g","cmd":"get","token_id":%q,"purpose":"copy"}`, s.Token.ID))
	require.True(t, next(2*time.Second).OK)
	g := next(2 * time.Second)
	require.Equal(t, "g", g.ID)
	require.Equal(t, CodeNotFound, g.Error.Code, "get sees the delete before it")
	release()
	v := next(limits.ValidateTimeout)
	require.Equal(t, "v", v.ID)
	require.NoError(t, closeIn())
}

// config.json is read on first use: a `list` from the built-in extension
// never opens it; a request that needs it reads it once; an unreadable one
// leaves the built-in IDs allowed and names itself when it refuses a caller.
func TestConfigReadOnFirstUse(t *testing.T) {
	const added = "abcdefghijklmnopabcdefghijklmnop"
	tests := []struct {
		name      string
		caller    string
		cmds      []string
		file      string // config.json's content; "" = none
		wantReads int
		wantOK    bool
		wantMsg   string
	}{
		{"built-in list", config.ChromiumExtensionID, []string{"list", "list"}, "", 0, true, ""},
		{"built-in hello reads it once", config.ChromiumExtensionID, []string{"hello", "hello", "list"}, "", 1, true, ""},
		{"added ID", added, []string{"list", "list"}, `{"extension_ids":["` + added + `"]}`, 1, true, ""},
		{"added ID, config unreadable", added, []string{"list"}, `{"extension_ids":`, 1, false, "config is unreadable"},
		{"built-in, config unreadable", config.ChromiumExtensionID, []string{"hello"}, `{`, 1, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := testEnv(t)
			env.Config = nil
			dirs := config.Dirs{Home: filepath.Dir(env.ConfigPath)}
			if tt.file != "" {
				require.NoError(t, os.WriteFile(env.ConfigPath, []byte(tt.file), 0o600))
			}
			reads := 0
			env.LoadConfig = func() (*config.Config, error) { reads++; return config.Load(dirs) }
			env.Caller = Caller{Browser: "chromium", ExtensionID: tt.caller}
			for i, cmd := range tt.cmds {
				a := call(t, env, fmt.Sprintf(`{"id":"%d","cmd":%q}`, i, cmd))
				require.Equal(t, tt.wantOK, a.OK, "%s: %+v", cmd, a.Error)
				if !tt.wantOK {
					require.Equal(t, CodeOriginDenied, a.Error.Code)
					require.Contains(t, a.Error.Message, tt.wantMsg)
				}
			}
			require.Equal(t, tt.wantReads, reads)
		})
	}
}
