package tinvest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/tokenbridge/tokenbridge/host/trust"
)

// Result is the verdict of a token check.
type Result string

// Results, as stored in token metadata (PROTOCOL.md "validation.result").
const (
	ResultFullAccess Result = "full_access"
	ResultReadonly   Result = "readonly"
	ResultSandbox    Result = "sandbox"
	ResultNoAccess   Result = "no_access" // accepted, but every account answers ACCOUNT_ACCESS_LEVEL_NO_ACCESS
	ResultInvalid    Result = "invalid"
	ResultUpstream   Result = "upstream" // could not check
)

// Codes refining an upstream verdict (Verdict.Code, PROTOCOL.md "validation.code").
const (
	// CodeCertificate (errors.go): the API host's TLS certificate is not trusted.
	CodeRateLimited = "rate_limited" // 80002 / HTTP 429 after the retries
	CodeNetwork     = "network"      // no answer: cannot connect, timeout, cancelled
	CodeServer      = "server"       // an answer that is no verdict: 5xx, malformed, unexpected error (40002, …)
)

// Verdict is the outcome of Check.
type Verdict struct {
	Result  Result `json:"result"`
	Message string `json:"message"` // human: cause and fix
	// Code refines an upstream verdict: CodeCertificate, CodeRateLimited, CodeNetwork
	// or CodeServer; empty for every other result.
	Code      string    `json:"code,omitempty"`
	Accounts  []Account `json:"accounts,omitempty"`
	CheckedAt time.Time `json:"checked_at"`
}

// Usable reports whether the token works (full_access, readonly or sandbox).
func (v Verdict) Usable() bool {
	return v.Result == ResultFullAccess || v.Result == ResultReadonly || v.Result == ResultSandbox
}

// Accepted reports whether the API authenticated the token (every usable result, and
// no_access): the call counts as a use of the token.
func (v Verdict) Accepted() bool { return v.Usable() || v.Result == ResultNoAccess }

// Definite reports whether the verdict is the API's answer about the token (every
// result but upstream): only a definite verdict replaces an earlier one.
func (v Verdict) Definite() bool { return v.Result != ResultUpstream && v.Result != "" }

// Check classifies token with read-only calls only:
//
//  1. production GetAccounts works → full_access if any account has FULL_ACCESS,
//     no_access if it returns accounts and every one is NO_ACCESS, otherwise readonly;
//     the accounts are returned;
//  2. production answers 40003 and sandbox GetSandboxAccounts works → sandbox;
//  3. both answer 40003 → invalid (a token captured less than FreshWindow ago is
//     first retried FreshRetries times, FreshDelay apart);
//  4. anything else (network, timeout, 5xx, malformed JSON, rate limit exhausted,
//     unexpected errors) → upstream, never invalid, with Code "certificate" (untrusted
//     TLS certificate), "rate_limited", "network" or "server".
func (c *Client) Check(ctx context.Context, token string, capturedAt time.Time) Verdict {
	if err := CheckToken(token); err != nil {
		return c.verdict(ResultInvalid, fmt.Sprintf("the stored value is not a T-Invest token (%v): capture or paste the token again, or issue a new one at %s", errors.Unwrap(err), SettingsURL), nil)
	}
	fresh := !capturedAt.IsZero() && c.now().Sub(capturedAt) < c.FreshWindow
	for attempt := 0; ; attempt++ {
		v, bothUnauth := c.checkOnce(ctx, token)
		if !bothUnauth || !fresh || attempt >= c.FreshRetries {
			if bothUnauth && fresh {
				v.Message = fmt.Sprintf("token still rejected after %d retries over %s (40003): it is expired, revoked or mistyped: issue a new one at %s", c.FreshRetries, time.Duration(c.FreshRetries)*c.FreshDelay, SettingsURL)
			}
			return v
		}
		c.Log.Debug().Int("attempt", attempt+1).Msg("fresh token rejected with 40003, retrying")
		if err := c.sleep(ctx, c.FreshDelay); err != nil {
			v := c.verdict(ResultUpstream, "check cancelled while waiting to retry a freshly issued token: try again in a minute", nil)
			v.Code = CodeNetwork
			return v
		}
	}
}

// checkOnce runs one production+sandbox round. bothUnauth is true when both hosts
// answered 40003 (the verdict is then invalid).
func (c *Client) checkOnce(ctx context.Context, token string) (v Verdict, bothUnauth bool) {
	accounts, err := c.GetAccounts(ctx, token)
	if err == nil {
		return c.productionVerdict(accounts), false
	}
	if !errors.Is(err, ErrUnauthenticated) {
		return c.upstreamVerdict("production", err), false
	}
	sb, err := c.GetSandboxAccounts(ctx, token)
	if err == nil {
		return c.verdict(ResultSandbox, fmt.Sprintf("sandbox token: it works only with the T-Invest sandbox (%s), not with real accounts", plural(len(sb), "sandbox account")), sb), false
	}
	if !errors.Is(err, ErrUnauthenticated) {
		return c.upstreamVerdict("sandbox", err), false
	}
	return c.verdict(ResultInvalid, "token expired or revoked (T-Invest answered 40003 on production and sandbox): issue a new one at "+SettingsURL, nil), true
}

func (c *Client) productionVerdict(accounts []Account) Verdict {
	full, none := 0, 0
	for _, a := range accounts {
		switch a.AccessLevel {
		case AccessFull:
			full++
		case AccessNone:
			none++
		}
	}
	if full > 0 {
		msg := fmt.Sprintf("full-access token: can trade on %s", plural(full, "account"))
		if len(accounts) > full {
			msg += fmt.Sprintf(" (%d more visible with lower access)", len(accounts)-full)
		}
		return c.verdict(ResultFullAccess, msg, accounts)
	}
	if len(accounts) > 0 && none == len(accounts) {
		return c.verdict(ResultNoAccess, fmt.Sprintf("the token is accepted but has no access to its %s (ACCOUNT_ACCESS_LEVEL_NO_ACCESS): it can neither read nor trade; issue a new token at %s", plural(len(accounts), "account"), SettingsURL), accounts)
	}
	msg := fmt.Sprintf("read-only token: sees %s and cannot place orders", plural(len(accounts), "account"))
	if none > 0 {
		msg = fmt.Sprintf("read-only token: sees %s (%d of them without access) and cannot place orders", plural(len(accounts), "account"), none)
	}
	if len(accounts) == 0 {
		msg = "read-only production token, but it sees no accounts: open a brokerage account, or issue a token for an existing account at " + SettingsURL
	}
	return c.verdict(ResultReadonly, msg, accounts)
}

func (c *Client) upstreamVerdict(host string, err error) Verdict {
	var (
		ae   *APIError
		ue   *UpstreamError
		ce   *trust.CertificateError
		msg  string
		code = CodeServer
	)
	switch {
	case errors.As(err, &ce):
		v := c.verdict(ResultUpstream, "could not check the token: "+ce.Error(), nil)
		v.Code = CodeCertificate
		return v
	case errors.As(err, &ue) && errors.Is(err, ErrRateLimited):
		code = CodeRateLimited
		msg = fmt.Sprintf("could not check the token: T-Invest %s keeps answering \"request limit exceeded\" (80002): wait a minute and check again", host)
	case errors.As(err, &ue):
		if noAnswer(ue.Err) {
			code = CodeNetwork
		}
		hint := "check the network and try again later"
		if c.ProdURL != DefaultProdURL || c.SandboxURL != DefaultSandboxURL {
			hint = fmt.Sprintf("check the network and the custom %s / %s, then try again", EnvProdURL, EnvSandboxURL)
		}
		msg = fmt.Sprintf("could not check the token: T-Invest %s: %s: %s", host, ue.Reason, hint)
	case errors.As(err, &ae) && ae.PermissionDenied():
		msg = fmt.Sprintf("could not check the token: T-Invest %s refused the account list (40002 insufficient privileges); the token is accepted but its kind is unknown: check it in the T-Invest settings at %s", host, SettingsURL)
	case errors.As(err, &ae):
		msg = fmt.Sprintf("could not check the token: T-Invest %s answered an unexpected error (%s): try again later", host, apiErrorSummary(ae))
	default:
		msg = fmt.Sprintf("could not check the token: %v: try again later", err)
	}
	v := c.verdict(ResultUpstream, msg, nil)
	v.Code = code
	return v
}

// noAnswer: the request got no answer (cannot connect, timeout, cancelled).
func noAnswer(err error) bool {
	var ne net.Error
	return err != nil && (errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled))
}

func apiErrorSummary(ae *APIError) string {
	s := fmt.Sprintf("HTTP %d", ae.HTTPStatus)
	if ae.Description != 0 {
		s += fmt.Sprintf(", error %d", ae.Description)
	}
	if ae.Message != "" {
		s += ": " + ae.Message
	}
	if ae.TrackingID != "" {
		s += ", tracking id " + ae.TrackingID
	}
	return s
}

func (c *Client) verdict(r Result, msg string, accounts []Account) Verdict {
	return Verdict{Result: r, Message: msg, Accounts: accounts, CheckedAt: c.now().UTC().Truncate(time.Second)}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
