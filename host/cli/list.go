package cli

import (
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/tinvest"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

var listCmd = &Command{Name: "list", Summary: "list stored tokens (metadata only, never secrets)", MaxArgs: NoArgs, Usage: `
Usage: tokenbridge list [--provider PROVIDER] [--json]

Lists stored tokens: id, label, provider, kind, masked value, the last verdict of
"tokenbridge check" ("last checked OK on DATE" and the failure when the latest check
could not reach the API), last use, the expiry estimate of T-Invest tokens (last use
+ 3 months; a warning under 14 days left) and where the token was used. Secrets are
never printed. --json prints the token objects of host/PROTOCOL.md with
expires_estimate, expires_in_days and expires_soon.`,
	Flags: func(fs *flag.FlagSet) Action {
		asJSON := fs.Bool("json", false, "print JSON (an array of token objects with the expiry estimate, as in host/PROTOCOL.md)")
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
	views := vault.Views(toks, v.Now())
	if asJSON {
		return printJSON(env, views)
	}
	if len(views) == 0 {
		fmt.Fprintln(env.Stdout, "no tokens stored (issue one on the bank's page with the extension installed, or `tokenbridge add`)")
		return ExitOK
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLABEL\tPROVIDER\tKIND\tTOKEN\tCHECKED\tLAST USED\tEXPIRES\tUSED BY")
	for _, t := range views {
		checked, note := verdictText(t.Validation)
		if note != "" {
			checked += " (" + note + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Label, t.Provider, t.Kind, t.Masked, checked,
			t.LastUsedAt.Local().Format(time.DateOnly), expiresText(t.Expiry), usedBy(t.UsedBy))
	}
	if err := tw.Flush(); err != nil {
		return env.Fail(err)
	}
	printNotes(env, views, true)
	return ExitOK
}

// verdictText is the last verdict for a table ("full_access", "upstream (network)")
// and, when the latest check failed, a note: "check failed on DATE (code); last
// checked OK on DATE".
func verdictText(val *index.Validation) (result, note string) {
	if val == nil {
		return "-", ""
	}
	result = val.Result
	if val.Code != "" {
		result += " (" + val.Code + ")"
	}
	f := val.LastFailure
	if f == nil || !vault.HasVerdict(val) {
		return result, ""
	}
	note = "check failed on " + f.At.Local().Format(time.DateOnly)
	if f.Code != "" {
		note += " (" + f.Code + ")"
	}
	return result, note + "; " + keptText(val)
}

// keptText dates a verdict kept after a failed check: "last checked OK on DATE" (the
// API accepted the token then), "verdict of DATE" for invalid.
func keptText(val *index.Validation) string {
	if val.Result == string(tinvest.ResultInvalid) {
		return "verdict of " + val.CheckedAt.Local().Format(time.DateOnly)
	}
	return "last checked OK on " + val.CheckedAt.Local().Format(time.DateOnly)
}

// expiresText is "2027-02-20 (87 d)", with "!" under ExpirySoonDays; "-" without an estimate.
func expiresText(e *vault.Expiry) string {
	if e == nil {
		return "-"
	}
	s := fmt.Sprintf("%s (%d d)", e.ExpiresEstimate.Local().Format(time.DateOnly), e.ExpiresInDays)
	if e.ExpiresSoon {
		s += " !"
	}
	return s
}

// printNotes prints, under a table, each token close to its expiry estimate with what
// to do and, with failures, each failed latest check with its message.
func printNotes(env *Env, views []vault.View, failures bool) {
	var b strings.Builder
	for _, t := range views {
		if val := t.Validation; failures && val != nil && val.LastFailure != nil && vault.HasVerdict(val) {
			fmt.Fprintf(&b, "%s: the check of %s could not reach a verdict, %s kept: %s\n", t.ID,
				val.LastFailure.At.Local().Format(time.DateTime), val.Result, val.LastFailure.Message)
		}
		if e := t.Expiry; e != nil && e.ExpiresSoon {
			when := fmt.Sprintf("in %d days", e.ExpiresInDays)
			if e.ExpiresInDays < 0 {
				when = "already passed"
			}
			fmt.Fprintf(&b, "warning: %s (%s) expires about %s (%s; 3 months after its last use): use it, or run `tokenbridge check %s` (a working check counts as a use); if it has expired, issue a new one at %s\n",
				t.ID, t.Label, e.ExpiresEstimate.Local().Format(time.DateOnly), when, t.ID, tinvest.SettingsURL)
		}
	}
	if b.Len() > 0 {
		fmt.Fprint(env.Stdout, "\n"+b.String())
	}
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
