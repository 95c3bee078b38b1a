package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/tokenbridge/tokenbridge/host/moex"
)

var moexClaimsCmd = moexSub("claims", `usage: tokenbridge moex claims NAME

Show the cached access token's JWT claims, decoded but NOT verified.`,
	func(*flag.FlagSet) moexAction {
		return func(_ context.Context, env *Env, m *moex.Manager, name string) int {
			cl, err := m.CachedClaims(name)
			if err != nil {
				return env.Fail(err)
			}
			w := env.Stdout
			fmt.Fprintf(w, "Claims of the cached access token of profile %q: decoded, NOT verified (the signature was not checked; for display only)\n", name)
			for _, k := range []string{"exp", "iat"} {
				if t, ok := cl.Time(k); ok {
					fmt.Fprintf(w, "  %-6s %s (%s)\n", k+":", t.Format(time.RFC3339), relative(t))
				} else {
					fmt.Fprintf(w, "  %-6s -\n", k+":")
				}
			}
			for _, k := range []string{"iss", "azp", "sub", "scope"} {
				fmt.Fprintf(w, "  %-6s %s\n", k+":", orDash(cl.String(k)))
			}
			return ExitOK
		}
	})

func relative(t time.Time) string {
	d := time.Until(t).Round(time.Second)
	if d >= 0 {
		return "in " + d.String()
	}
	return (-d).String() + " ago"
}
