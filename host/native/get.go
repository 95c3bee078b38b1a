package native

import (
	"context"

	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/limits"
	"github.com/tokenbridge/tokenbridge/host/tinvest"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

// Purposes a secret may be released for.
const (
	PurposeFill = "fill" // into a page field; origin must be allowed for the provider
	PurposeCopy = "copy" // to the clipboard from the popup
)

type getParams struct {
	TokenID string `json:"token_id"`
	Purpose string `json:"purpose"`
	Origin  string `json:"origin"`
}

// get releases a secret for a stated purpose.
func get(_ context.Context, env *Env, req *Request) (Result, error) {
	var p getParams
	if err := req.Bind(&p); err != nil {
		return nil, err
	}
	if !vault.ValidID(p.TokenID) {
		return nil, Errorf(CodeBadRequest, "token_id must look like tok_0123456789abcdef")
	}
	tok, err := env.Vault.Token(p.TokenID)
	if err != nil {
		return nil, err
	}
	switch p.Purpose {
	case PurposeFill:
		if p.Origin == "" {
			return nil, missing("origin")
		}
		if len(p.Origin) > limits.MaxOrigin {
			return nil, Errorf(CodeBadRequest, "origin longer than %d characters", limits.MaxOrigin)
		}
		if tok.Validation != nil && tok.Validation.Result == string(tinvest.ResultNoAccess) {
			env.Log.Warn().Str("token_id", tok.ID).Str("target", p.Origin).Msg("fill refused: token has no access to its accounts")
			return nil, Errorf(CodeNoAccess, "token %s (%s) was accepted by T-Invest but has no access to any of its accounts (checked %s): it would not work there; issue a new token at %s, or check it again if its access changed",
				tok.ID, tok.Label, tok.Validation.CheckedAt.Format("2006-01-02"), tinvest.SettingsURL)
		}
		if err := fillTarget(env, tok, p.Origin, "fill"); err != nil {
			return nil, err
		}
	case PurposeCopy:
		if p.Origin != "" {
			return nil, Errorf(CodeBadRequest, "origin is only for purpose \"fill\"")
		}
	case "":
		return nil, missing("purpose")
	default:
		return nil, Errorf(CodeBadRequest, "purpose must be \"fill\" or \"copy\"")
	}
	secret, tok, err := env.Vault.Secret(p.TokenID)
	if err != nil {
		return nil, err
	}
	env.Log.Info().Str("token_id", tok.ID).Str("purpose", p.Purpose).Str("target", p.Origin).Msg("secret released")
	return Result{"secret": secret, "token": tok}, nil
}

// fillTarget refuses an origin the token's provider may not be filled into
// (fill `get` and `record_use` share the rule and the message), naming the
// allowlist in force: the built-in origins and the ones the user added.
func fillTarget(env *Env, tok index.Token, origin, what string) error {
	if env.Settings().FillAllowed(tok.Provider, origin) {
		return nil
	}
	env.Log.Warn().Str("token_id", tok.ID).Str("provider", tok.Provider).Str("target", origin).Msg(what + " denied: origin not allowed for provider")
	l := env.Settings().FillOriginsOf(tok.Provider)
	return Errorf(CodeTargetDenied, "%s tokens are not filled into %q (%s refused); allowed: %v (allow a site from the extension's popup, or add it under fill_origins in %s)",
		tok.Provider, origin, what, append(l.Builtin, l.Added...), env.ConfigPath)
}
