package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/tokenbridge/tokenbridge/host/ascii"
	"github.com/tokenbridge/tokenbridge/host/moex"
)

var execCmd = &Command{Name: "exec", Summary: "run a command with a token in its environment only", MaxArgs: AnyArgs, Usage: `
Usage: tokenbridge exec --token ID|LABEL [--env INVEST_TOKEN]... -- CMD [ARGS...]
       tokenbridge exec --moex NAME [--env MOEX_ACCESS_TOKEN]... -- CMD [ARGS...]

Runs CMD with the secret in environment variables and nowhere else: not in argv,
not in a file. --env may be given several times (robots and SDKs read different
names: INVEST_TOKEN, TINKOFF_TOKEN, TKS_API_TOKEN, ...); each gets the secret.
With --moex the variables hold a fresh MOEX access token (refreshed if needed; when
the account asks for a one-time code, sign in once with
` + "`tokenbridge moex token NAME --otp CODE`" + `, later starts use the refresh token).
`,
	UsageTail: func() string {
		return `--env NAME is upper case (A-Z, 0-9, _; at most 64), and never a name that changes
how programs start or where they are found (a token there is read as code or a path,
and loaders print it in their errors):
` + refusedNamesHelp() + `

Signals (Linux, macOS): SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to tokenbridge are
passed to CMD, and tokenbridge waits for it (systemd, supervisord and docker stop the
robot, not just tokenbridge). ^C and ^\ typed in a terminal reach CMD from the
terminal itself and are not passed a second time. Under systemd set KillMode=mixed
so that SIGTERM goes to tokenbridge alone (the default also sends it to CMD directly). Windows has no such signals:
Ctrl+C, Ctrl+Break and closing the console reach CMD through the console, and
tokenbridge waits; a tokenbridge killed from outside (Task Manager, TerminateProcess)
leaves CMD running, so stop the whole process tree.

Exit code: CMD's own; 128+N when CMD died of signal N (143 for SIGTERM); 127 if CMD
cannot be started; 2 for a usage error.

  tokenbridge exec --token robot --env INVEST_TOKEN --env TINKOFF_TOKEN -- python3 robot.py`
	},
	Flags: func(fs *flag.FlagSet) Action {
		var o execOptions
		fs.StringVar(&o.ref, "token", "", "the `ID|LABEL` of the token (see tokenbridge list)")
		fs.StringVar(&o.moex, "moex", "", "MOEX profile `NAME` (see tokenbridge moex list)")
		fs.Var(&o.names, "env", "environment variable `NAME`, may repeat (default INVEST_TOKEN, or MOEX_ACCESS_TOKEN with --moex)")
		return func(env *Env, argv []string) int { return runExec(env, o, argv) }
	}}

type execOptions struct {
	ref, moex string
	names     envNames
}

// envNames is a repeatable --env.
type envNames []string

func (n *envNames) String() string { return strings.Join(*n, ",") }
func (n *envNames) Set(v string) error {
	if len(*n) >= maxEnvNames {
		return fmt.Errorf("--env: at most %d variables", maxEnvNames)
	}
	*n = append(*n, v)
	return nil
}

const maxEnvNames = 16

// isEnvNameStart and isEnvNameByte: an --env name is A-Z or _, then A-Z, 0-9 or _.
func isEnvNameStart(c byte) bool { return ascii.IsUpper(c) || c == '_' }
func isEnvNameByte(c byte) bool  { return isEnvNameStart(c) || ascii.IsDigit(c) }

// envRefused are the --env names exec refuses, with why: each changes how programs start or
// where they are found, so a token there is read as code or a path (and the dynamic loader,
// the shell or the interpreter prints it in an error). A name ending in "*" is a prefix.
var envRefused = []struct{ names, why string }{
	{"LD_* DYLD_* GCONV_PATH LOCPATH NLSPATH", "the dynamic loader and C library read it to choose which code to load into CMD (and print its value in their errors)"},
	{"PATH PATHEXT", "it decides where programs are found"},
	{"IFS ENV BASH_ENV SHELLOPTS BASHOPTS PS4 PROMPT_COMMAND BASH_FUNC_*", "shells read it when they start or run commands"},
	{"SHELL EDITOR VISUAL PAGER BROWSER GIT_SSH GIT_SSH_COMMAND GIT_EXEC_PATH SSH_ASKPASS SUDO_ASKPASS", "programs run its value as a command"},
	{"PYTHON* PERL* RUBY* NODE_* LUA_* JAVA* _JAVA_* JDK_* DOTNET_* CORECLR_* CLASSPATH PHPRC PHP_INI_SCAN_DIR", "interpreters read it as startup code, options or a module path"},
}

// refusedNamesHelp lists envRefused for --help, wrapped: the exact names, then the prefixes.
func refusedNamesHelp() string {
	var exact, prefixes []string
	for _, r := range envRefused {
		for _, n := range strings.Fields(r.names) {
			if p, ok := strings.CutSuffix(n, "*"); ok {
				prefixes = append(prefixes, p)
			} else {
				exact = append(exact, n)
			}
		}
	}
	words := strings.Fields(strings.Join(exact, ", ") + ", and every name starting with " + strings.Join(prefixes, ", ") + ".")
	var b strings.Builder
	line := 0
	for _, w := range words {
		if line > 0 && line+1+len(w) > 80 {
			b.WriteString("\n")
			line = 0
		} else if line > 0 {
			b.WriteString(" ")
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	return b.String()
}

// checkEnvName returns why name cannot hold the secret, or "".
func checkEnvName(name string) string {
	if name == "" || len(name) > 64 || !isEnvNameStart(name[0]) || !ascii.All(name, isEnvNameByte) {
		return "use an upper-case variable name (A-Z, 0-9, _; at most 64) like INVEST_TOKEN"
	}
	for _, r := range envRefused {
		for _, n := range strings.Fields(r.names) {
			if p, ok := strings.CutSuffix(n, "*"); (ok && strings.HasPrefix(name, p)) || name == n {
				return "refused: " + r.why + "; pick the name CMD reads the token from, like INVEST_TOKEN"
			}
		}
	}
	return ""
}

func runExec(env *Env, o execOptions, argv []string) int {
	if len(argv) == 0 || (o.ref == "") == (o.moex == "") {
		return env.Usagef("give exactly one of --token or --moex, then -- CMD [ARGS...]")
	}
	names := dedupe(o.names)
	if len(names) == 0 {
		names = []string{"INVEST_TOKEN"}
		if o.moex != "" {
			names = []string{"MOEX_ACCESS_TOKEN"}
		}
	}
	for _, n := range names {
		if why := checkEnvName(n); why != "" {
			return env.Usagef("--env %s: %s", clip(n), why)
		}
	}
	r, ctx := startRelay()
	defer r.stop()
	secret, err := execSecret(ctx, env, o)
	if s := r.caught(); s != nil {
		env.Errorf("stopped by %v before %q started", s, clip(argv[0]))
		return signalExit(s)
	}
	if err != nil {
		return env.Fail(err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = env.Stdin, env.Stdout, env.Stderr
	environ := os.Environ()
	for _, n := range names {
		environ = withoutVar(environ, n)
	}
	for _, n := range names {
		environ = append(environ, n+"="+secret)
	}
	cmd.Env = environ
	code, err := r.run(cmd)
	switch {
	case errors.Is(err, errCaught):
		env.Errorf("stopped by %v before %q started", r.caught(), clip(argv[0]))
	case err != nil:
		env.Errorf("cannot run %q: %v", argv[0], err)
	}
	return code
}

// execSecret is the token's secret, or a fresh MOEX access token (as `moex token NAME`).
func execSecret(ctx context.Context, env *Env, o execOptions) (string, error) {
	if o.moex != "" {
		m, err := env.Moex()
		if err != nil {
			return "", err
		}
		tok, err := m.Token(ctx, o.moex, moex.TokenOptions{})
		if err != nil {
			return "", err
		}
		warn(env, tok.Warning)
		return tok.AccessToken, nil
	}
	v, err := env.Vault()
	if err != nil {
		return "", err
	}
	t, err := v.Find(o.ref)
	if err != nil {
		return "", err
	}
	s, _, err := v.Secret(t.ID)
	return s, err
}

func dedupe(names []string) []string {
	var out []string
	for _, n := range names {
		dup := false
		for _, o := range out {
			dup = dup || o == n
		}
		if !dup {
			out = append(out, n)
		}
	}
	return out
}

func withoutVar(environ []string, name string) []string {
	out := environ[:0:0]
	for _, kv := range environ {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// errCaught: a stop signal came before CMD was started, so it was not started.
var errCaught = errors.New("stopped by a signal before the command started")

// relay catches the stop signals (stopSignals, exec_unix.go / exec_windows.go) for the whole
// of exec. Before CMD starts, the first one cancels the context (a pending MOEX token request
// stops) and CMD is not started; once CMD runs, each is passed to it (forwarder) and exec
// waits for CMD. A signal is never lost between the two phases: the channel holds it.
type relay struct {
	ch     chan os.Signal
	cancel context.CancelFunc
	done   chan struct{} // closed when the pre-start watcher has returned
	quit   chan struct{} // closed (once) to stop the pre-start watcher
	once   sync.Once

	mu    sync.Mutex
	first os.Signal
}

func startRelay() (*relay, context.Context) {
	r := &relay{ch: make(chan os.Signal, 8), done: make(chan struct{}), quit: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	if sigs := stopSignals(); len(sigs) > 0 {
		signal.Notify(r.ch, sigs...)
	}
	go func() {
		defer close(r.done)
		select {
		case s := <-r.ch:
			r.mu.Lock()
			r.first = s
			r.mu.Unlock()
			cancel()
		case <-r.quit:
		}
	}()
	return r, ctx
}

// caught is the signal that came before CMD started, or nil.
func (r *relay) caught() os.Signal {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.first
}

// run starts cmd unless a signal came first, passes signals to it and waits for it. It
// returns the exit code exec returns.
func (r *relay) run(cmd *exec.Cmd) (int, error) {
	r.endWatch()
	if s := r.caught(); s != nil {
		return signalExit(s), errCaught
	}
	forward := forwarder()
	if err := cmd.Start(); err != nil {
		return ExitCannotRun, err
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	for {
		select {
		case s := <-r.ch:
			forward(cmd.Process, s)
		case err := <-waited:
			var exitErr *exec.ExitError
			if err != nil && !errors.As(err, &exitErr) {
				return ExitFailure, err
			}
			return exitStatus(cmd.ProcessState), nil
		}
	}
}

func (r *relay) endWatch() {
	r.once.Do(func() { close(r.quit) })
	<-r.done
}

func (r *relay) stop() {
	signal.Stop(r.ch)
	r.endWatch()
	r.cancel()
}

// signalExit is the exit code for signal s: 128+N, as shells report it.
func signalExit(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return ExitFailure
}
