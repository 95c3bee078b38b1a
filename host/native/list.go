package native

import (
	"context"

	"github.com/tokenbridge/tokenbridge/host/vault"
)

// list returns every token's metadata with its expiry estimate, never a secret.
func list(_ context.Context, env *Env, req *Request) (Result, error) {
	var p struct {
		Provider string `json:"provider"`
	}
	if err := req.Bind(&p); err != nil {
		return nil, err
	}
	toks, err := env.Vault.List(p.Provider)
	if err != nil {
		return nil, err
	}
	return Result{"tokens": vault.Views(toks, env.Vault.Now())}, nil
}
