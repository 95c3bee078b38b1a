package native

import (
	"context"

	"github.com/tokenbridge/tokenbridge/host/vault"
)

// update renames a token or changes its kind.
func update(_ context.Context, env *Env, req *Request) (Result, error) {
	var p struct {
		TokenID string  `json:"token_id"`
		Label   *string `json:"label"`
		Kind    *string `json:"kind"`
	}
	if err := req.Bind(&p); err != nil {
		return nil, err
	}
	if !vault.ValidID(p.TokenID) {
		return nil, Errorf(CodeBadRequest, "token_id must look like tok_0123456789abcdef")
	}
	if p.Label == nil && p.Kind == nil {
		return nil, Errorf(CodeBadRequest, "nothing to update: give label or kind")
	}
	tok, err := env.Vault.Update(p.TokenID, vault.Patch{Label: p.Label, Kind: p.Kind})
	if err != nil {
		return nil, err
	}
	return Result{"token": tok}, nil
}
