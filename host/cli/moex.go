package cli

import (
	"context"
	"os"
	"os/signal"

	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/moex/moexcli"
)

func init() {
	Register(&Command{
		Name:    "moex",
		Summary: "MOEX web-service tokens: add, token, migrate, list, rm, logout, claims",
		Usage:   moexcli.Usage,
		Run:     runMoex,
	})
	MoexAccessToken = moexAccessToken
}

func moexManager(env *Env) (*moex.Manager, error) {
	d, err := env.Dirs()
	if err != nil {
		return nil, err
	}
	return moex.New(d, env.Store(), env.Log()), nil
}

func runMoex(env *Env, args []string) int {
	m, err := moexManager(env)
	if err != nil {
		return env.Fail(err)
	}
	// ^C cancels a pending token request; the profile lock is released on the way out.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return moexcli.Run(ctx, m, moexcli.IO{Stdin: env.Stdin, Stdout: env.Stdout, Stderr: env.Stderr}, args)
}

// moexAccessToken backs `tokenbridge exec --moex NAME`: the same logic as `moex token NAME`.
func moexAccessToken(env *Env, name string) (string, error) {
	m, err := moexManager(env)
	if err != nil {
		return "", err
	}
	tok, err := m.Token(context.Background(), name, moex.TokenOptions{})
	if err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}
