package cli

import "github.com/tokenbridge/tokenbridge/host/install"

func init() {
	Register(&Command{
		Name:    "install",
		Usage:   install.InstallUsage,
		Summary: "register the native messaging host with your browsers",
		Run: func(env *Env, args []string) int {
			return install.RunInstall(args, env.Stdout, env.Stderr)
		},
	})
}
