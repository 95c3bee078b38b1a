package native

import (
	"context"
	"errors"
	"os"

	"github.com/tokenbridge/tokenbridge/host/buildinfo"
	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// hello reports versions, whether the keyring answers, and the active API overrides.
func hello(_ context.Context, env *Env, req *Request) (Result, error) {
	if err := req.Bind(&struct{}{}); err != nil {
		return nil, err
	}
	status, msg := "ok", ""
	_, err := env.Vault.Secrets.Get("hello/probe")
	if err != nil && !errors.Is(err, secretstore.ErrNotFound) {
		pe := codeFor(err)
		msg = pe.Message
		switch pe.Code {
		case CodeKeyringLocked:
			status = "locked"
		case CodeKeyringTimeout:
			status = "timeout"
		default:
			status = "unavailable"
		}
	}
	return Result{"protocol": ProtocolVersion, "version": Version, "commit": buildinfo.Commit, "date": buildinfo.Date, "keyring": status, "keyring_message": msg,
		"overrides": activeOverrides(env)}, nil
}

// helloOverride is one entry of hello.overrides (PROTOCOL.md "API overrides").
type helloOverride struct {
	Setting string `json:"setting"` // environment variable, or config.json key (api_overrides.…)
	Value   string `json:"value"`   // URL or file path (never a secret)
	Reason  string `json:"reason"`  // why accepted, or why refused and the fix
	Refused bool   `json:"refused"` // T-Invest checks fail while it is set
}

// activeOverrides lists the API overrides in effect (environment and config.json), refused
// ones included: every one must be visible to the user. Never null.
func activeOverrides(env *Env) []helloOverride {
	out := []helloOverride{}
	for _, o := range resolvedOverrides(env) {
		out = append(out, helloOverride{Setting: o.Name(), Value: o.Value, Reason: o.Reason(), Refused: o.Refused != ""})
	}
	return out
}

// resolvedOverrides applies the override rule to the environment and env's config.json.
func resolvedOverrides(env *Env) []config.Override {
	c := env.Settings()
	s, _ := c.ResolveAPI(os.Getenv, env.ConfigPath) // a refused override is listed with its reason
	return s.Overrides
}
