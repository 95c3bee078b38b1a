package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/redact"
)

// moexCmd is `tokenbridge moex`: one file per subcommand (moex_*.go).
var moexCmd = &Command{
	Name:    "moex",
	Summary: "MOEX web-service tokens: add, token, migrate, list, rm, logout, claims",
	Usage:   moexUsage,
	Sub:     []*Command{moexAddCmd, moexTokenCmd, moexMigrateCmd, moexListCmd, moexRmCmd, moexLogoutCmd, moexClaimsCmd},
}

const moexUsage = `usage: tokenbridge moex COMMAND [ARGS]

MOEX (Moscow Exchange) web-service tokens. Secrets (client secret, password) are read
without echo from the terminal, or one per line from stdin when it is not a terminal
(line 1: client secret, may be empty for a public client; line 2: password, for
--grant password). They are never accepted as arguments, and are kept only in the OS
keyring; settings go to the index.

commands:
  add NAME --env play|production --client-id ID [--grant password|client_credentials]
      [--username U] [--scope S] [--token-url URL] [--legacy] [--auth params|basic] [--force]
      Create a profile. Default endpoint: the new MOEX SSO (Keycloak) token URL of the
      environment; --legacy uses the old endpoint with grant_type=passport.
  token NAME [--otp CODE] [--json]
      Print a valid access token (stdout, nothing else): the cached one, else a refresh,
      else a new sign-in with the stored credentials. --otp passes a one-time code when the
      account asks for one (a short-lived single-use code, so argv is acceptable for it).
      --json prints {access_token, token_type, scope, access_expires_at, refresh_expires_at}.
  migrate NAME [--client-id ID] [--token-url URL] [--otp CODE]
      Move a legacy profile to the new endpoint with a NEW client_id/client_secret pair
      (the old pair does not work there). The secret is read from the prompt or stdin.
  list [--json]        Profiles and token status (no secrets).
  rm NAME              Remove a profile and all its keyring items.
  logout NAME          Drop the cached tokens (the credentials stay).
  claims NAME          Show the cached access token's JWT claims, decoded but NOT verified.
`

// moexSecretFlags are refused by every moex subcommand: secrets never come from argv. Only a
// one-time code (--otp) may: it is valid for seconds and only once.
var moexSecretFlags = []string{"client-secret", "client_secret", "secret", "password", "pass", "access-token", "refresh-token", "token"}

// moexSub is a subcommand on one profile NAME (NAME before or after the flags).
func moexSub(name, usage string, flags func(fs *flag.FlagSet) moexAction) *Command {
	return &Command{Name: name, Usage: usage, Interspersed: true, Refuse: moexSecretFlags, ReadsSecret: true,
		MinArgs: 1, MaxArgs: 1, ArgName: "profile NAME", Flags: func(fs *flag.FlagSet) Action { return withMoex(flags(fs)) }}
}

// moexAction runs a moex subcommand; name is "" for list.
type moexAction func(ctx context.Context, env *Env, m *moex.Manager, name string) int

// withMoex checks the profile NAME, opens the manager and gives a context that ^C cancels
// (a pending token request stops; the profile lock is released on the way out).
func withMoex(run moexAction) Action {
	return func(env *Env, args []string) int {
		name := ""
		if len(args) > 0 {
			name = args[0]
			if err := moex.ValidateName(name); err != nil {
				return env.Fail(err)
			}
		}
		m, err := env.Moex()
		if err != nil {
			return env.Fail(err)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		return run(ctx, env, m, name)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// warn prints a warning (a reused refresh token, a bad token URL) on stderr, redacted:
// stdout carries only the command's output. An empty msg prints nothing.
func warn(env *Env, msg string) {
	if msg != "" {
		fmt.Fprintln(env.Stderr, env.name()+": warning: "+redact.String(msg))
	}
}
