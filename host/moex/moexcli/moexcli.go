// Package moexcli implements the `tokenbridge moex ...` subcommands over a moex.Manager.
// host/cli/moex.go registers it with the CLI.
//
// Secrets (client secret, password) are never taken from argv: they are read without echo from
// the terminal, or one per line from stdin when it is not a terminal. Only a one-time code
// (--otp) may be given on the command line: it is valid for seconds and only once.
package moexcli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/redact"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// IO is the command's standard streams.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Usage is the help text of `tokenbridge moex`.
const Usage = `usage: tokenbridge moex COMMAND [ARGS]

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

// subUsage is the help text of each subcommand (`tokenbridge moex SUB --help`); the
// flag list is appended from the subcommand's FlagSet.
var subUsage = map[string]string{
	"add": `usage: tokenbridge moex add NAME --env play|production --client-id ID [--grant password|client_credentials]
    [--username U] [--scope S] [--token-url URL] [--legacy] [--auth params|basic] [--force]

Create a MOEX profile. Default endpoint: the new MOEX SSO (Keycloak) token URL of the
environment; --legacy uses the old endpoint with grant_type=passport. The client secret
(may be empty for a public client) and, for --grant password, the MOEX Passport password
are read without echo from the terminal, or one per line from stdin; never from argv.`,
	"token": `usage: tokenbridge moex token NAME [--otp CODE] [--json]

Print a valid access token (stdout, nothing else): the cached one, else a refresh, else a
new sign-in with the stored credentials. --otp passes a one-time code when the account
asks for one. --json prints {access_token, token_type, scope, access_expires_at,
refresh_expires_at}.`,
	"migrate": `usage: tokenbridge moex migrate NAME [--client-id ID] [--token-url URL] [--otp CODE]

Move a legacy profile to the new SSO endpoint with a NEW client_id/client_secret pair
(the old pair does not work there). The new client_id is read from stdin when not given;
the secret is always read from the prompt or stdin.`,
	"list": `usage: tokenbridge moex list [--json]

List MOEX profiles and their token status (no secrets).`,
	"rm": `usage: tokenbridge moex rm NAME

Remove a MOEX profile and all its keyring items.`,
	"logout": `usage: tokenbridge moex logout NAME

Drop the cached access and refresh tokens of a profile (the credentials stay).`,
	"claims": `usage: tokenbridge moex claims NAME

Show the cached access token's JWT claims, decoded but NOT verified.`,
}

// subAlias maps alternative subcommand names to their canonical name.
var subAlias = map[string]string{"ls": "list", "remove": "rm"}

// Run runs `tokenbridge moex ARGS...`.
func Run(ctx context.Context, m *moex.Manager, s IO, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			sub := args[1]
			if a, ok := subAlias[sub]; ok {
				sub = a
			}
			if u, ok := subUsage[sub]; ok {
				fmt.Fprintln(s.Stdout, u)
				return ExitOK
			}
		}
		fmt.Fprint(s.Stdout, Usage)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	c := &cmd{ctx: ctx, m: m, io: s}
	var run func([]string) int
	switch args[0] {
	case "add":
		run = c.add
	case "token":
		run = c.token
	case "migrate":
		run = c.migrate
	case "list", "ls":
		run = c.list
	case "rm", "remove":
		run = c.rm
	case "logout":
		run = c.logout
	case "claims":
		run = c.claims
	default:
		fmt.Fprintf(s.Stderr, "tokenbridge moex: unknown command %q: run `tokenbridge moex help`\n", clip(args[0]))
		return ExitUsage
	}
	return run(args[1:])
}

type cmd struct {
	ctx   context.Context
	m     *moex.Manager
	io    IO
	lines *bufio.Reader
}

// clip makes a user-given string safe to echo: at most 40 bytes, cut on a rune boundary,
// control characters replaced.
func clip(s string) string {
	if n := 40; len(s) > n {
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

func (c *cmd) fail(err error) int {
	fmt.Fprintln(c.io.Stderr, "tokenbridge moex: "+redact.String(err.Error()))
	if moex.ErrorCode(err) == moex.CodeInvalid {
		return ExitUsage
	}
	return ExitError
}

func (c *cmd) usage(sub, msg string) int {
	fmt.Fprintf(c.io.Stderr, "tokenbridge moex %s: %s (see `tokenbridge moex help`)\n", sub, msg)
	return ExitUsage
}

var secretFlags = []string{"client-secret", "client_secret", "secret", "password", "pass", "access-token", "refresh-token", "token"}

// isHelp reports whether a is a request for help (-h, -help, --help).
func isHelp(a string) bool { return a == "-h" || a == "-help" || a == "--help" }

// help prints sub's usage and flags on stdout.
func (c *cmd) help(fs *flag.FlagSet, sub string) {
	fmt.Fprintln(c.io.Stdout, subUsage[sub])
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(c.io.Stdout, "\noptions:")
		fs.SetOutput(c.io.Stdout)
		fs.PrintDefaults()
	}
}

// parse parses flags around one positional NAME (NAME may come first or after the flags).
// It refuses secret-looking flags without echoing their value. On --help it prints the
// subcommand's usage on stdout. When ok is false the caller returns code.
func (c *cmd) parse(fs *flag.FlagSet, sub string, args []string, wantName bool) (name string, code int, ok bool) {
	for _, a := range args {
		if a == "--" {
			break
		}
		if isHelp(a) {
			c.help(fs, sub)
			return "", ExitOK, false
		}
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		n := strings.TrimLeft(a, "-")
		n, _, _ = strings.Cut(n, "=")
		if strings.HasPrefix(a, "-") {
			for _, sf := range secretFlags {
				if n == sf {
					fmt.Fprintf(c.io.Stderr, "tokenbridge moex %s: secrets are never taken from the command line (other users and shell history can see it): drop --%s and enter it at the prompt or on stdin\n", sub, sf)
					return "", ExitUsage, false
				}
			}
		}
	}
	fs.SetOutput(io.Discard)
	name = ""
	if wantName && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		c.usage(sub, err.Error())
		return "", ExitUsage, false
	}
	rest := fs.Args()
	if wantName && name == "" && len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		c.usage(sub, fmt.Sprintf("unexpected argument %q", clip(rest[0])))
		return "", ExitUsage, false
	}
	if wantName && name == "" {
		c.usage(sub, "missing profile NAME")
		return "", ExitUsage, false
	}
	if wantName {
		if err := moex.ValidateName(name); err != nil {
			c.fail(err)
			return "", ExitUsage, false
		}
	}
	return name, ExitOK, true
}

func (c *cmd) stdinFile() (*os.File, bool) {
	f, ok := c.io.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, false
	}
	return f, true
}

// readSecret reads one secret: without echo from a terminal, else the next stdin line.
func (c *cmd) readSecret(prompt string) (string, error) {
	if f, ok := c.stdinFile(); ok {
		fmt.Fprintf(c.io.Stderr, "%s: ", prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(c.io.Stderr)
		if err != nil {
			return "", fmt.Errorf("read %s from the terminal: %w", prompt, err)
		}
		redact.Add(string(b))
		return string(b), nil
	}
	s, err := c.readLine(prompt)
	redact.Add(s)
	return s, err
}

// readLine reads the next stdin line (bounded); a terminal echoes it (for non-secrets).
func (c *cmd) readLine(what string) (string, error) {
	if _, ok := c.stdinFile(); ok {
		fmt.Fprintf(c.io.Stderr, "%s: ", what)
	}
	if c.lines == nil {
		c.lines = bufio.NewReaderSize(c.io.Stdin, 4096)
	}
	var sb strings.Builder
	for {
		chunk, isPrefix, err := c.lines.ReadLine()
		if err == io.EOF && sb.Len() == 0 {
			return "", fmt.Errorf("expected the %s on stdin (one secret per line), got end of input", what)
		}
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("read %s from stdin: %w", what, err)
		}
		sb.Write(chunk)
		if sb.Len() > 8192 {
			return "", fmt.Errorf("the %s line on stdin is too long", what)
		}
		if !isPrefix || err == io.EOF {
			break
		}
	}
	return strings.TrimSuffix(sb.String(), "\r"), nil
}

func (c *cmd) add(args []string) int {
	fs := flag.NewFlagSet("add", flag.ContinueOnError)
	env := fs.String("env", "", "play or production")
	grant := fs.String("grant", moex.GrantPassword, "password or client_credentials")
	clientID := fs.String("client-id", "", "OAuth client_id")
	username := fs.String("username", "", "MOEX Passport login (password grant)")
	scope := fs.String("scope", "", "space-separated scopes")
	tokenURL := fs.String("token-url", "", "token endpoint (https; http only for localhost)")
	legacy := fs.Bool("legacy", false, "old endpoint, grant_type=passport")
	auth := fs.String("auth", moex.AuthParams, "client authentication: params or basic")
	force := fs.Bool("force", false, "replace an existing profile")
	name, code, ok := c.parse(fs, "add", args, true)
	if !ok {
		return code
	}
	if *env == "" {
		return c.usage("add", "--env play|production is required")
	}
	if *clientID == "" {
		return c.usage("add", "--client-id is required")
	}
	p := moex.Profile{
		Name: name, Env: *env, Grant: *grant, ClientID: *clientID, Username: *username,
		Scope: *scope, TokenURL: *tokenURL, Legacy: *legacy, AuthStyle: *auth,
	}
	if p.TokenURL == "" {
		u, err := moex.DefaultTokenURL(p.Env, p.Legacy)
		if err != nil {
			return c.fail(err)
		}
		p.TokenURL = u
	}
	// Check everything before asking for secrets.
	if err := p.Validate(); err != nil {
		return c.fail(err)
	}
	var cred moex.Credentials
	var err error
	if cred.ClientSecret, err = c.readSecret("client secret for " + p.ClientID + " (empty for none)"); err != nil {
		return c.fail(err)
	}
	if p.Grant == moex.GrantPassword {
		if cred.Password, err = c.readSecret("MOEX Passport password for " + p.Username); err != nil {
			return c.fail(err)
		}
	}
	if err := c.m.Add(p, cred, *force); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.io.Stderr, "MOEX profile %q saved (%s, %s, %s); get a token with `tokenbridge moex token %s`\n", name, p.Env, p.Grant, p.TokenURL, name)
	return ExitOK
}

type tokenJSON struct {
	AccessToken      string  `json:"access_token"`
	TokenType        string  `json:"token_type"`
	Scope            string  `json:"scope"`
	AccessExpiresAt  *string `json:"access_expires_at"`
	RefreshExpiresAt *string `json:"refresh_expires_at"`
}

func rfc3339(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func (c *cmd) token(args []string) int {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	otp := fs.String("otp", "", "one-time code, when the account asks for one")
	asJSON := fs.Bool("json", false, "print JSON with expiry times")
	name, code, ok := c.parse(fs, "token", args, true)
	if !ok {
		return code
	}
	tok, err := c.m.Token(c.ctx, name, moex.TokenOptions{OTP: *otp})
	if err != nil {
		return c.fail(err)
	}
	if !*asJSON {
		fmt.Fprintln(c.io.Stdout, tok.AccessToken)
		return ExitOK
	}
	out := tokenJSON{
		AccessToken: tok.AccessToken, TokenType: tok.TokenType, Scope: tok.Scope,
		AccessExpiresAt: rfc3339(tok.AccessExpiresAt), RefreshExpiresAt: rfc3339(tok.RefreshExpiresAt),
	}
	enc := json.NewEncoder(c.io.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return c.fail(err)
	}
	return ExitOK
}

func (c *cmd) migrate(args []string) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	clientID := fs.String("client-id", "", "the NEW client_id issued for the SSO endpoint")
	tokenURL := fs.String("token-url", "", "new token endpoint (default: the environment's SSO URL)")
	otp := fs.String("otp", "", "one-time code, when the account asks for one")
	name, code, ok := c.parse(fs, "migrate", args, true)
	if !ok {
		return code
	}
	p, err := c.m.Get(name)
	if err != nil {
		return c.fail(err)
	}
	if !p.Legacy {
		return c.fail(fmt.Errorf("MOEX profile %q already uses the new endpoint: nothing to migrate", name))
	}
	fmt.Fprintln(c.io.Stderr, "The new SSO endpoint needs a NEW client_id/client_secret pair: the old pair does not work there (play: write to help@moex.com naming the old pair; production: ask your personal client manager).")
	id := *clientID
	if id == "" {
		if id, err = c.readLine("new client_id"); err != nil {
			return c.fail(err)
		}
		id = strings.TrimSpace(id)
	}
	secret, err := c.readSecret("new client secret for " + clip(id))
	if err != nil {
		return c.fail(err)
	}
	tok, err := c.m.Migrate(c.ctx, name, moex.MigrateOptions{ClientID: id, ClientSecret: secret, TokenURL: *tokenURL, OTP: *otp})
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.io.Stderr, "MOEX profile %q now uses the new endpoint; signed in, access token valid until %s\n", name, tok.AccessExpiresAt.UTC().Format(time.RFC3339))
	return ExitOK
}

func (c *cmd) list(args []string) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, code, ok := c.parse(fs, "list", args, false); !ok {
		return code
	}
	now := time.Now()
	if c.m.Now != nil {
		now = c.m.Now()
	}
	ps, err := moex.ListEntries(c.m, now)
	if err != nil {
		return c.fail(err)
	}
	if *asJSON {
		enc := json.NewEncoder(c.io.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"profiles": ps}); err != nil {
			return c.fail(err)
		}
		return ExitOK
	}
	if len(ps) == 0 {
		fmt.Fprintln(c.io.Stderr, "no MOEX profiles: add one with `tokenbridge moex add NAME --env play --client-id ID --username U`")
		return ExitOK
	}
	tw := tabwriter.NewWriter(c.io.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tENV\tGRANT\tCLIENT_ID\tUSERNAME\tSTATUS\tACCESS_EXPIRES\tREFRESH_EXPIRES")
	for _, p := range ps {
		grant := p.Grant
		if p.Legacy {
			grant += " (legacy)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Env, grant, clip(p.ClientID), clip(orDash(p.Username)),
			p.Status, orDash(deref(p.AccessExpiresAt)), orDash(deref(p.RefreshExpiresAt)))
	}
	return exitOf(tw.Flush())
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func exitOf(err error) int {
	if err != nil {
		return ExitError
	}
	return ExitOK
}

func (c *cmd) rm(args []string) int {
	fs := flag.NewFlagSet("rm", flag.ContinueOnError)
	name, code, ok := c.parse(fs, "rm", args, true)
	if !ok {
		return code
	}
	if err := c.m.Remove(name); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.io.Stderr, "MOEX profile %q and its keyring items removed\n", name)
	return ExitOK
}

func (c *cmd) logout(args []string) int {
	fs := flag.NewFlagSet("logout", flag.ContinueOnError)
	name, code, ok := c.parse(fs, "logout", args, true)
	if !ok {
		return code
	}
	if err := c.m.Logout(name); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.io.Stderr, "cached tokens of MOEX profile %q dropped (credentials kept)\n", name)
	return ExitOK
}

func (c *cmd) claims(args []string) int {
	fs := flag.NewFlagSet("claims", flag.ContinueOnError)
	name, code, ok := c.parse(fs, "claims", args, true)
	if !ok {
		return code
	}
	tok, err := c.m.AccessToken(name)
	if err != nil {
		return c.fail(err)
	}
	if tok == "" {
		return c.fail(fmt.Errorf("MOEX profile %q has no cached access token: run `tokenbridge moex token %s` first", name, name))
	}
	cl, err := moex.DecodeClaims(tok)
	if err != nil {
		return c.fail(err)
	}
	w := c.io.Stdout
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

func relative(t time.Time) string {
	d := time.Until(t).Round(time.Second)
	if d >= 0 {
		return "in " + d.String()
	}
	return (-d).String() + " ago"
}
