package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// commandAt returns the command at path of the table.
func commandAt(t *testing.T, path []string) *Command {
	t.Helper()
	c := root
	for _, n := range path {
		c = c.lookup(n)
		require.NotNil(t, c, path)
	}
	return c
}

// snapshot is every file under dir and every keyring item, to prove a command changed nothing.
func snapshot(t *testing.T, dir string, mem *secretstore.Memory) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			out["file "+p] = string(b)
		}
		return nil
	}))
	keys, err := mem.List()
	require.NoError(t, err)
	for _, k := range keys {
		v, err := mem.Get(k)
		require.NoError(t, err)
		out["item "+k] = v
	}
	return out
}

// Every command refuses a positional argument beyond its bound with exit 2, before it runs:
// nothing is printed on stdout and no file or keyring item changes (`doctor check` used to
// repair a damaged index and exit 0). Only rm, check and exec take a list.
func TestStrayArgumentsAreUsageErrors(t *testing.T) {
	var lists []string
	for _, path := range leaves(root, nil) {
		c := commandAt(t, path)
		if c.MaxArgs == AnyArgs {
			lists = append(lists, strings.Join(path, " "))
			continue
		}
		args := append([]string(nil), path...)
		for range c.MaxArgs {
			args = append(args, "p1")
		}
		for _, stray := range []string{"check", "t.stray-secret-value"} {
			t.Run(strings.Join(append(args[:len(args):len(args)], stray), " "), func(t *testing.T) {
				home := t.TempDir()
				t.Setenv("TOKENBRIDGE_HOME", home)
				t.Setenv("HOME", home)
				// A damaged index: a doctor that ran would move it aside.
				require.NoError(t, os.WriteFile(filepath.Join(home, "index.json"), []byte(`{"version":1,"tokens":[{"id":"ab`), 0o600))
				mem := secretstore.NewMemory()
				require.NoError(t, mem.Set("tinvest/0123456789abcdef", "t.secret"))
				require.NoError(t, mem.Set("moex/p1/password", "pw"))
				before := snapshot(t, home, mem)

				var out, errb bytes.Buffer
				code := Run(&Env{Stdin: strings.NewReader("x\ny\n"), Stdout: &out, Stderr: &errb, Secrets: mem}, append(args[:len(args):len(args)], stray))
				require.Equal(t, ExitUsage, code, errb.String())
				require.Empty(t, out.String())
				require.Contains(t, errb.String(), "unexpected argument")
				require.Contains(t, errb.String(), "Run `tokenbridge "+strings.Join(path, " ")+" --help` for usage.")
				if c.ReadsSecret {
					require.NotContains(t, errb.String(), stray, "a stray argument of a command that reads secrets is never echoed")
				}
				require.Equal(t, before, snapshot(t, home, mem))
			})
		}
	}
	slices.Sort(lists)
	require.Equal(t, []string{"check", "exec", "rm"}, lists)
}
