// Package cli is tokenbridge's command line, the only place that parses argv, prints usage,
// prompts for secrets and picks exit codes. One command table (commands), one dispatcher (Run),
// one file per command; the commands call plain functions of vault, install and moex that take
// options and return data and errors.
package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/install"
	"github.com/tokenbridge/tokenbridge/host/logging"
	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/redact"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

// Exit codes: the one table of the command line.
const (
	ExitOK        = 0   // success
	ExitFailure   = 1   // the command failed or found problems
	ExitUsage     = 2   // wrong arguments
	ExitInvalid   = 3   // `check`: a token is invalid
	ExitCannotRun = 127 // `exec`: the command cannot be started (else exec returns its own code)
)

// Action runs a command with its positional arguments, after its flags are parsed, and returns
// the exit code.
type Action func(env *Env, args []string) int

// Command is one entry of the command table: a command, or a group of subcommands (moex).
type Command struct {
	Name    string
	Aliases []string
	// Summary is the command's line in its parent's --help; empty when the parent's Usage
	// describes its subcommands itself.
	Summary string
	// Usage is the synopsis and description printed by --help, before the options.
	Usage string
	// UsageTail, when set, is appended to Usage when --help prints it: text built from a
	// table at run time, so building it costs nothing at start-up.
	UsageTail func() string
	// Flags declares the command's flags on fs and returns the action that reads them.
	// Nil for a group.
	Flags func(fs *flag.FlagSet) Action
	// Sub are a group's subcommands.
	Sub []*Command
	// Interspersed lets flags follow positional arguments (`check ID --json`); a help flag
	// anywhere before "--" then shows the help.
	Interspersed bool
	// MinArgs and MaxArgs bound the positional arguments; ArgName names them in "missing …".
	// MaxArgs is NoArgs (the default: flags only), a positive bound, or AnyArgs (a list the
	// action reads, such as exec's CMD [ARGS...]). The dispatcher refuses anything outside
	// the bounds as a usage error before the action runs, so a stray argument changes nothing.
	MinArgs, MaxArgs int
	ArgName          string
	// Refuse are flag names refused before parsing, without echoing their value: secrets
	// never come from the command line.
	Refuse []string
	// ReadsSecret marks a command that reads a secret from the prompt or stdin: a stray
	// argument is not echoed (it may be the secret, given on the command line by mistake).
	ReadsSecret bool
}

// Bounds for Command.MaxArgs.
const (
	NoArgs  = 0  // flags only (the default)
	AnyArgs = -1 // any number: the action reads a list
)

// commands is the command table of `tokenbridge`, in the order --help lists it.
var commands = []*Command{addCmd, checkCmd, doctorCmd, execCmd, installCmd, listCmd, moexCmd, rmCmd, uninstallCmd, versionCmd}

// program is the name every message starts with.
const program = "tokenbridge"

var root = &Command{Name: program, Usage: mainUsage, Sub: commands}

const mainUsage = `tokenbridge — keeps broker and exchange API tokens in the OS keyring and hands them to
the browser extension, scripts and robots.

Usage: tokenbridge <command> [options]     (tokenbridge <command> --help for details)

Started by a browser (argv "chrome-extension://<id>/", or a manifest path and a Firefox
extension ID) it is the native-messaging host; any other invocation is this CLI.

Exit codes: 0 ok, 1 failure or problems found, 2 usage error, 3 (check) a token is invalid;
exec returns the command's own exit code (127 if it cannot be started).`

// Run dispatches a CLI invocation (argv without the program name) and returns the exit code.
func Run(env *Env, args []string) int {
	defer env.Close()
	return dispatch(env, root, root.Name, args)
}

func dispatch(env *Env, c *Command, path string, args []string) int {
	env.path = path
	if c.Sub == nil {
		return runLeaf(env, c, args)
	}
	if len(args) == 0 {
		printHelp(env.Stdout, c)
		return ExitUsage
	}
	if args[0] == "help" || isHelpFlag(args[0]) {
		// `help moex add` is `moex add --help`; an unknown name shows the group's help.
		for _, a := range args[1:] {
			s := c.lookup(a)
			if s == nil {
				break
			}
			c = s
		}
		printHelp(env.Stdout, c)
		return ExitOK
	}
	s := c.lookup(args[0])
	if s == nil {
		return env.Usagef("unknown command %q", clip(args[0]))
	}
	return dispatch(env, s, path+" "+s.Name, args[1:])
}

func runLeaf(env *Env, c *Command, args []string) int {
	fs := flag.NewFlagSet(env.path, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	action := c.Flags(fs)
	if c.Interspersed && wantsHelp(args) {
		printHelp(env.Stdout, c)
		return ExitOK
	}
	if f := refused(c.Refuse, args); f != "" {
		return env.Usagef("secrets are never taken from the command line (other users and shell history can see it): drop --%s and enter it at the prompt or on stdin", f)
	}
	pos, err := parseArgs(fs, args, c.Interspersed)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printHelp(env.Stdout, c)
		return ExitOK
	case err != nil:
		return env.Usagef("%v", err)
	case len(pos) < c.MinArgs:
		return env.Usagef("missing %s", c.ArgName)
	case c.MaxArgs != AnyArgs && len(pos) > c.MaxArgs:
		return strayArg(env, c, pos[c.MaxArgs])
	}
	return action(env, pos)
}

// strayArg refuses a positional argument beyond the command's bound.
func strayArg(env *Env, c *Command, arg string) int {
	if c.ReadsSecret {
		return env.Usagef("unexpected argument (not shown: secrets are read from the prompt or stdin, never from argv)")
	}
	return env.Usagef("unexpected argument %q", clip(arg))
}

func (c *Command) lookup(name string) *Command {
	for _, s := range c.Sub {
		if s.Name == name {
			return s
		}
		for _, a := range s.Aliases {
			if a == name {
				return s
			}
		}
	}
	return nil
}

// noFlags is Command.Flags of a command without flags.
func noFlags(a Action) func(*flag.FlagSet) Action {
	return func(*flag.FlagSet) Action { return a }
}

func isHelpFlag(a string) bool { return a == "-h" || a == "-help" || a == "--help" }

// wantsHelp reports a help flag before "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if isHelpFlag(a) {
			return true
		}
	}
	return false
}

// refused returns the first flag before "--" whose name is in names.
func refused(names, args []string) string {
	for _, a := range args {
		if a == "--" {
			return ""
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		n, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		for _, r := range names {
			if n == r {
				return r
			}
		}
	}
	return ""
}

// parseArgs parses flags and returns the positional arguments. Interspersed, flags may
// follow positional arguments; everything after "--" stays positional.
func parseArgs(fs *flag.FlagSet, args []string, interspersed bool) ([]string, error) {
	if !interspersed {
		err := fs.Parse(args)
		return fs.Args(), err
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); len(rest) == 0 || (n > 0 && args[n-1] == "--") {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// printHelp prints a command's --help: its usage, a group's command list, a command's options.
func printHelp(w io.Writer, c *Command) {
	usage := c.Usage
	if c.UsageTail != nil {
		usage += "\n" + c.UsageTail()
	}
	fmt.Fprintln(w, strings.TrimSpace(usage))
	listed := false
	for _, s := range c.Sub {
		if s.Summary == "" {
			continue
		}
		if !listed {
			fmt.Fprintln(w, "\nCommands:")
			listed = true
		}
		fmt.Fprintf(w, "  %-10s %s\n", s.Name, s.Summary)
	}
	if c.Flags == nil {
		return
	}
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	c.Flags(fs)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprintln(w, "\nOptions:")
	fs.VisitAll(func(f *flag.Flag) {
		// A `quoted` word of the usage is the value's placeholder, else the flag's name in capitals.
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
			if !strings.Contains(f.Usage, "`") {
				name = strings.ToUpper(f.Name)
			}
			line += " " + name
		}
		if f.DefValue != "" && f.DefValue != "false" {
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintln(w, line)
		for _, l := range strings.Split(usage, "\n") {
			fmt.Fprintln(w, "      "+l)
		}
	})
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

// Env is what a command may use. Tests fill Stdin/Stdout/Stderr and may
// inject Secrets; everything else is opened lazily from the real machine.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Secrets, when set, replaces the OS keyring (tests).
	Secrets secretstore.Store

	path   string // the running command, "tokenbridge moex token"
	lines  *bufio.Reader
	dirs   *config.Dirs
	vault  *vault.Vault
	moex   *moex.Manager
	log    *zerolog.Logger
	closer io.Closer
}

// NewEnv returns an Env on the process's standard streams.
func NewEnv() *Env { return &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr} }

// Dirs returns tokenbridge's directories.
func (e *Env) Dirs() (config.Dirs, error) {
	if e.dirs == nil {
		d, err := config.Paths()
		if err != nil {
			return config.Dirs{}, err
		}
		e.dirs = &d
	}
	return *e.dirs, nil
}

// Store returns the secret store (the OS keyring unless injected).
func (e *Env) Store() secretstore.Store {
	if e.Secrets == nil {
		e.Secrets = secretstore.Open()
	}
	return e.Secrets
}

// Index returns the metadata index.
func (e *Env) Index() (*index.File, error) {
	d, err := e.Dirs()
	if err != nil {
		return nil, err
	}
	return index.Open(d.Index()), nil
}

// Vault returns the token vault.
func (e *Env) Vault() (*vault.Vault, error) {
	if e.vault == nil {
		idx, err := e.Index()
		if err != nil {
			return nil, err
		}
		e.vault = vault.New(e.Store(), idx)
	}
	return e.vault, nil
}

// Moex returns the MOEX profile manager.
func (e *Env) Moex() (*moex.Manager, error) {
	if e.moex == nil {
		d, err := e.Dirs()
		if err != nil {
			return nil, err
		}
		e.moex = moex.New(d, e.Store(), e.Log())
	}
	return e.moex, nil
}

// Log returns the logger (the same redacted file as the host's).
func (e *Env) Log() zerolog.Logger {
	if e.log == nil {
		l := zerolog.Nop()
		if d, err := e.Dirs(); err == nil {
			l, e.closer = logging.New(d.Log())
		}
		e.log = &l
	}
	return *e.log
}

// Close releases the log file.
func (e *Env) Close() {
	if e.closer != nil {
		e.closer.Close()
	}
}

func (e *Env) name() string {
	if e.path == "" {
		return program
	}
	return e.path
}

// Errorf prints "tokenbridge CMD: <message>" on stderr, redacted, and returns ExitFailure.
func (e *Env) Errorf(format string, args ...any) int {
	fmt.Fprintln(e.Stderr, e.name()+": "+redact.String(fmt.Sprintf(format, args...)))
	return ExitFailure
}

// Usagef prints a usage error and where to find the usage, and returns ExitUsage.
func (e *Env) Usagef(format string, args ...any) int {
	e.Errorf(format, args...)
	fmt.Fprintf(e.Stderr, "Run `%s --help` for usage.\n", e.name())
	return ExitUsage
}

// printJSON prints v as indented JSON on stdout.
func printJSON(env *Env, v any) int {
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return env.Fail(err)
	}
	return ExitOK
}

// Fail prints err (whose text already names cause and fix) and returns its exit code:
// ExitUsage for a bad argument (install.ErrUsage, moex.CodeInvalid), else ExitFailure.
func (e *Env) Fail(err error) int {
	if errors.Is(err, install.ErrUsage) || moex.ErrorCode(err) == moex.CodeInvalid {
		return e.Usagef("%v", err)
	}
	return e.Errorf("%v", err)
}
