package cli

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/tokenbridge/tokenbridge/host/moex"
)

var moexListCmd = &Command{Name: "list", Aliases: []string{"ls"}, Interspersed: true, Refuse: moexSecretFlags, MaxArgs: NoArgs, Usage: `usage: tokenbridge moex list [--json]

List MOEX profiles and their token status (no secrets).`,
	Flags: func(fs *flag.FlagSet) Action {
		asJSON := fs.Bool("json", false, "print JSON")
		return withMoex(func(_ context.Context, env *Env, m *moex.Manager, _ string) int { return moexList(env, m, *asJSON) })
	}}

func moexList(env *Env, m *moex.Manager, asJSON bool) int {
	ps, err := m.Entries()
	if err != nil {
		return env.Fail(err)
	}
	if asJSON {
		return printJSON(env, map[string]any{"profiles": ps})
	}
	if len(ps) == 0 {
		fmt.Fprintln(env.Stderr, "no MOEX profiles: add one with `tokenbridge moex add NAME --env play --client-id ID --username U`")
		return ExitOK
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tENV\tGRANT\tCLIENT_ID\tUSERNAME\tSTATUS\tACCESS_EXPIRES\tREFRESH_EXPIRES")
	for _, p := range ps {
		grant := p.Grant
		if p.Legacy {
			grant += " (legacy)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Env, grant, clip(p.ClientID), clip(orDash(p.Username)),
			p.Status, orDash(deref(p.AccessExpiresAt)), orDash(deref(p.RefreshExpiresAt)))
	}
	return exitOf(tw.Flush(), env)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
