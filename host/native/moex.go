package native

import (
	"context"
	"time"

	"github.com/tokenbridge/tokenbridge/host/moex"
)

// Error codes of the MOEX commands (see host/PROTOCOL.md).
const (
	// CodeMoexAuth: MOEX refused the stored credentials, the session ended, or the profile's
	// stored settings are unusable; the message names the profile and the command to run in a
	// terminal (`tokenbridge moex token P --otp CODE`, `tokenbridge moex add P --force ...`).
	CodeMoexAuth = "moex_auth"
	// CodeUpstream: the MOEX token endpoint could not be reached or answered unusably.
	CodeUpstream = "upstream"
)

// moexList returns the profiles' settings and token status, never a secret.
func moexList(_ context.Context, env *Env, req *Request) (Result, error) {
	var p struct{}
	if err := req.Bind(&p); err != nil {
		return nil, err
	}
	ps, err := moex.ListEntries(env.Moex, time.Now())
	if err != nil {
		return nil, moexError(err)
	}
	return Result{"profiles": ps}, nil
}

// moexToken returns a fresh access token (same logic as `tokenbridge moex token`).
func moexToken(ctx context.Context, env *Env, req *Request) (Result, error) {
	var p struct {
		Name    string `json:"name"`
		Purpose string `json:"purpose"`
	}
	if err := req.Bind(&p); err != nil {
		return nil, err
	}
	if p.Name == "" {
		return nil, missing("name")
	}
	if err := moex.ValidateName(p.Name); err != nil {
		return nil, Errorf(CodeBadRequest, "%s", err.Error())
	}
	switch p.Purpose {
	case PurposeCopy:
	case "":
		return nil, missing("purpose")
	default:
		return nil, Errorf(CodeBadRequest, "purpose must be \"copy\"")
	}
	tok, err := env.Moex.Token(ctx, p.Name, moex.TokenOptions{})
	if err != nil {
		env.Log.Warn().Str("profile", p.Name).Str("code", moex.ErrorCode(err)).Msg("moex token not released")
		return nil, moexError(err)
	}
	env.Log.Info().Str("profile", p.Name).Str("purpose", p.Purpose).Str("source", tok.Source).Msg("moex token released")
	res := Result{"access_token": tok.AccessToken, "expires_at": nil}
	if tok.Warning != "" {
		// Shown to the user with the token (a refresh token reported as reused).
		res["warning"] = tok.Warning
	}
	if !tok.AccessExpiresAt.IsZero() {
		res["expires_at"] = tok.AccessExpiresAt.UTC().Format(time.RFC3339)
	}
	return res, nil
}

// moexError maps a moex error to a protocol error; keyring and other errors go through codeFor.
func moexError(err error) error {
	switch moex.ErrorCode(err) {
	case moex.CodeNotFound:
		return Errorf(CodeNotFound, "%s", err.Error())
	case moex.CodeInvalid:
		return Errorf(CodeBadRequest, "%s", err.Error())
	case moex.CodeBadCredentials, moex.CodeBadClient, moex.CodeSessionEnded, moex.CodeNoCredentials, moex.CodeBadProfile:
		return Errorf(CodeMoexAuth, "%s", err.Error())
	case moex.CodeUnreachable, moex.CodeUpstream:
		return Errorf(CodeUpstream, "%s", err.Error())
	case moex.CodeCertificate:
		return Errorf(CodeCertificate, "%s", err.Error())
	}
	return codeFor(err)
}
