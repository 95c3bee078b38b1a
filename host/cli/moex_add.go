package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/tokenbridge/tokenbridge/host/moex"
)

var moexAddCmd = moexSub("add", `usage: tokenbridge moex add NAME --env play|production --client-id ID [--grant password|client_credentials]
    [--username U] [--scope S] [--token-url URL] [--legacy] [--auth params|basic] [--force]

Create a MOEX profile. Default endpoint: the new MOEX SSO (Keycloak) token URL of the
environment; --legacy uses the old endpoint with grant_type=passport. The client secret
(may be empty for a public client) and, for --grant password, the MOEX Passport password
are read without echo from the terminal, or one per line from stdin; never from argv.`,
	func(fs *flag.FlagSet) moexAction {
		var p moex.Profile
		fs.StringVar(&p.Env, "env", "", "play or production")
		fs.StringVar(&p.Grant, "grant", moex.GrantPassword, "password or client_credentials")
		fs.StringVar(&p.ClientID, "client-id", "", "the OAuth client `ID` (client_id)")
		fs.StringVar(&p.Username, "username", "", "MOEX Passport login `U` (password grant)")
		fs.StringVar(&p.Scope, "scope", "", "space-separated scopes `S`")
		fs.StringVar(&p.TokenURL, "token-url", "", "token endpoint `URL` (https; plain http only to 127.0.0.1 or [::1])")
		fs.BoolVar(&p.Legacy, "legacy", false, "old endpoint, grant_type=passport")
		fs.StringVar(&p.AuthStyle, "auth", moex.AuthParams, "client authentication `STYLE`: params or basic")
		force := fs.Bool("force", false, "replace an existing profile")
		return func(_ context.Context, env *Env, m *moex.Manager, name string) int {
			p.Name = name
			return moexAdd(env, m, p, *force)
		}
	})

func moexAdd(env *Env, m *moex.Manager, p moex.Profile, force bool) int {
	if p.Env == "" {
		return env.Usagef("--env play|production is required")
	}
	if p.ClientID == "" {
		return env.Usagef("--client-id is required")
	}
	// Check everything before asking for secrets.
	p, err := moex.PrepareProfile(p)
	if err != nil {
		return env.Fail(err)
	}
	var cred moex.Credentials
	if cred.ClientSecret, err = ReadSecret(env, "client secret for "+p.ClientID+" (empty for none)"); err != nil {
		return env.Fail(err)
	}
	if p.Grant == moex.GrantPassword {
		if cred.Password, err = ReadSecret(env, "MOEX Passport password for "+p.Username); err != nil {
			return env.Fail(err)
		}
	}
	if err := m.Add(p, cred, force); err != nil {
		return env.Fail(err)
	}
	fmt.Fprintf(env.Stderr, "MOEX profile %q saved (%s, %s, %s); get a token with `tokenbridge moex token %s`\n", p.Name, p.Env, p.Grant, p.TokenURL, p.Name)
	return ExitOK
}
