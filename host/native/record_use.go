package native

import (
	"context"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

// recordUse notes that a consumer (origin from the browser's sender)
// accepted the token. Only an origin the token may be filled into (the
// rule of `get` for "fill") is recorded, so used_by never names a site
// that could not have received the token.
func recordUse(_ context.Context, env *Env, req *Request) (Result, error) {
	var p struct {
		TokenID string `json:"token_id"`
		Origin  string `json:"origin"`
	}
	if err := req.Bind(&p); err != nil {
		return nil, err
	}
	if !vault.ValidID(p.TokenID) {
		return nil, Errorf(CodeBadRequest, "token_id must look like tok_0123456789abcdef")
	}
	origin, ok := config.NormalizeOrigin(p.Origin)
	if !ok {
		return nil, Errorf(CodeBadRequest, "origin must be an https origin like https://logos-up.com")
	}
	tok, err := env.Vault.Token(p.TokenID)
	if err != nil {
		return nil, err
	}
	if err := fillTarget(env, tok, origin, "record_use"); err != nil {
		return nil, err
	}
	tok, err = env.Vault.RecordUse(p.TokenID, origin)
	if err != nil {
		return nil, err
	}
	return Result{"token": tok}, nil
}
