package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
)

// MoexAccessToken returns a fresh MOEX access token for a profile. The MOEX
// command file sets it; exec --moex uses it.
var MoexAccessToken func(env *Env, name string) (string, error)

var envNameRe = regexp.MustCompile(`^[A-Z_][A-Z0-9_]{0,63}$`)

func init() {
	Register(&Command{Name: "exec", Summary: "run a command with a token in its environment only", Usage: `
Usage: tokenbridge exec --token ID|LABEL [--env INVEST_TOKEN] -- CMD [ARGS...]
       tokenbridge exec --moex NAME [--env MOEX_ACCESS_TOKEN] -- CMD [ARGS...]

Runs CMD with the secret in one environment variable and nowhere else: not in
argv, not in a file. With --moex the variable holds a fresh MOEX access token
(refreshed if needed). Exit code: CMD's own, 127 if CMD cannot be started.

  tokenbridge exec --token robot -- python3 robot.py`, Run: runExec})
}

func runExec(env *Env, args []string) int {
	fs := env.Flags(commands["exec"])
	ref := fs.String("token", "", "id or label of the token (see `tokenbridge list`)")
	moexName := fs.String("moex", "", "MOEX profile name (see `tokenbridge moex list`)")
	name := fs.String("env", "", "environment variable name (default INVEST_TOKEN, or MOEX_ACCESS_TOKEN with --moex)")
	if code, done := env.Parse(fs, args); done {
		return code
	}
	argv := fs.Args()
	if len(argv) == 0 || (*ref == "") == (*moexName == "") {
		fmt.Fprintln(env.Stderr, "tokenbridge exec: give exactly one of --token or --moex, then -- CMD [ARGS...]")
		fs.Usage()
		return ExitUsage
	}
	if *name == "" {
		*name = "INVEST_TOKEN"
		if *moexName != "" {
			*name = "MOEX_ACCESS_TOKEN"
		}
	}
	if !envNameRe.MatchString(*name) {
		return env.Errorf("--env %q: use an upper-case variable name like INVEST_TOKEN", *name)
	}
	var secret string
	if *moexName != "" {
		if MoexAccessToken == nil {
			return env.Errorf("this build has no MOEX support")
		}
		s, err := MoexAccessToken(env, *moexName)
		if err != nil {
			return env.Fail(err)
		}
		secret = s
	} else {
		v, err := env.Vault()
		if err != nil {
			return env.Fail(err)
		}
		t, err := v.Find(*ref)
		if err != nil {
			return env.Fail(err)
		}
		s, _, err := v.Secret(t.ID)
		if err != nil {
			return env.Fail(err)
		}
		secret = s
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = env.Stdin, env.Stdout, env.Stderr
	cmd.Env = append(withoutVar(os.Environ(), *name), *name+"="+secret)
	// The child shares the terminal and gets ^C itself; tokenbridge waits.
	signal.Ignore(os.Interrupt)
	defer signal.Reset(os.Interrupt)
	err := cmd.Run()
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
		return 127
	}
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
