package native

import (
	"errors"
	"fmt"

	"github.com/tokenbridge/tokenbridge/host/secretstore"
	"github.com/tokenbridge/tokenbridge/host/trust"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

// Error codes (documented in host/PROTOCOL.md).
const (
	CodeBadRequest         = "bad_request"
	CodeUnknownCmd         = "unknown_cmd"
	CodeTooLarge           = "too_large"
	CodeNotFound           = "not_found"
	CodeOriginDenied       = "origin_denied"
	CodeTargetDenied       = "target_denied"
	CodeKeyringUnavailable = "keyring_unavailable"
	CodeKeyringLocked      = "keyring_locked"
	CodeKeyringTimeout     = "keyring_timeout"
	// CodeCertificate: an API host's TLS certificate is not trusted (or the extra CA
	// file is unusable); the message names the host, the issuer and how to add a CA.
	CodeCertificate = "certificate"
	// CodeNoAccess: `get` for fill of a token whose last verdict is no_access.
	CodeNoAccess = "no_access"
	// CodeOverrideRefused: `validate` while an API override is refused by the rule.
	CodeOverrideRefused = "override_refused"
	CodeInternal        = "internal"
)

// Error is an error with a protocol code.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// codeFor maps an error from the layers below to a protocol error.
func codeFor(err error) *Error {
	var pe *Error
	switch {
	case errors.As(err, &pe):
		return pe
	case errors.Is(err, secretstore.ErrLocked):
		return &Error{CodeKeyringLocked, err.Error()}
	case errors.Is(err, secretstore.ErrUnavailable):
		return &Error{CodeKeyringUnavailable, err.Error()}
	case errors.Is(err, secretstore.ErrTimeout):
		return &Error{CodeKeyringTimeout, err.Error()}
	case errors.Is(err, secretstore.ErrTooLarge), errors.Is(err, vault.ErrFull):
		return &Error{CodeTooLarge, err.Error()}
	case errors.Is(err, vault.ErrNotFound), errors.Is(err, secretstore.ErrNotFound):
		return &Error{CodeNotFound, err.Error()}
	case errors.Is(err, vault.ErrInvalid):
		return &Error{CodeBadRequest, err.Error()}
	case errors.Is(err, trust.ErrCertificate):
		return &Error{CodeCertificate, err.Error()}
	}
	return &Error{CodeInternal, "host error: " + err.Error() + " (see the log: tokenbridge doctor prints its path)"}
}
