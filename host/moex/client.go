package moex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/trust"
)

// ValidateTokenURL accepts https URLs, and http only to a literal loopback address
// (127.0.0.0/8, ::1: local test servers). A name such as "localhost" is refused: its
// resolution is up to the resolver and the hosts file, not to tokenbridge. User information,
// queries and fragments are refused: secrets must never travel in a URL. It runs at `moex add`
// and again before every request (checkTokenURL): index.json may have been edited since.
func ValidateTokenURL(raw string) error {
	if len(raw) > maxURL {
		return invalidf("token URL is longer than %d characters", maxURL)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return invalidf("invalid token URL %q: give an absolute https:// URL", truncate(raw, 100))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return invalidf("invalid token URL: it must not contain user info, a query or a fragment")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsLoopback() {
			return nil
		}
		return invalidf("token URL %q uses http: only https is allowed (plain http only to a literal loopback address, 127.0.0.1 or [::1], not a name such as localhost)", truncate(raw, 100))
	}
	return invalidf("token URL %q: scheme must be https", truncate(raw, 100))
}

// checkTokenURL checks the stored token URL of p right before a request that carries its
// credentials or refresh token: nothing is sent to a URL `moex add` would refuse.
func checkTokenURL(p *Profile) error {
	err := ValidateTokenURL(p.TokenURL)
	if err == nil {
		return nil
	}
	return &Error{Code: CodeBadProfile, Err: err, Msg: fmt.Sprintf(
		"MOEX profile %q has a token URL that is not allowed (was index.json edited?): %v; nothing was sent. Set the profile again with `%s` (it asks for the secrets again), or remove it with `tokenbridge moex rm %s`",
		p.Name, err, addCommand(p, p.AuthStyle, false), p.Name)}
}

// CheckTokenURL checks profile name's stored token URL as every request does, for commands
// that send nothing themselves (`moex logout`, doctor) to say what the next request would find.
func (m *Manager) CheckTokenURL(name string) error {
	p, err := m.Get(name)
	if err != nil {
		return err
	}
	return checkTokenURL(&p)
}

// tokenResult is a token response with absolute expiry times.
type tokenResult struct {
	access, refresh       string
	tokenType, scope      string
	accessExp, refreshExp time.Time // zero refreshExp: no expiry given (offline token) or no refresh token
	obtainedAt            time.Time
}

// newHTTPClient returns the client for token requests: bounded in time, and it never follows a
// redirect (a redirected POST would carry the credentials to another URL). It trusts the
// system roots plus the Russian Trusted Root CA (package trust, this client only), plus the
// CA file config.json names in "api_overrides"."tinvest_ca" (an environment-only CA is for
// T-Invest loopback fakes and never reaches MOEX). An unreadable CA file fails every
// request with its cause and fix.
func newHTTPClient() *http.Client {
	return &http.Client{
		Transport: newTransport(),
		Timeout:   30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

func newTransport() http.RoundTripper {
	// A broken config.json is reported by doctor; MOEX then trusts the built-in pool only.
	s, _ := config.LoadAPI()
	if !s.CAInConfig {
		return certTransport{next: trust.Transport(trust.Pool()), fix: config.CAFix(s.ConfigPath, "", false)}
	}
	pool, err := trust.PoolWithFile(s.TInvestCA, s.ConfigPath+" api_overrides.tinvest_ca")
	if err != nil {
		return failingTransport{&Error{Code: CodeCertificate, Msg: "MOEX client: " + err.Error(), Err: err}}
	}
	return certTransport{next: trust.Transport(pool), fix: config.CAFix(s.ConfigPath, s.TInvestCA, false)}
}

// certTransport turns a TLS certificate failure into a *Error with code certificate naming
// the host, the issuer presented and how to trust another CA.
type certTransport struct {
	next http.RoundTripper
	fix  string
}

func (t certTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if ce, ok := trust.AsCertificateError(err, "MOEX token endpoint", req.URL.Host, t.fix); ok {
		return nil, &Error{Code: CodeCertificate, Msg: ce.Error(), Err: ce}
	}
	return resp, err
}

// failingTransport answers every request with err (a broken CA setting): never a silent
// fall-back to another trust.
type failingTransport struct{ err error }

func (t failingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	return nil, t.err
}

// requestError classifies a failed token request: an *Error from our transports (an untrusted
// certificate, a broken CA setting; http.Client wraps it in a *url.Error) as is, the rest
// through classify.
func requestError(err error, p *Profile, grant string) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return classify(err, p, grant)
}

func authStyle(p *Profile) oauth2.AuthStyle {
	// Always explicit: oauth2's AuthStyleAutoDetect would resend a failed login a second time
	// with the secret moved from the Basic header into the body.
	if p.AuthStyle == AuthBasic {
		return oauth2.AuthStyleInHeader
	}
	return oauth2.AuthStyleInParams
}

func scopes(p *Profile) []string {
	return strings.Fields(p.Scope)
}

// fullGrant signs in with the stored credentials: password (new endpoint; with otp when given),
// passport (old endpoint) or client_credentials.
//
// oauth2.Config.PasswordCredentialsToken cannot send extra fields such as "otp", and
// Config.Exchange always sends an authorization "code". clientcredentials.Config is the clean
// path: it sends exactly grant_type, scope and EndpointParams, and it explicitly allows
// EndpointParams to override grant_type ("to allow interoperability with non-compliant
// implementations"). It goes through oauth2's own token request code (same AuthStyle handling,
// same response and error parsing) as every other grant here.
func fullGrant(ctx context.Context, hc *http.Client, p *Profile, clientSecret, password, otp string, now time.Time) (*tokenResult, error) {
	if err := checkTokenURL(p); err != nil {
		return nil, err
	}
	params := url.Values{}
	grant := p.grantType()
	if grant != GrantClientCredentials {
		params.Set("grant_type", grant)
		params.Set("username", p.Username)
		params.Set("password", password)
		if otp != "" {
			params.Set("otp", otp)
		}
	}
	cc := &clientcredentials.Config{
		ClientID:       p.ClientID,
		ClientSecret:   clientSecret,
		TokenURL:       p.TokenURL,
		Scopes:         scopes(p),
		EndpointParams: params,
		AuthStyle:      authStyle(p),
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	tok, err := cc.Token(ctx)
	if err != nil {
		return nil, requestError(err, p, grant)
	}
	return toResult(tok, now), nil
}

// refreshGrant uses the refresh token (the standard oauth2.Config refresh path).
func refreshGrant(ctx context.Context, hc *http.Client, p *Profile, clientSecret, refresh string, now time.Time) (*tokenResult, error) {
	if err := checkTokenURL(p); err != nil {
		return nil, err
	}
	conf := &oauth2.Config{
		ClientID:     p.ClientID,
		ClientSecret: clientSecret,
		Endpoint:     oauth2.Endpoint{TokenURL: p.TokenURL, AuthStyle: authStyle(p)},
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	// An empty access token makes the source refresh at once.
	tok, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: refresh}).Token()
	if err != nil {
		return nil, requestError(err, p, "refresh_token")
	}
	return toResult(tok, now), nil
}

func toResult(tok *oauth2.Token, now time.Time) *tokenResult {
	r := &tokenResult{
		access:     tok.AccessToken,
		refresh:    tok.RefreshToken,
		tokenType:  tok.TokenType,
		accessExp:  tok.Expiry,
		obtainedAt: now,
	}
	if tok.ExpiresIn > 0 && tok.ExpiresIn < 1e10 {
		// Count from our own clock (the same one that later checks the expiry).
		r.accessExp = now.Add(time.Duration(tok.ExpiresIn) * time.Second)
	}
	if s, ok := tok.Extra("scope").(string); ok {
		r.scope = truncate(s, maxScope)
	}
	if r.accessExp.IsZero() {
		// No expires_in: use the JWT's exp if it has one; otherwise the token counts as
		// expired at once and is fetched again next time.
		if c, err := DecodeClaims(tok.AccessToken); err == nil {
			if exp, ok := c.Time("exp"); ok {
				r.accessExp = exp
			}
		}
	}
	// oauth2 drops refresh_expires_in when a token is marshalled: record it as an absolute time.
	if secs := extraSeconds(tok.Extra("refresh_expires_in")); secs > 0 && r.refresh != "" {
		r.refreshExp = now.Add(time.Duration(secs) * time.Second)
	}
	return r
}

func extraSeconds(v any) int64 {
	switch x := v.(type) {
	case float64:
		if x > 0 && x < 1e10 {
			return int64(x)
		}
	case json.Number:
		n, err := x.Int64()
		if err == nil && n > 0 && n < 1e10 {
			return n
		}
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		if err == nil && n > 0 && n < 1e10 {
			return n
		}
	}
	return 0
}
