package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/moex/keycloakfake"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

func TestMoexCommandAndExec(t *testing.T) {
	t.Setenv("TOKENBRIDGE_HOME", t.TempDir())
	kc := keycloakfake.New()
	defer kc.Close()
	kc.AddClient("test_api", keycloakfake.Client{Secret: "cli-cs"})
	kc.AddUser("trader", keycloakfake.User{Password: "cli-pw"})
	mem := secretstore.NewMemory()
	run := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Run(&Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Secrets: mem}, args)
		return code, out.String(), errb.String()
	}

	code, out, _ := run("", "help", "moex")
	require.Equal(t, ExitOK, code)
	require.Contains(t, out, "tokenbridge moex COMMAND")
	require.Contains(t, out, "--otp")

	code, _, errs := run("cli-cs\ncli-pw\n", "moex", "add", "p1", "--env", "play", "--client-id", "test_api",
		"--username", "trader", "--token-url", kc.TokenURL())
	require.Equal(t, ExitOK, code, errs)

	code, out, errs = run("", "moex", "token", "p1")
	require.Equal(t, ExitOK, code, errs)
	token := strings.TrimSpace(out)
	require.NotEmpty(t, token)

	code, out, errs = run("", "exec", "--moex", "p1", "--", "sh", "-c", `printf %s "$MOEX_ACCESS_TOKEN"`)
	require.Equal(t, ExitOK, code, errs)
	require.Equal(t, token, out, "exec gets the cached, still valid token")
	require.Len(t, kc.Requests(), 1)

	code, _, errs = run("", "exec", "--moex", "nope", "--", "true")
	require.Equal(t, ExitFailure, code)
	require.Contains(t, errs, "no MOEX profile")

	code, _, errs = run("", "moex", "add", "p2", "--env", "play", "--client-id", "x", "--client-secret", "leak-me")
	require.Equal(t, ExitUsage, code)
	require.NotContains(t, errs, "leak-me")
}

func TestMoexAndCheckHelp(t *testing.T) {
	t.Setenv("TOKENBRIDGE_HOME", t.TempDir())
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Run(&Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Secrets: secretstore.NewMemory()}, args)
		return code, out.String(), errb.String()
	}
	for _, sub := range []string{"add", "token", "migrate", "list", "rm", "logout", "claims"} {
		code, out, errs := run("moex", sub, "--help")
		require.Equal(t, ExitOK, code, errs)
		require.Empty(t, errs)
		require.Contains(t, out, "usage: tokenbridge moex "+sub)
	}
	for _, args := range [][]string{{"moex", "--help"}, {"moex", "help"}} {
		code, out, errs := run(args...)
		require.Equal(t, ExitOK, code, errs)
		require.Empty(t, errs)
		require.Contains(t, out, "tokenbridge moex COMMAND")
	}
	for _, h := range []string{"--help", "-h"} {
		code, out, errs := run("check", h)
		require.Equal(t, ExitOK, code, errs)
		require.Empty(t, errs)
		require.Contains(t, out, "Usage: tokenbridge check")
		require.Contains(t, out, "-json")
	}
}
