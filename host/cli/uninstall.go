package cli

import "github.com/tokenbridge/tokenbridge/host/install"

func init() {
	Register(&Command{
		Name:    "uninstall",
		Usage:   install.UninstallUsage,
		Summary: "remove the native messaging host registration (tokens stay in the keyring)",
		Run: func(env *Env, args []string) int {
			return install.RunUninstall(args, env.Stdout, env.Stderr)
		},
	})
}
