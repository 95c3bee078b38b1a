package cli

import "fmt"

var rmCmd = &Command{Name: "rm", Summary: "delete a token from the keyring and the index", MinArgs: 1, MaxArgs: AnyArgs, ArgName: "ID|LABEL", Usage: `
Usage: tokenbridge rm ID|LABEL...

Deletes tokens from the OS keyring and their metadata. This does not revoke the
token at the broker: revoke it at https://id.tbank.ru/account.`, Flags: noFlags(runRm)}

func runRm(env *Env, refs []string) int {
	v, err := env.Vault()
	if err != nil {
		return env.Fail(err)
	}
	code := ExitOK
	for _, ref := range refs {
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
