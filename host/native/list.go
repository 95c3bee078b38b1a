package native

import "context"

// list returns every token's metadata, never a secret.
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
	return Result{"tokens": toks}, nil
}
