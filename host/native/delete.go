package native

import (
	"context"

	"github.com/tokenbridge/tokenbridge/host/vault"
)

// deleteToken removes a token from the keyring and the index.
func deleteToken(_ context.Context, env *Env, req *Request) (Result, error) {
	var p struct {
		TokenID string `json:"token_id"`
	}
	if err := req.Bind(&p); err != nil {
		return nil, err
	}
	if !vault.ValidID(p.TokenID) {
		return nil, Errorf(CodeBadRequest, "token_id must look like tok_0123456789abcdef")
	}
	if err := env.Vault.Delete(p.TokenID); err != nil {
		return nil, err
	}
	env.Log.Info().Str("token_id", p.TokenID).Msg("token deleted")
	return Result{"deleted": true}, nil
}
