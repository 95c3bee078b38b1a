package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/tokenbridge/tokenbridge/host/moex"
)

var moexTokenCmd = moexSub("token", `usage: tokenbridge moex token NAME [--otp CODE] [--json]

Print a valid access token (stdout, nothing else): the cached one, else a refresh, else a
new sign-in with the stored credentials. --otp passes a one-time code when the account
asks for one. --json prints {access_token, token_type, scope, access_expires_at,
refresh_expires_at}.`,
	func(fs *flag.FlagSet) moexAction {
		var o moex.TokenOptions
		fs.StringVar(&o.OTP, "otp", "", "one-time `CODE`, when the account asks for one")
		asJSON := fs.Bool("json", false, "print JSON with expiry times")
		return func(ctx context.Context, env *Env, m *moex.Manager, name string) int {
			tok, err := m.Token(ctx, name, o)
			if err != nil {
				return env.Fail(err)
			}
			warn(env, tok.Warning)
			if !*asJSON {
				fmt.Fprintln(env.Stdout, tok.AccessToken)
				return ExitOK
			}
			return printJSON(env, tok.JSON())
		}
	})
