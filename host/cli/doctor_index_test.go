package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

// `doctor --check` on a damaged index lists what a repair restores and changes nothing;
// `doctor` then brings back every token and MOEX profile with its label and settings.
func TestDoctorDamagedIndexCLI(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("TOKENBRIDGE_HOME", t.TempDir())
	mem := secretstore.NewMemory()
	newEnv := func() (*Env, *bytes.Buffer) {
		var out bytes.Buffer
		return &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Secrets: mem}, &out
	}
	env, _ := newEnv()
	v, err := env.Vault()
	require.NoError(t, err)
	tok, _, err := v.Store(vault.StoreInput{Provider: vault.ProviderTInvest, Secret: "t." + strings.Repeat("Ab9_-", 13) + "xyz", Label: "робот", Kind: vault.KindReadonly})
	require.NoError(t, err)
	m, err := env.Moex()
	require.NoError(t, err)
	require.NoError(t, m.Add(moex.Profile{Name: "play1", Env: moex.EnvPlay, Grant: moex.GrantPassword, ClientID: "cid", Username: "me"},
		moex.Credentials{ClientSecret: "cs", Password: "pw"}, false))
	wantProfiles, err := m.List()
	require.NoError(t, err)
	env.Close()

	dirs, err := env.Dirs()
	require.NoError(t, err)
	whole, err := os.ReadFile(dirs.Index())
	require.NoError(t, err)
	damaged := whole[:len(whole)/3]
	require.NoError(t, os.WriteFile(dirs.Index(), damaged, 0o600))

	env, out := newEnv()
	require.Equal(t, ExitFailure, Run(env, []string{"doctor", "--check"}), out.String())
	require.Contains(t, out.String(), "a repair restores: token «робот»")
	require.Contains(t, out.String(), "a repair restores: MOEX profile play1")
	require.Regexp(t, `moex/play1\s+note`, out.String())
	b, err := os.ReadFile(dirs.Index())
	require.NoError(t, err)
	require.Equal(t, string(damaged), string(b), "--check changes nothing")

	env, out = newEnv()
	Run(env, []string{"doctor"})
	require.Regexp(t, `index\.json\s+repaired\s+.*moved aside to`, out.String())
	env, _ = newEnv()
	v, err = env.Vault()
	require.NoError(t, err)
	got, err := v.Token(tok.ID)
	require.NoError(t, err)
	require.Equal(t, tok, got)
	m, err = env.Moex()
	require.NoError(t, err)
	ps, err := m.List()
	require.NoError(t, err)
	require.Equal(t, wantProfiles, ps)
	env.Close()
}
