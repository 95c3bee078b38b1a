package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/frame"
	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

var binary_ string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tokenbridge-bin")
	if err != nil {
		panic(err)
	}
	binary_ = filepath.Join(dir, "tokenbridge")
	out, err := exec.Command("go", "build", "-o", binary_, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// realKeyring fails in CI (and under scripts/with-keyring.sh) when no Secret
// Service answers; only a plain local `go test` without either skips.
func realKeyring(t *testing.T) {
	t.Helper()
	if os.Getenv("TOKENBRIDGE_TEST_KEYRING") == "" && os.Getenv("CI") == "" {
		t.Skip("process tests need the real keyring: run via scripts/with-keyring.sh")
	}
	s := secretstore.Open()
	require.NoError(t, s.Set("test/main-probe", "x"), "a real unlocked Secret Service is required: run via scripts/with-keyring.sh")
	require.NoError(t, s.Delete("test/main-probe"))
}

func fakeToken(run string, i int) string {
	return fmt.Sprintf("t.%s_%s_%06d", strings.Repeat("ProcTest", 8), run, i)
}

func frameOf(v any) []byte {
	b, _ := json.Marshal(v)
	out := make([]byte, 4+len(b))
	binary.LittleEndian.PutUint32(out, uint32(len(b)))
	copy(out[4:], b)
	return out
}

func hostCmd(home string) *exec.Cmd {
	cmd := exec.Command(binary_, "chrome-extension://"+config.ChromiumExtensionID+"/")
	cmd.Env = append(os.Environ(), "TOKENBRIDGE_HOME="+home)
	return cmd
}

type reply struct {
	ID    string `json:"id"`
	OK    bool   `json:"ok"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Token *index.Token `json:"token"`
}

func runHost(t *testing.T, home string, reqs ...any) []reply {
	var in bytes.Buffer
	for _, r := range reqs {
		in.Write(frameOf(r))
	}
	cmd := hostCmd(home)
	cmd.Stdin = &in
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	var replies []reply
	for {
		b, err := frame.Read(&out, frame.MaxOutgoing)
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "stdout must carry frames only")
		var r reply
		require.NoError(t, json.Unmarshal(b, &r))
		replies = append(replies, r)
	}
	return replies
}

func keyringKeys(t *testing.T) map[string]bool {
	keys, err := secretstore.Open().(secretstore.Lister).List()
	require.NoError(t, err)
	m := map[string]bool{}
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func TestHostProcessRoundTrip(t *testing.T) {
	realKeyring(t)
	home := t.TempDir()
	tok := fakeToken("rt", 1)
	rs := runHost(t, home,
		map[string]any{"id": "1", "cmd": "hello"},
		map[string]any{"id": "2", "cmd": "store", "provider": "tinvest", "secret": tok, "kind": "full_access"},
		map[string]any{"id": "3", "cmd": "list"},
	)
	require.Len(t, rs, 3)
	for _, r := range rs {
		require.True(t, r.OK, "%+v", r.Error)
	}
	id := rs[1].Token.ID
	rs = runHost(t, home, map[string]any{"id": "4", "cmd": "get", "token_id": id, "purpose": "fill", "origin": "https://logos-up.com"},
		map[string]any{"id": "5", "cmd": "delete", "token_id": id})
	require.True(t, rs[0].OK)
	require.True(t, rs[1].OK)
	log, err := os.ReadFile(filepath.Join(home, "state", "tokenbridge.log"))
	require.NoError(t, err)
	require.Contains(t, string(log), `"cmd":"store"`)
	require.NotContains(t, string(log), tok)
}

// 50 host processes, as 50 sendNativeMessage calls, store 50 tokens at once.
func TestFiftyConcurrentHosts(t *testing.T) {
	realKeyring(t)
	home := t.TempDir()
	run := fmt.Sprint(time.Now().UnixNano())
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := hostCmd(home)
			cmd.Stdin = bytes.NewReader(frameOf(map[string]any{"id": "s", "cmd": "store", "provider": "tinvest", "secret": fakeToken(run, i)}))
			out, err := cmd.Output()
			if err != nil {
				errs <- fmt.Errorf("host %d: %w", i, err)
				return
			}
			b, err := frame.Read(bytes.NewReader(out), frame.MaxOutgoing)
			if err != nil {
				errs <- err
				return
			}
			var r reply
			if err := json.Unmarshal(b, &r); err != nil || !r.OK {
				errs <- fmt.Errorf("host %d answered %s", i, b)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	d, err := index.Open(filepath.Join(home, "index.json")).Read()
	require.NoError(t, err)
	require.Len(t, d.Tokens, 50)
	keys := keyringKeys(t)
	s := secretstore.Open()
	seen := map[string]bool{}
	for _, tok := range d.Tokens {
		require.True(t, keys["tinvest/"+tok.ID], tok.ID)
		secret, err := s.Get("tinvest/" + tok.ID)
		require.NoError(t, err)
		seen[secret] = true
		require.NoError(t, s.Delete("tinvest/"+tok.ID))
	}
	require.Len(t, seen, 50)
}

// SIGKILL at random moments during store: the index always parses, and
// doctor reconciles keyring and index.
func TestSIGKILLDuringStore(t *testing.T) {
	realKeyring(t)
	home := t.TempDir()
	run := fmt.Sprint(time.Now().UnixNano())
	for i := 0; i < 12; i++ {
		cmd := hostCmd(home)
		stdin, err := cmd.StdinPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		_, err = stdin.Write(frameOf(map[string]any{"id": "s", "cmd": "store", "provider": "tinvest", "secret": fakeToken(run, i)}))
		require.NoError(t, err)
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()
		_, err = index.Open(filepath.Join(home, "index.json")).Read()
		require.NoError(t, err, "index must parse after SIGKILL")
	}
	// Whatever the kills left, add one of each inconsistency for certain:
	// a keyring item without metadata and metadata without an item.
	s := secretstore.Open()
	orphanID := fmt.Sprintf("tok_%016x", rand.Uint64())
	require.NoError(t, s.Set("tinvest/"+orphanID, fakeToken(run, 100)))
	require.NoError(t, index.Open(filepath.Join(home, "index.json")).Update(func(d *index.Data) error {
		d.Tokens = append(d.Tokens, index.Token{ID: "tok_00000000000000ff", Provider: "tinvest", Fingerprint: "gone"})
		return nil
	}))
	// A HOME of its own with the browsers registered, so doctor's exit code
	// speaks of the keyring and the index only.
	env := append(os.Environ(), "TOKENBRIDGE_HOME="+home, "HOME="+t.TempDir())
	install := exec.Command(binary_, "install")
	install.Env = env
	out, err := install.CombinedOutput()
	require.NoError(t, err, string(out))
	doctor := exec.Command(binary_, "doctor")
	doctor.Env = env
	out, err = doctor.CombinedOutput()
	require.NoError(t, err, "doctor must repair everything and exit 0:\n%s", out)
	require.Regexp(t, `index\s+tinvest/`+orphanID+`\s+repaired`, string(out))
	require.Regexp(t, `index\s+tok_00000000000000ff\s+repaired`, string(out))
	again := exec.Command(binary_, "doctor", "--check")
	again.Env = env
	out, err = again.CombinedOutput()
	require.NoError(t, err, string(out))
	require.NotContains(t, string(out), "repaired")
	require.NotContains(t, string(out), "PROBLEM")
	// After doctor: every token has its item, every tinvest item has metadata.
	d, err := index.Open(filepath.Join(home, "index.json")).Read()
	require.NoError(t, err)
	inIndex := map[string]bool{}
	for _, tok := range d.Tokens {
		inIndex["tinvest/"+tok.ID] = true
		secret, err := s.Get("tinvest/" + tok.ID)
		require.NoError(t, err)
		require.Contains(t, secret, run)
	}
	require.True(t, inIndex["tinvest/"+orphanID], "the orphan was adopted")
	require.False(t, inIndex["tinvest/tok_00000000000000ff"], "the entry without a secret was dropped")
	for k := range keyringKeys(t) {
		if strings.HasPrefix(k, "tinvest/") {
			secret, err := s.Get(k)
			require.NoError(t, err)
			if strings.Contains(secret, run) {
				require.True(t, inIndex[k], "keyring item %s without metadata after doctor", k)
				require.NoError(t, s.Delete(k))
			}
		}
	}
}

func TestCLI(t *testing.T) {
	realKeyring(t)
	home := t.TempDir()
	tok := fakeToken("cli", 1)
	cli := func(stdin string, args ...string) (string, int) {
		cmd := exec.Command(binary_, args...)
		cmd.Env = append(os.Environ(), "TOKENBRIDGE_HOME="+home)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return string(out), code
	}
	out, code := cli(tok+"\n", "add", "--label", "robot", "--kind", "full_access")
	require.Equal(t, 0, code, out)
	require.NotContains(t, out, tok)
	out, code = cli("", "list", "--json")
	require.Equal(t, 0, code, out)
	require.NotContains(t, out, tok)
	var toks []index.Token
	require.NoError(t, json.Unmarshal([]byte(out), &toks))
	require.Len(t, toks, 1)
	require.Equal(t, "robot", toks[0].Label)

	out, code = cli("", "exec", "--token", "robot", "--", "sh", "-c", `test "$INVEST_TOKEN" = "`+tok+`" && echo match; exit 7`)
	require.Equal(t, 7, code, out)
	require.Equal(t, "match\n", out)
	out, code = cli("", "exec", "--token", "robot", "--env", "MY_TOK", "--", "sh", "-c", `echo ${#MY_TOK}`)
	require.Equal(t, 0, code)
	require.Equal(t, fmt.Sprintf("%d\n", len(tok)), out)
	_, code = cli("", "exec", "--token", "robot", "--", "/nonexistent/cmd")
	require.Equal(t, 127, code)
	_, code = cli("", "exec", "--", "true")
	require.Equal(t, 2, code)

	for _, c := range []string{"list", "add", "rm", "exec", "doctor", "install", "uninstall", "check", "moex"} {
		out, code = cli("", c, "--help")
		require.Equal(t, 0, code, c)
		require.Contains(t, strings.ToLower(out), "usage:", c)
	}
	out, code = cli("", "add", tok)
	require.Equal(t, 2, code, "a stray positional argument is a usage error")
	require.NotContains(t, out, tok, "a secret given on argv is refused and not echoed")
	out, code = cli("not-a-token\n", "add")
	require.Equal(t, 1, code)
	require.Contains(t, out, "not a T-Invest token")

	out, code = cli("", "rm", "robot")
	require.Equal(t, 0, code, out)
	out, code = cli("", "rm", "robot")
	require.Equal(t, 1, code)
	require.Contains(t, out, "no token")
}

// With no Secret Service at all, the host says so and how to fix it, and
// nothing is written anywhere.
func TestNoKeyringNoFallback(t *testing.T) {
	home := t.TempDir()
	cmd := hostCmd(home)
	cmd.Env = append(cmd.Env, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus")
	cmd.Stdin = bytes.NewReader(append(frameOf(map[string]any{"id": "h", "cmd": "hello"}),
		frameOf(map[string]any{"id": "s", "cmd": "store", "provider": "tinvest", "secret": fakeToken("nokr", 1)})...))
	out, err := cmd.Output()
	require.NoError(t, err)
	r := bytes.NewReader(out)
	b, err := frame.Read(r, frame.MaxOutgoing)
	require.NoError(t, err)
	require.Contains(t, string(b), `"keyring":"unavailable"`)
	b, err = frame.Read(r, frame.MaxOutgoing)
	require.NoError(t, err)
	require.Contains(t, string(b), `"code":"keyring_unavailable"`)
	require.Contains(t, string(b), "gnome-keyring")
	_, err = os.Stat(filepath.Join(home, "index.json"))
	require.True(t, os.IsNotExist(err), "nothing may be written when the keyring is missing")
	// No file under home holds the token.
	_ = filepath.Walk(home, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(p)
			require.NotContains(t, string(b), fakeToken("nokr", 1), p)
		}
		return nil
	})
}
