package cli

import (
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tokenbridge/tokenbridge/host/index"
)

var listCmd = &Command{Name: "list", Summary: "list stored tokens (metadata only, never secrets)", MaxArgs: NoArgs, Usage: `
Usage: tokenbridge list [--provider PROVIDER] [--json]

Lists stored tokens: id, label, provider, kind, masked value, validation, uses.
Secrets are never printed.`,
	Flags: func(fs *flag.FlagSet) Action {
		asJSON := fs.Bool("json", false, "print JSON (an array of token objects, as in host/PROTOCOL.md)")
		provider := fs.String("provider", "", "only this provider's tokens (tinvest, generic)")
		return func(env *Env, _ []string) int { return runList(env, *provider, *asJSON) }
	}}

func runList(env *Env, provider string, asJSON bool) int {
	v, err := env.Vault()
	if err != nil {
		return env.Fail(err)
	}
	toks, err := v.List(provider)
	if err != nil {
		return env.Fail(err)
	}
	if asJSON {
		if toks == nil {
			toks = []index.Token{}
		}
		return printJSON(env, toks)
	}
	if len(toks) == 0 {
		fmt.Fprintln(env.Stdout, "no tokens stored (issue one on the bank's page with the extension installed, or `tokenbridge add`)")
		return ExitOK
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLABEL\tPROVIDER\tKIND\tTOKEN\tCHECKED\tLAST USED\tUSED BY")
	for _, t := range toks {
		checked := "-"
		if t.Validation != nil {
			checked = t.Validation.Result
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Label, t.Provider, t.Kind, t.Masked, checked,
			t.LastUsedAt.Local().Format(time.DateOnly), usedBy(t.UsedBy))
	}
	return exitOf(tw.Flush(), env)
}

func usedBy(uses []index.Use) string {
	seen := map[string]bool{}
	var out []string
	for _, u := range uses {
		o := strings.TrimPrefix(u.Origin, "https://")
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, ",")
}

func exitOf(err error, env *Env) int {
	if err != nil {
		return env.Fail(err)
	}
	return ExitOK
}
