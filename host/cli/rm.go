package cli

import "fmt"

func init() {
	Register(&Command{Name: "rm", Summary: "delete a token from the keyring and the index", Usage: `
Usage: tokenbridge rm ID|LABEL...

Deletes tokens from the OS keyring and their metadata. This does not revoke the
token at the broker: revoke it at https://id.tbank.ru/account.`, Run: runRm})
}

func runRm(env *Env, args []string) int {
	fs := env.Flags(commands["rm"])
	if code, done := env.Parse(fs, args); done {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return ExitUsage
	}
	v, err := env.Vault()
	if err != nil {
		return env.Fail(err)
	}
	code := ExitOK
	for _, ref := range fs.Args() {
		t, err := v.Find(ref)
		if err == nil {
			err = v.Delete(t.ID)
		}
		if err != nil {
			code = env.Fail(err)
			continue
		}
		fmt.Fprintf(env.Stdout, "deleted %s %q (revoke it at the broker too if it leaked: https://id.tbank.ru/account)\n", t.ID, t.Label)
	}
	return code
}
