package native

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/tokenbridge/tokenbridge/host/config"
)

// The fill allowlist (config.json fill_origins): which page origins may
// receive a provider's secrets through `get` for "fill" (and have uses
// recorded). The host cannot tell the extension's popup from its content
// scripts (both arrive over the one port); the extension's background
// accepts these commands only from its own pages (PROTOCOL.md). The host
// re-checks the origin's shape: https, no path, query or user info.

type fillOriginParams struct {
	Provider string `json:"provider"`
	Origin   string `json:"origin"`
}

func bindFillOrigin(req *Request, needOrigin bool) (fillOriginParams, error) {
	var p fillOriginParams
	if err := req.Bind(&p); err != nil {
		return p, err
	}
	if p.Provider == "" {
		p.Provider = "tinvest"
	}
	if p.Provider != "tinvest" {
		return p, Errorf(CodeBadRequest, "provider must be \"tinvest\" (the only provider filled by the extension)")
	}
	if needOrigin && p.Origin == "" {
		return p, missing("origin")
	}
	return p, nil
}

func fillOriginsResult(env *Env, provider string) Result {
	l := env.Settings().FillOriginsOf(provider)
	return Result{"provider": provider, "builtin": l.Builtin, "added": l.Added}
}

// fillOriginError maps the allowlist's errors to protocol codes.
func fillOriginError(err error) error {
	switch {
	case errors.Is(err, config.ErrBadOrigin), errors.Is(err, config.ErrBuiltinOrigin):
		return Errorf(CodeBadRequest, "%s", err.Error())
	case errors.Is(err, config.ErrTooManyOrigins):
		return Errorf(CodeTooLarge, "%s", err.Error())
	}
	return err
}

func configDirs(env *Env) config.Dirs { return config.Dirs{Home: filepath.Dir(env.ConfigPath)} }

// allowFillOrigin adds an origin to the allowlist (saved in config.json).
func allowFillOrigin(_ context.Context, env *Env, req *Request) (Result, error) {
	p, err := bindFillOrigin(req, true)
	if err != nil {
		return nil, err
	}
	o, added, err := env.Settings().AllowFillOrigin(configDirs(env), p.Provider, p.Origin)
	if err != nil {
		return nil, fillOriginError(err)
	}
	env.Log.Info().Str("provider", p.Provider).Str("target", o).Bool("added", added).Msg("fill origin allowed")
	r := fillOriginsResult(env, p.Provider)
	r["origin"], r["added_now"] = o, added
	return r, nil
}

// removeFillOrigin takes an origin off the allowlist (built-in ones stay).
func removeFillOrigin(_ context.Context, env *Env, req *Request) (Result, error) {
	p, err := bindFillOrigin(req, true)
	if err != nil {
		return nil, err
	}
	o, removed, err := env.Settings().RemoveFillOrigin(configDirs(env), p.Provider, p.Origin)
	if err != nil {
		return nil, fillOriginError(err)
	}
	env.Log.Info().Str("provider", p.Provider).Str("target", o).Bool("removed", removed).Msg("fill origin removed")
	r := fillOriginsResult(env, p.Provider)
	r["origin"], r["removed"] = o, removed
	return r, nil
}

// listFillOrigins answers the allowlist.
func listFillOrigins(_ context.Context, env *Env, req *Request) (Result, error) {
	p, err := bindFillOrigin(req, false)
	if err != nil {
		return nil, err
	}
	return fillOriginsResult(env, p.Provider), nil
}
