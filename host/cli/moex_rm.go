package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/tokenbridge/tokenbridge/host/moex"
)

var moexRmCmd = moexSub("rm", `usage: tokenbridge moex rm NAME

Remove a MOEX profile and all its keyring items.`,
	func(*flag.FlagSet) moexAction {
		return func(_ context.Context, env *Env, m *moex.Manager, name string) int {
			if err := m.Remove(name); err != nil {
				return env.Fail(err)
			}
			fmt.Fprintf(env.Stderr, "MOEX profile %q and its keyring items removed\n", name)
			return ExitOK
		}
	})

var moexLogoutCmd = moexSub("logout", `usage: tokenbridge moex logout NAME

Drop the cached access and refresh tokens of a profile (the credentials stay).`,
	func(*flag.FlagSet) moexAction {
		return func(_ context.Context, env *Env, m *moex.Manager, name string) int {
			if err := m.Logout(name); err != nil {
				return env.Fail(err)
			}
			fmt.Fprintf(env.Stderr, "cached tokens of MOEX profile %q dropped (credentials kept)\n", name)
			// Logout sends nothing, so it works with a bad token URL; say what the next
			// request would refuse.
			if err := m.CheckTokenURL(name); err != nil {
				warn(env, err.Error())
			}
			return ExitOK
		}
	})
