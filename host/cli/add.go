package cli

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/tokenbridge/tokenbridge/host/vault"
)

var addCmd = &Command{Name: "add", Summary: "store a token read from stdin or a no-echo prompt", ReadsSecret: true, Usage: `
Usage: tokenbridge add [--label LABEL] [--provider tinvest|generic] [--kind KIND]

Stores a token in the OS keyring. The secret is read from a no-echo prompt when
stdin is a terminal, else from the first line of stdin — never from the command
line, where other users and shell history could see it:

  tokenbridge add --label robot < token.txt      (then delete token.txt)
  wl-paste | tokenbridge add --label robot

Storing a token that is already stored updates its label and kind instead.`,
	Flags: func(fs *flag.FlagSet) Action {
		in := vault.StoreInput{}
		fs.StringVar(&in.Label, "label", "", "a name for the token (default: provider, kind and date)")
		fs.StringVar(&in.Provider, "provider", vault.ProviderTInvest, "tinvest (T-Invest API token) or generic (any one-line secret)")
		fs.StringVar(&in.Kind, "kind", vault.KindUnknown, "full_access, readonly, sandbox or unknown (tokenbridge check finds out)")
		return func(env *Env, _ []string) int { return runAdd(env, in) }
	}}

func runAdd(env *Env, in vault.StoreInput) int {
	secret, err := ReadSecret(env, "Token (input hidden)")
	secret = strings.TrimSpace(secret)
	if errors.Is(err, errNoInput) || (err == nil && secret == "") {
		err = errors.New("no secret given: pipe it on stdin (e.g. `pbpaste | tokenbridge add`) or run in a terminal to be prompted")
	}
	if err != nil {
		return env.Fail(err)
	}
	v, err := env.Vault()
	if err != nil {
		return env.Fail(err)
	}
	in.Secret = secret
	tok, created, err := v.Store(in)
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
