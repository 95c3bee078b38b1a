package cli

import (
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"

	"github.com/tokenbridge/tokenbridge/host/moex"
)

var envNameRe = regexp.MustCompile(`^[A-Z_][A-Z0-9_]{0,63}$`)

var execCmd = &Command{Name: "exec", Summary: "run a command with a token in its environment only", MaxArgs: AnyArgs, Usage: `
Usage: tokenbridge exec --token ID|LABEL [--env INVEST_TOKEN] -- CMD [ARGS...]
       tokenbridge exec --moex NAME [--env MOEX_ACCESS_TOKEN] -- CMD [ARGS...]

Runs CMD with the secret in one environment variable and nowhere else: not in
argv, not in a file. With --moex the variable holds a fresh MOEX access token
(refreshed if needed). Exit code: CMD's own, 127 if CMD cannot be started.

  tokenbridge exec --token robot -- python3 robot.py`,
	Flags: func(fs *flag.FlagSet) Action {
		var o execOptions
		fs.StringVar(&o.ref, "token", "", "the `ID|LABEL` of the token (see tokenbridge list)")
		fs.StringVar(&o.moex, "moex", "", "MOEX profile `NAME` (see tokenbridge moex list)")
		fs.StringVar(&o.name, "env", "", "environment variable `NAME` (default INVEST_TOKEN, or MOEX_ACCESS_TOKEN with --moex)")
		return func(env *Env, argv []string) int { return runExec(env, o, argv) }
	}}

type execOptions struct{ ref, moex, name string }

func runExec(env *Env, o execOptions, argv []string) int {
	if len(argv) == 0 || (o.ref == "") == (o.moex == "") {
		return env.Usagef("give exactly one of --token or --moex, then -- CMD [ARGS...]")
	}
	if o.name == "" {
		o.name = "INVEST_TOKEN"
		if o.moex != "" {
			o.name = "MOEX_ACCESS_TOKEN"
		}
	}
	if !envNameRe.MatchString(o.name) {
		return env.Errorf("--env %q: use an upper-case variable name like INVEST_TOKEN", o.name)
	}
	secret, err := execSecret(env, o)
	if err != nil {
		return env.Fail(err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = env.Stdin, env.Stdout, env.Stderr
	cmd.Env = append(withoutVar(os.Environ(), o.name), o.name+"="+secret)
	// The child shares the terminal and gets ^C itself; tokenbridge waits.
	signal.Ignore(os.Interrupt)
	defer signal.Reset(os.Interrupt)
	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &exitErr):
		if code := exitErr.ExitCode(); code >= 0 {
			return code
		}
		return ExitFailure
	default:
		env.Errorf("cannot run %q: %v", argv[0], err)
		return ExitCannotRun
	}
}

// execSecret is the token's secret, or a fresh MOEX access token (as `moex token NAME`).
func execSecret(env *Env, o execOptions) (string, error) {
	if o.moex != "" {
		m, err := env.Moex()
		if err != nil {
			return "", err
		}
		tok, err := m.Token(context.Background(), o.moex, moex.TokenOptions{})
		if err != nil {
			return "", err
		}
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

func withoutVar(environ []string, name string) []string {
	out := environ[:0:0]
	for _, kv := range environ {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
