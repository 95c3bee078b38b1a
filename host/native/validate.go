package native

import (
	"context"
	"strings"

	"github.com/tokenbridge/tokenbridge/host/limits"
	"github.com/tokenbridge/tokenbridge/host/tinvest"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

// newTInvestChecker builds the T-Invest checker from the environment
// (TOKENBRIDGE_TINVEST_URL, TOKENBRIDGE_TINVEST_SANDBOX_URL, TOKENBRIDGE_TINVEST_CA);
// tests point those at the local fake.
func newTInvestChecker(env *Env) (vault.Checker, error) {
	c, err := tinvest.NewFromEnv()
	if err != nil {
		return nil, err
	}
	c.Log = env.Log
	return c, nil
}

// validate checks a stored T-Invest token with the broker's read-only API and
// answers the token (with its expiry estimate) and its validation. A token the API
// rejects is still an ok answer (validation.result "invalid", "no_access"); so is a
// check that got no verdict (the last verdict is kept, validation.last_failure says
// what failed). A refused API override answers override_refused before anything is sent.
func validate(ctx context.Context, env *Env, req *Request) (Result, error) {
	var p struct {
		TokenID string `json:"token_id"`
	}
	if err := req.Bind(&p); err != nil {
		return nil, err
	}
	if p.TokenID == "" {
		return nil, missing("token_id")
	}
	if !vault.ValidID(p.TokenID) {
		return nil, Errorf(CodeBadRequest, "token_id must look like tok_0123456789abcdef")
	}
	if msg := refusedOverrides(env); msg != "" {
		return nil, Errorf(CodeOverrideRefused, "%s", msg)
	}
	checker, err := newTInvestChecker(env)
	if err != nil {
		return nil, Errorf(CodeInternal, "T-Invest settings: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, limits.ValidateTimeout)
	defer cancel()
	tok, err := env.Vault.Validate(ctx, p.TokenID, checker)
	if err != nil {
		return nil, err
	}
	if tok.Validation != nil {
		env.Log.Info().Str("token_id", tok.ID).Str("result", tok.Validation.Result).Msg("token validated")
	}
	return Result{"token": vault.ViewOf(tok, env.Vault.Now())}, nil
}

// refusedOverrides is the cause and fix of every refused API override, "" when none.
func refusedOverrides(env *Env) string {
	var msgs []string
	for _, o := range resolvedOverrides(env) {
		if o.Refused != "" {
			msgs = append(msgs, o.Refused)
		}
	}
	return strings.Join(msgs, "; ")
}
