package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"

	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/limits"
	"github.com/tokenbridge/tokenbridge/host/tinvest"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

var checkCmd = &Command{Name: "check", Summary: "validate T-Invest tokens against the broker's API (read-only)", Interspersed: true, MaxArgs: AnyArgs, Usage: `
Usage: tokenbridge check [ID|LABEL ...] [--all] [--json]

Checks stored T-Invest tokens with read-only calls of the T-Invest API
(UsersService/GetAccounts on production, SandboxService/GetSandboxAccounts on the
sandbox): nothing is created, opened or changed. Each token is classified as
full_access, readonly, sandbox, no_access (accepted, but without access to any of
its accounts: it is never filled), or invalid (expired or revoked). A check that
gets no verdict (network, server error, rate limit, or "certificate": the API host's
TLS certificate is not trusted; the message names the host, the issuer and how to add
a CA in config.json's "api_overrides") never replaces the last verdict: it is kept
with its accounts, shown as "last checked OK on DATE", and the failure is recorded
beside it (validation.last_failure); a token never checked before shows "upstream".
A verdict, the accounts the token reaches and the time are saved in the token's
metadata; the kind follows full_access, readonly and sandbox, and an accepted token's
"last used" date moves (the broker keeps a token alive three months from its last
use). The table and --json show the expiry estimate (last use + 3 months) with a
warning under 14 days left.

With no ID and no --all every T-Invest token is checked.

The token goes only to the T-Invest hosts (https://invest-public-api.tbank.ru and
https://sandbox-invest-public-api.tbank.ru, or TOKENBRIDGE_TINVEST_URL and
TOKENBRIDGE_TINVEST_SANDBOX_URL when set); nothing else is contacted. Those
overrides are accepted only for a loopback address (127.0.0.1, ::1) or the bank's own
hosts; any other address only when config.json names the same URL in
"api_overrides" (tinvest_url, tinvest_sandbox_url); otherwise check refuses to run.

Exit codes: 0 every token works, 3 a token is invalid or no_access, 1 a token could
not be checked (or another error), 2 usage error.`,
	Flags: func(fs *flag.FlagSet) Action {
		all := fs.Bool("all", false, "check every stored T-Invest token")
		asJSON := fs.Bool("json", false, `print JSON: an array of {"ref", "token"} (token objects with the expiry estimate) or {"ref", "error"}`)
		return func(env *Env, refs []string) int { return runCheck(env, refs, *all, *asJSON) }
	}}

// checkTimeout bounds the check of one token (the same budget as `validate`).
const checkTimeout = limits.ValidateTimeout

type checkEntry struct {
	Ref   string      `json:"ref"`
	Token *vault.View `json:"token,omitempty"`
	Error string      `json:"error,omitempty"`
}

func runCheck(env *Env, refs []string, all, asJSON bool) int {
	if all && len(refs) > 0 {
		return env.Usagef("give token IDs or --all, not both")
	}
	v, err := env.Vault()
	if err != nil {
		return env.Fail(err)
	}
	if len(refs) == 0 {
		toks, err := v.List(vault.ProviderTInvest)
		if err != nil {
			return env.Fail(err)
		}
		for _, t := range toks {
			refs = append(refs, t.ID)
		}
		if len(refs) == 0 {
			if asJSON {
				fmt.Fprintln(env.Stdout, "[]")
			} else {
				fmt.Fprintln(env.Stdout, "no T-Invest tokens stored (issue one on the bank's page with the extension installed, or `tokenbridge add`)")
			}
			return ExitOK
		}
	}
	checker, err := tinvest.NewFromEnv()
	if err != nil {
		return env.Fail(err)
	}
	checker.Log = env.Log()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	entries := make([]checkEntry, 0, len(refs))
	for _, ref := range refs {
		entries = append(entries, checkOne(ctx, v, checker, ref))
	}

	code := ExitOK
	for _, e := range entries {
		switch checkExit(e) {
		case ExitInvalid:
			code = ExitInvalid
		case ExitFailure:
			if code == ExitOK {
				code = ExitFailure
			}
		}
	}

	if asJSON {
		if printJSON(env, entries) != ExitOK {
			return ExitFailure
		}
		return code
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLABEL\tRESULT\tACCOUNTS\tEXPIRES\tMESSAGE")
	var views []vault.View
	for _, e := range entries {
		if e.Error != "" {
			fmt.Fprintf(tw, "%s\t-\terror\t-\t-\t%s\n", e.Ref, e.Error)
			continue
		}
		views = append(views, *e.Token)
		val := e.Token.Validation
		result, note := verdictText(val)
		msg := val.Message
		if note != "" {
			result = "failed (" + val.LastFailure.Code + ")"
			msg = fmt.Sprintf("%s; %s kept, %s", val.LastFailure.Message, val.Result, keptText(val))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Token.ID, e.Token.Label, result, accountsSummary(val.Accounts), expiresText(e.Token.Expiry), msg)
	}
	if err := tw.Flush(); err != nil {
		return env.Fail(err)
	}
	printNotes(env, views, false) // the failures are in the table
	return code
}

// checkExit is one entry's exit code: ExitInvalid for a definite invalid or no_access
// verdict of this check, ExitFailure when this check got no verdict (or failed).
func checkExit(e checkEntry) int {
	if e.Error != "" || e.Token == nil || e.Token.Validation == nil {
		return ExitFailure
	}
	val := e.Token.Validation
	switch {
	case val.LastFailure != nil, val.Result == string(tinvest.ResultUpstream):
		return ExitFailure
	case val.Result == string(tinvest.ResultInvalid), val.Result == string(tinvest.ResultNoAccess):
		return ExitInvalid
	}
	return ExitOK
}

// checkOne resolves ref (id or label) and validates the token.
func checkOne(ctx context.Context, v *vault.Vault, checker vault.Checker, ref string) checkEntry {
	e := checkEntry{Ref: ref}
	tok, err := v.Find(ref)
	if err != nil {
		e.Error = err.Error()
		return e
	}
	if tok.Provider != vault.ProviderTInvest {
		e.Error = fmt.Sprintf("%s is a %q token: only T-Invest tokens can be checked", tok.ID, tok.Provider)
		return e
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	tok, err = v.Validate(ctx, tok.ID, checker)
	if err != nil {
		e.Error = err.Error()
		return e
	}
	view := vault.ViewOf(tok, v.Now())
	e.Token = &view
	return e
}

// accountsSummary is "2: Брокерский счёт, ИИС" (names, or ids when unnamed).
func accountsSummary(accs []index.Account) string {
	if len(accs) == 0 {
		return "-"
	}
	names := make([]string, 0, len(accs))
	for i, a := range accs {
		if i == 3 {
			names = append(names, "…")
			break
		}
		n := a.Name
		if n == "" {
			n = a.ID
		}
		names = append(names, n)
	}
	return fmt.Sprintf("%d: %s", len(accs), strings.Join(names, ", "))
}
