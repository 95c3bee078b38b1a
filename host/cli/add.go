package cli

import (
	"fmt"

	"github.com/tokenbridge/tokenbridge/host/vault"
)

func init() {
	Register(&Command{Name: "add", Summary: "store a token read from stdin or a no-echo prompt", Usage: `
Usage: tokenbridge add [--label L] [--provider tinvest|generic] [--kind K]

Stores a token in the OS keyring. The secret is read from a no-echo prompt when
stdin is a terminal, else from the first line of stdin — never from the command
line, where other users and shell history could see it:

  tokenbridge add --label robot < token.txt      (then delete token.txt)
  wl-paste | tokenbridge add --label robot

Storing a token that is already stored updates its label and kind instead.`, Run: runAdd})
}

func runAdd(env *Env, args []string) int {
	fs := env.Flags(commands["add"])
	label := fs.String("label", "", "a name for the token (default: provider, kind and date)")
	provider := fs.String("provider", vault.ProviderTInvest, "tinvest (T-Invest API token) or generic (any one-line secret)")
	kind := fs.String("kind", vault.KindUnknown, "full_access, readonly, sandbox or unknown (`tokenbridge check` finds out)")
	if code, done := env.Parse(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		return env.Errorf("add takes no arguments: the secret is read from stdin or a prompt, never argv")
	}
	secret, err := ReadSecret(env, "Token (input hidden): ")
	if err != nil {
		return env.Fail(err)
	}
	v, err := env.Vault()
	if err != nil {
		return env.Fail(err)
	}
	tok, created, err := v.Store(vault.StoreInput{Provider: *provider, Secret: secret, Label: *label, Kind: *kind})
	if err != nil {
		return env.Fail(err)
	}
	verb := "stored"
	if !created {
		verb = "already stored; updated"
	}
	fmt.Fprintf(env.Stdout, "%s %s %q (%s, %s)\n", verb, tok.ID, tok.Label, tok.Kind, tok.Masked)
	return ExitOK
}
