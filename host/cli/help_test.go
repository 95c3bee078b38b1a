package cli

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// leaves lists every runnable command of the table with its argv path.
func leaves(c *Command, path []string) [][]string {
	if c.Sub == nil {
		return [][]string{path}
	}
	var out [][]string
	for _, s := range c.Sub {
		out = append(out, leaves(s, append(append([]string(nil), path...), s.Name))...)
	}
	return out
}

// An option line of --help: "  --name" or "  --name PLACEHOLDER" (capitals, | and _).
var optionLine = regexp.MustCompile(`^  --[a-z][a-z-]*( [A-Z][A-Z_|]*)?$`)

func TestEveryCommandHasHelp(t *testing.T) {
	t.Setenv("TOKENBRIDGE_HOME", t.TempDir())
	paths := leaves(root, nil)
	require.Len(t, paths, 16, "9 commands and 7 moex subcommands")
	for _, path := range paths {
		t.Run(strings.Join(path, " "), func(t *testing.T) {
			for _, args := range [][]string{append(path, "--help"), append([]string{"help"}, path...)} {
				var out, errb bytes.Buffer
				mem := secretstore.NewMemory()
				code := Run(&Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Secrets: mem}, args)
				require.Equal(t, ExitOK, code, errb.String())
				require.Empty(t, errb.String())
				require.Equal(t, 0, mem.Len(), "help touches nothing")
				require.Contains(t, strings.ToLower(out.String()), "usage: tokenbridge "+strings.Join(path, " "))
				_, opts, _ := strings.Cut(out.String(), "\nOptions:\n")
				for _, l := range strings.Split(opts, "\n") {
					if strings.HasPrefix(l, "  -") {
						require.Regexp(t, optionLine, l)
					}
				}
			}
		})
	}
}

func TestHelpPlaceholders(t *testing.T) {
	want := map[string][]string{
		"add":          {"  --kind KIND\n", "  --label LABEL\n", "  --provider PROVIDER\n"},
		"exec":         {"  --token ID|LABEL\n", "  --moex NAME\n", "  --env NAME\n"},
		"install":      {"  --browser BROWSER\n", "  --dir DIR\n", "  --extension-id ID\n", "  --system\n"},
		"check":        {"  --all\n", "  --json\n"},
		"moex token":   {"  --otp CODE\n", "  --json\n"},
		"moex add":     {"  --client-id ID\n", "  --token-url URL\n", "  --env ENV\n"},
		"moex migrate": {"  --client-id ID\n", "  --otp CODE\n"},
	}
	for cmd, lines := range want {
		var out bytes.Buffer
		code := Run(&Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &bytes.Buffer{}}, append(strings.Fields(cmd), "--help"))
		require.Equal(t, ExitOK, code, cmd)
		for _, l := range lines {
			require.Contains(t, out.String(), l, cmd)
		}
		require.NotContains(t, out.String(), "-kind tokenbridge", cmd)
	}
}

func TestUsageErrorsNameTheCommand(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"nope"}, "tokenbridge: unknown command \"nope\"\nRun `tokenbridge --help` for usage.\n"},
		{[]string{"moex", "nope"}, "tokenbridge moex: unknown command \"nope\"\nRun `tokenbridge moex --help` for usage.\n"},
		{[]string{"list", "x"}, "tokenbridge list: unexpected argument \"x\"\nRun `tokenbridge list --help` for usage.\n"},
		{[]string{"rm"}, "tokenbridge rm: missing ID|LABEL\nRun `tokenbridge rm --help` for usage.\n"},
		{[]string{"moex", "token"}, "tokenbridge moex token: missing profile NAME\nRun `tokenbridge moex token --help` for usage.\n"},
		{[]string{"list", "--nope"}, "tokenbridge list: flag provided but not defined: -nope\nRun `tokenbridge list --help` for usage.\n"},
	}
	for _, tc := range tests {
		var out, errb bytes.Buffer
		code := Run(&Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Secrets: secretstore.NewMemory()}, tc.args)
		require.Equal(t, ExitUsage, code, tc.args)
		require.Empty(t, out.String(), tc.args)
		require.Equal(t, tc.want, errb.String(), tc.args)
	}
	// No arguments: the command list on stdout, exit 2 (as for a group without a subcommand).
	for _, args := range [][]string{nil, {"moex"}} {
		var out, errb bytes.Buffer
		require.Equal(t, ExitUsage, Run(&Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}, args))
		require.Contains(t, strings.ToLower(out.String()), "commands:")
	}
}
