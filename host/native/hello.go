package native

import (
	"context"
	"errors"

	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// hello reports versions and whether the keyring answers.
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
	return Result{"protocol": ProtocolVersion, "version": Version, "keyring": status, "keyring_message": msg}, nil
}
