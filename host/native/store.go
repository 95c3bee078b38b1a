package native

import (
	"context"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

type storeParams struct {
	Provider     string       `json:"provider"`
	Secret       string       `json:"secret"`
	Label        string       `json:"label"`
	Kind         string       `json:"kind"`
	Scope        *index.Scope `json:"scope"`
	SourceOrigin string       `json:"source_origin"`
}

// store saves a token in the keyring and its metadata in the index.
func store(_ context.Context, env *Env, req *Request) (Result, error) {
	var p storeParams
	if err := req.Bind(&p); err != nil {
		return nil, err
	}
	if p.Provider == "" {
		return nil, missing("provider")
	}
	if p.Provider != vault.ProviderTInvest {
		return nil, Errorf(CodeBadRequest, "provider must be %q (other secrets are added with `tokenbridge add`)", vault.ProviderTInvest)
	}
	if p.Secret == "" {
		return nil, missing("secret")
	}
	origin := ""
	if p.SourceOrigin != "" {
		o, ok := config.NormalizeOrigin(p.SourceOrigin)
		if !ok {
			return nil, Errorf(CodeBadRequest, "source_origin must be an https origin like https://www.tbank.ru")
		}
		origin = o
	}
	// Length (too_large), shape and source_origin (only the provider's own
	// sites) are checked by the vault, for the CLI too.
	in := vault.StoreInput{Provider: p.Provider, Secret: p.Secret, Label: p.Label, Kind: p.Kind, SourceOrigin: origin}
	if p.Scope != nil {
		in.Scope = *p.Scope
	}
	tok, created, err := env.Vault.Store(in)
	if err != nil {
		return nil, err
	}
	env.Log.Info().Str("token_id", tok.ID).Bool("created", created).Str("kind", tok.Kind).Msg("token stored")
	return Result{"token": tok, "created": created}, nil
}
