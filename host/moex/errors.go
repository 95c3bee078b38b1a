package moex

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"github.com/tokenbridge/tokenbridge/host/ascii"
)

// Error codes of *Error.
const (
	CodeInvalid        = "invalid"         // bad input (name, URL, flag)
	CodeNotFound       = "not_found"       // no such profile
	CodeExists         = "exists"          // profile already exists
	CodeBadClient      = "bad_client"      // client_id/client_secret rejected (unauthorized_client)
	CodeBadCredentials = "bad_credentials" // wrong password or one-time code needed (invalid_grant)
	CodeSessionEnded   = "session_ended"   // refresh token dead and no way to sign in again
	CodeNoCredentials  = "no_credentials"  // a needed secret is missing from the keyring
	CodeUnreachable    = "unreachable"     // network error, timeout
	CodeUpstream       = "upstream"        // any other answer from the token endpoint
	CodeCertificate    = "certificate"     // the endpoint's TLS certificate is not trusted
	CodeBadProfile     = "bad_profile"     // a stored setting is unusable (index.json edited): nothing was sent
)

// Error is a failure with a code and a message that names the cause and the fix.
// Messages never contain secrets.
type Error struct {
	Code string
	Msg  string
	Err  error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the code of the first *Error in err's chain, or "".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func invalidf(format string, args ...any) error {
	return &Error{Code: CodeInvalid, Msg: fmt.Sprintf(format, args...)}
}

func notFound(name string) error {
	return &Error{Code: CodeNotFound, Msg: fmt.Sprintf("no MOEX profile %q: list them with `tokenbridge moex list` or add one with `tokenbridge moex add`", name)}
}

// endpointError is the server's OAuth error answer, without the body.
type endpointError struct {
	status int
	code   string
	desc   string
}

func (e *endpointError) Error() string {
	return fmt.Sprintf("token endpoint answered HTTP %d %s %q", e.status, e.code, e.desc)
}

// classify turns an error from a token request into an *Error. grant is the grant that was
// attempted ("refresh_token" or the profile's grant); p names the profile in messages.
func classify(err error, p *Profile, grant string) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		// The body itself is never kept: it is the server's text and may be large.
		ee := &endpointError{status: status, code: truncate(displayText(re.ErrorCode), 60), desc: truncate(displayText(re.ErrorDescription), 200)}
		switch {
		case re.ErrorCode == "unauthorized_client" || re.ErrorCode == "invalid_client":
			return &Error{Code: CodeBadClient, Msg: badClientMsg(p, status, ee.code), Err: ee}
		case re.ErrorCode == "invalid_grant" && grant != "refresh_token":
			return &Error{Code: CodeBadCredentials, Err: ee,
				Msg: fmt.Sprintf("MOEX refused the sign-in of %q for profile %q (%s): either the password is wrong: enter it again with `%s` (it asks for the secrets again); or the account asks for a one-time code: sign in once with `tokenbridge moex token %s --otp CODE` (later tokens come from the refresh token)",
					p.Username, p.Name, ee.desc, addCommand(p, p.AuthStyle, true), p.Name)}
		case re.ErrorCode == "invalid_grant":
			return &Error{Code: CodeSessionEnded, Err: ee,
				Msg: fmt.Sprintf("the refresh token of profile %q is no longer accepted (%s)", p.Name, ee.desc)}
		case re.ErrorCode != "":
			return &Error{Code: CodeUpstream, Err: ee,
				Msg: fmt.Sprintf("MOEX token endpoint refused the %s grant for profile %q: HTTP %d %s %q: check the profile settings (`tokenbridge moex list`)", grant, p.Name, status, ee.code, ee.desc)}
		default:
			return &Error{Code: CodeUpstream, Err: ee,
				Msg: fmt.Sprintf("MOEX token endpoint %s answered HTTP %d without an OAuth error: is --token-url right? Retry later if the service is down", hostOf(p.TokenURL), status)}
		}
	}
	var ue *url.Error
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) || errors.As(err, &ue) {
		cause := "network error"
		if ue != nil {
			// url.Error's text repeats the URL (no secrets are in it) and the cause.
			cause = truncate(ue.Err.Error(), 200)
		} else if ne != nil {
			cause = truncate(ne.Error(), 200)
		}
		return &Error{Code: CodeUnreachable, Err: err,
			Msg: fmt.Sprintf("cannot reach the MOEX token endpoint %s (%s): check the network, proxy settings and --token-url, then retry", hostOf(p.TokenURL), cause)}
	}
	return &Error{Code: CodeUpstream, Err: err,
		Msg: fmt.Sprintf("MOEX token endpoint %s gave an unusable answer (%s): retry later; if it persists check --token-url", hostOf(p.TokenURL), truncate(err.Error(), 200))}
}

// badClientMsg: MOEX rejected the client. Besides a wrong pair, the client may accept its
// secret only one way: name the --auth option that sends it the other way.
func badClientMsg(p *Profile, status int, code string) string {
	msg := fmt.Sprintf("MOEX rejected the client_id %q / client_secret of profile %q (HTTP %d %s): check the pair, then enter it again with `%s` (it asks for the secrets again)",
		p.ClientID, p.Name, status, code, addCommand(p, p.AuthStyle, true))
	if p.AuthStyle == AuthBasic {
		msg += fmt.Sprintf("; if the pair is right, the client may take its secret as form fields instead of HTTP Basic authentication: add --auth params (`%s`)", addCommand(p, AuthParams, true))
	} else {
		msg += fmt.Sprintf("; if the pair is right, the client may need HTTP Basic authentication: add --auth basic (`%s`)", addCommand(p, AuthBasic, true))
	}
	if !p.Legacy && p.TokenURL != "" {
		msg += "; note that the new SSO endpoint needs a new pair issued for it (the old legacy pair does not work there): ask help@moex.com (play) or your client manager (production)"
	}
	return msg
}

// refreshReused reports a refresh-token rejection that the server explains as reuse
// (Keycloak: "Maximum allowed refresh token reuse exceeded", "Stale token"): a spent refresh
// token came back, so someone else may hold a copy of the session.
func refreshReused(err error) bool {
	var ee *endpointError
	if !errors.As(err, &ee) || ee.code != "invalid_grant" {
		return false
	}
	d := strings.ToLower(ee.desc)
	return strings.Contains(d, "reuse") || strings.Contains(d, "stale token")
}

// addCommand is the `tokenbridge moex add NAME --force ...` that recreates p with client
// authentication auth (and p's token URL when keepURL and it is not the default).
func addCommand(p *Profile, auth string, keepURL bool) string {
	args := []string{"tokenbridge", "moex", "add", p.Name, "--force", "--env", p.Env, "--client-id", p.ClientID}
	if p.Grant != GrantPassword {
		args = append(args, "--grant", p.Grant)
	}
	if p.Username != "" {
		args = append(args, "--username", p.Username)
	}
	if p.Scope != "" {
		args = append(args, "--scope", p.Scope)
	}
	if p.Legacy {
		args = append(args, "--legacy")
	}
	if def, _ := DefaultTokenURL(p.Env, p.Legacy); keepURL && p.TokenURL != "" && p.TokenURL != def {
		args = append(args, "--token-url", p.TokenURL)
	}
	if auth == AuthBasic {
		args = append(args, "--auth", AuthBasic)
	}
	for i, a := range args {
		args[i] = shellQuote(truncate(a, 200))
	}
	return strings.Join(args, " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && ascii.All(s, isShellSafe) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// isShellSafe: bytes a POSIX shell reads literally outside quotes.
func isShellSafe(c byte) bool { return ascii.IsAlnum(c) || ascii.In(c, "@%+=:,./_-") }

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	return u.Host
}
