// Package cli is tokenbridge's command line: a tiny registry of commands,
// one file per command, each with its own --help.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/rs/zerolog"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/logging"
	"github.com/tokenbridge/tokenbridge/host/native"
	"github.com/tokenbridge/tokenbridge/host/redact"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

// Exit codes shared by every command.
const (
	ExitOK      = 0 // success
	ExitFailure = 1 // the command failed or found problems
	ExitUsage   = 2 // wrong arguments
	ExitInvalid = 3 // `check`: a token is invalid
)

// Command is one CLI command.
type Command struct {
	Name    string
	Usage   string // full help text, printed by --help
	Summary string // one line for the command list
	Run     func(env *Env, args []string) int
}

var commands = map[string]*Command{}

// Register adds a command; it panics on a duplicate (a programming error).
func Register(c *Command) {
	if _, dup := commands[c.Name]; dup {
		panic("cli: duplicate command " + c.Name)
	}
	commands[c.Name] = c
}

// Env is what a command may use. Tests fill Stdin/Stdout/Stderr and may
// inject Secrets; everything else is opened lazily from the real machine.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Secrets, when set, replaces the OS keyring (tests).
	Secrets secretstore.Store

	help   func()
	dirs   *config.Dirs
	vault  *vault.Vault
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

// Errorf prints "tokenbridge: <message>" on stderr, redacted, and returns
// ExitFailure.
func (e *Env) Errorf(format string, args ...any) int {
	fmt.Fprintln(e.Stderr, "tokenbridge: "+redact.String(fmt.Sprintf(format, args...)))
	return ExitFailure
}

// Fail prints err (whose text already names cause and fix) and returns
// ExitFailure.
func (e *Env) Fail(err error) int {
	return e.Errorf("%v", err)
}

// Flags returns a FlagSet for a command that prints the command's usage on
// --help and on errors.
func (e *Env) Flags(c *Command) *flag.FlagSet {
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), strings.TrimSpace(c.Usage))
		fmt.Fprintln(fs.Output(), "\nOptions:")
		fs.PrintDefaults()
	}
	e.help = func() { fs.SetOutput(e.Stdout) }
	return fs
}

// Parse parses args; done is true when the command should return code
// right away (help shown, on stdout, or a usage error, on stderr).
func (e *Env) Parse(fs *flag.FlagSet, args []string) (code int, done bool) {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			e.help()
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK, true
		}
		return ExitUsage, true
	}
	return 0, false
}

const mainUsage = `tokenbridge — keeps broker and exchange API tokens in the OS keyring and hands them to
the browser extension, scripts and robots.

Usage: tokenbridge <command> [options]     (tokenbridge <command> --help for details)

Started by a browser (argv "chrome-extension://<id>/", or a manifest path and a Firefox
extension ID) it is the native-messaging host; any other invocation is this CLI.

Exit codes: 0 ok, 1 failure or problems found, 2 usage error, 3 (check) a token is invalid;
exec returns the command's own exit code.`

// Run dispatches a CLI invocation and returns the exit code.
func Run(env *Env, args []string) int {
	defer env.Close()
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				fmt.Fprintln(env.Stdout, strings.TrimSpace(c.Usage))
				return ExitOK
			}
		}
		printHelp(env.Stdout)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintf(env.Stdout, "tokenbridge %s (protocol %d)\n", native.Version, native.ProtocolVersion)
		return ExitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "tokenbridge: unknown command %q\n\n", args[0])
		printHelp(env.Stderr)
		return ExitUsage
	}
	return c.Run(env, args[1:])
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, mainUsage)
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].Summary)
	}
	fmt.Fprintf(w, "  %-10s %s\n", "version", "print the version")
}
