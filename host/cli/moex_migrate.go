package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/tokenbridge/tokenbridge/host/moex"
)

var moexMigrateCmd = moexSub("migrate", `usage: tokenbridge moex migrate NAME [--client-id ID] [--token-url URL] [--otp CODE]

Move a legacy profile to the new SSO endpoint with a NEW client_id/client_secret pair
(the old pair does not work there). The new client_id is read from stdin when not given;
the secret is always read from the prompt or stdin.`,
	func(fs *flag.FlagSet) moexAction {
		var o moex.MigrateOptions
		fs.StringVar(&o.ClientID, "client-id", "", "the NEW client `ID` issued for the SSO endpoint")
		fs.StringVar(&o.TokenURL, "token-url", "", "new token endpoint `URL` (default: the environment's SSO URL)")
		fs.StringVar(&o.OTP, "otp", "", "one-time `CODE`, when the account asks for one")
		return func(ctx context.Context, env *Env, m *moex.Manager, name string) int {
			return moexMigrate(ctx, env, m, name, o)
		}
	})

func moexMigrate(ctx context.Context, env *Env, m *moex.Manager, name string, o moex.MigrateOptions) int {
	if err := m.CheckMigratable(name); err != nil {
		return env.Fail(err)
	}
	fmt.Fprintln(env.Stderr, "The new SSO endpoint needs a NEW client_id/client_secret pair: the old pair does not work there (play: write to help@moex.com naming the old pair; production: ask your personal client manager).")
	var err error
	if o.ClientID == "" {
		if o.ClientID, err = ReadLine(env, "new client_id"); err != nil {
			return env.Fail(err)
		}
		o.ClientID = strings.TrimSpace(o.ClientID)
	}
	if o.ClientSecret, err = ReadSecret(env, "new client secret for "+clip(o.ClientID)); err != nil {
		return env.Fail(err)
	}
	tok, err := m.Migrate(ctx, name, o)
	if err != nil {
		return env.Fail(err)
	}
	fmt.Fprintf(env.Stderr, "MOEX profile %q now uses the new endpoint; signed in, access token valid until %s\n", name, tok.AccessExpiresAt.UTC().Format(time.RFC3339))
	return ExitOK
}
