package cli

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/secretstore"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

const execTestSecret = "t.exec" + "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"

// execFixture stores one T-Invest token labelled "robot" in a memory keyring.
func execFixture(t *testing.T) func(args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("TOKENBRIDGE_HOME", t.TempDir())
	mem := secretstore.NewMemory()
	v, err := (&Env{Secrets: mem}).Vault()
	require.NoError(t, err)
	_, _, err = v.Store(vault.StoreInput{Provider: vault.ProviderTInvest, Secret: execTestSecret, Label: "robot"})
	require.NoError(t, err)
	return func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Run(&Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Secrets: mem}, append([]string{"exec"}, args...))
		return code, out.String(), errb.String()
	}
}

func TestExecEnvSeveralNames(t *testing.T) {
	run := execFixture(t)
	t.Setenv("TINKOFF_TOKEN", "stale-value")
	code, out, errs := run("--token", "robot", "--env", "INVEST_TOKEN", "--env", "TINKOFF_TOKEN", "--env", "TKS_API_TOKEN", "--env", "INVEST_TOKEN",
		"--", "sh", "-c", `printf '%s|%s|%s|' "$INVEST_TOKEN" "$TINKOFF_TOKEN" "$TKS_API_TOKEN"; env | grep -c '^TINKOFF_TOKEN='`)
	require.Equal(t, ExitOK, code, errs)
	require.Equal(t, execTestSecret+"|"+execTestSecret+"|"+execTestSecret+"|1\n", out, "every --env gets the token, each once")

	code, out, errs = run("--token", "robot", "--", "sh", "-c", `printf %s "$INVEST_TOKEN"`)
	require.Equal(t, ExitOK, code, errs)
	require.Equal(t, execTestSecret, out, "default name")
}

func TestExecRefusesDangerousEnvNames(t *testing.T) {
	run := execFixture(t)
	tests := []struct {
		name, why string
	}{
		{"LD_PRELOAD", "dynamic loader"},
		{"LD_LIBRARY_PATH", "dynamic loader"},
		{"DYLD_INSERT_LIBRARIES", "dynamic loader"},
		{"GCONV_PATH", "dynamic loader"},
		{"PATH", "where programs are found"},
		{"IFS", "shells read it"},
		{"BASH_ENV", "shells read it"},
		{"ENV", "shells read it"},
		{"SHELLOPTS", "shells read it"},
		{"PS4", "shells read it"},
		{"BASH_FUNC_X%%", "upper-case variable name"},
		{"BASH_FUNC_X", "shells read it"},
		{"EDITOR", "run its value as a command"},
		{"PYTHONPATH", "interpreters"},
		{"PYTHONSTARTUP", "interpreters"},
		{"PERLLIB", "interpreters"},
		{"PERL5OPT", "interpreters"},
		{"NODE_OPTIONS", "interpreters"},
		{"RUBYOPT", "interpreters"},
		{"JAVA_TOOL_OPTIONS", "interpreters"},
		{"invest_token", "upper-case variable name"},
		{"1TOKEN", "upper-case variable name"},
		{"A=B", "upper-case variable name"},
		{"", "upper-case variable name"},
		{strings.Repeat("A", 65), "upper-case variable name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run("--token", "robot", "--env", "INVEST_TOKEN", "--env", tc.name, "--", "sh", "-c", "echo ran")
			require.Equal(t, ExitUsage, code, errs)
			require.Empty(t, out, "CMD is not started")
			require.Contains(t, errs, "tokenbridge exec: --env "+clip(tc.name)+": ")
			require.Contains(t, errs, tc.why)
			require.NotContains(t, errs, execTestSecret)
		})
	}
	for _, ok := range []string{"INVEST_TOKEN", "TINKOFF_TOKEN", "TKS_API_TOKEN", "MOEX_ACCESS_TOKEN", "_TOKEN", "PATHWAY_TOKEN", "LDAP_TOKEN"} {
		require.Empty(t, checkEnvName(ok), ok)
	}
	code, _, errs := run("--token", "robot", "--env", "A", "--env", "B", "--env", "C", "--env", "D", "--env", "E", "--env", "F",
		"--env", "G", "--env", "H", "--env", "I", "--env", "J", "--env", "K", "--env", "L", "--env", "M", "--env", "N", "--env", "O",
		"--env", "P", "--env", "Q", "--", "true")
	require.Equal(t, ExitUsage, code)
	require.Contains(t, errs, "at most 16")
}

func TestExecExitCodes(t *testing.T) {
	run := execFixture(t)
	code, _, _ := run("--token", "robot", "--", "sh", "-c", "exit 5")
	require.Equal(t, 5, code)
	code, _, errs := run("--token", "robot", "--", "/nonexistent/robot")
	require.Equal(t, ExitCannotRun, code)
	require.Contains(t, errs, `cannot run "/nonexistent/robot"`)
	code, _, _ = run("--token", "robot")
	require.Equal(t, ExitUsage, code)
}

func TestExecHelpListsEveryRefusedName(t *testing.T) {
	var out bytes.Buffer
	require.Equal(t, ExitOK, Run(&Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &bytes.Buffer{}}, []string{"exec", "--help"}))
	for _, r := range envRefused {
		for _, n := range strings.Fields(r.names) {
			name, prefix := strings.CutSuffix(n, "*")
			require.Contains(t, out.String(), name, n)
			if prefix {
				name += "X"
			}
			require.Contains(t, checkEnvName(name), "refused: "+r.why, n)
		}
	}
}

// checkEnvName's shape check is a byte loop (regexp stays out of the host:
// cold start, issue 11); it accepts exactly what the regexp it replaced accepted.
func FuzzEnvNameMatchesTheRegexp(f *testing.F) {
	old := regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)
	for _, n := range []string{"", "A", "_", "0", "0A", "INVEST_TOKEN", "_X9", "invest_token", "A-B", "A B", "A\n", "A=B", "É",
		"ÀB", strings.Repeat("A", 64), strings.Repeat("A", 65), "PATH", "LD_PRELOAD"} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		badShape := strings.HasPrefix(checkEnvName(name), "use an upper-case")
		require.Equal(t, !(len(name) <= 64 && old.MatchString(name)), badShape, "checkEnvName(%q)", name)
	})
}
