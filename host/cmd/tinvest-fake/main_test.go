package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/tinvest"
)

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestRunServesTableAndStops(t *testing.T) {
	dir := t.TempDir()
	table := filepath.Join(dir, "tokens.json")
	require.NoError(t, os.WriteFile(table, []byte(`{"tokens": {
		"t.bin-full": {"access": "full"},
		"t.bin-ro": {"access": "readonly", "account_id": "2000123456"},
		"t.bin-sandbox": {"sandbox": true}
	}}`), 0o600))

	stdinR, stdinW := io.Pipe()
	outR, outW := io.Pipe()
	stderr := &lockedBuf{}
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"-tokens", table, "-print-addr", "-stdin-close", "-unknown", "readonly"}, stdinR, outW, stderr)
		outW.Close()
	}()

	sc := bufio.NewScanner(outR)
	env := map[string]string{}
	for len(env) < 2 && sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		require.True(t, ok, sc.Text())
		env[k] = v
	}
	require.Contains(t, env, tinvest.EnvProdURL)
	require.Contains(t, env, tinvest.EnvSandboxURL)
	go func() { _, _ = io.Copy(io.Discard, outR) }()

	c, err := tinvest.New(tinvest.Config{ProdURL: env[tinvest.EnvProdURL], SandboxURL: env[tinvest.EnvSandboxURL], Timeout: 2 * time.Second})
	require.NoError(t, err)
	ctx := context.Background()
	require.Equal(t, tinvest.ResultFullAccess, c.Check(ctx, "t.bin-full", time.Time{}).Result)
	v := c.Check(ctx, "t.bin-ro", time.Time{})
	require.Equal(t, tinvest.ResultReadonly, v.Result)
	require.Len(t, v.Accounts, 1)
	require.Equal(t, tinvest.ResultSandbox, c.Check(ctx, "t.bin-sandbox", time.Time{}).Result)
	require.Equal(t, tinvest.ResultReadonly, c.Check(ctx, "t.not-in-table", time.Time{}).Result, "-unknown readonly")

	// Register a token at run time, then check it.
	base := strings.TrimSuffix(env[tinvest.EnvProdURL], "/prod/rest")
	resp, err := http.Post(base+"/_fake/tokens", "application/json", strings.NewReader(`{"t.runtime":{"sandbox":true}}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, tinvest.ResultSandbox, c.Check(ctx, "t.runtime", time.Time{}).Result)

	resp, err = http.Get(base + "/_fake/violations")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.JSONEq(t, `[]`, string(body))

	require.NoError(t, stdinW.Close())
	select {
	case code := <-done:
		require.Equal(t, 0, code)
	case <-time.After(5 * time.Second):
		t.Fatal("did not stop when stdin closed")
	}
	logs := stderr.String()
	require.Contains(t, logs, "POST /prod/rest/tinkoff.public.invest.api.contract.v1.UsersService/GetAccounts -> 200")
	for _, tok := range []string{"t.bin-full", "t.bin-ro", "t.bin-sandbox", "t.runtime"} {
		require.NotContains(t, logs, tok)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-addr", "0.0.0.0:0"}, "not a loopback address"},
		{[]string{"-addr", "192.168.1.1:80"}, "not a loopback address"},
		{[]string{"-unknown", "maybe"}, "-unknown"},
		{[]string{"-tls-cert", "x.pem"}, "go together"},
		{[]string{"t.secret-on-argv"}, "tokens go in the -tokens file"},
		{[]string{"-tokens", "/nonexistent/tokens.json"}, "open token table"},
	}
	for _, tc := range tests {
		var stderr lockedBuf
		code := run(tc.args, strings.NewReader(""), io.Discard, &stderr)
		require.NotZero(t, code, tc.args)
		require.Contains(t, stderr.String(), tc.want)
	}
}

func TestLoadTableRejectsUnknownFields(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"tokens":{"t.x":{"acess":"full"}}}`), 0o600))
	_, err := loadTable(p)
	require.ErrorContains(t, err, "acess")
}
