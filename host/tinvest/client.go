// Package tinvest is a small, read-only REST client for the T-Invest (T-Bank Invest) API
// used to validate and classify API tokens.
//
// It calls only three read-only methods: UsersService/GetAccounts and UsersService/GetInfo
// on the production host, and SandboxService/GetSandboxAccounts on the sandbox host.
// It never creates, opens or changes anything. The token travels only in the
// Authorization header to the configured hosts; it never appears in a URL, an error
// or a log line.
//
// Hosts default to https://invest-public-api.tbank.ru/rest and
// https://sandbox-invest-public-api.tbank.ru/rest and are overridden by the environment
// variables TOKENBRIDGE_TINVEST_URL and TOKENBRIDGE_TINVEST_SANDBOX_URL (https, or
// http for loopback hosts only). TOKENBRIDGE_TINVEST_CA names a PEM file with extra
// CA certificates to trust (local test servers). NewFromEnv accepts those overrides
// only under config's rule (config.ResolveAPI): loopback addresses and the bank's own
// hosts, anything else only when config.json's "api_overrides" names it.
//
// TLS trusts the system roots plus the Russian Trusted Root CA (package trust), in
// this client only; a certificate failure is a *trust.CertificateError (ErrCertificate).
//
// Check classifies a token: full_access, readonly, sandbox, invalid or upstream
// (could not check). See Check for the rules.
package tinvest

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/limits"
	"github.com/tokenbridge/tokenbridge/host/trust"
)

// Default hosts and environment variables.
const (
	DefaultProdURL    = "https://invest-public-api.tbank.ru/rest"
	DefaultSandboxURL = "https://sandbox-invest-public-api.tbank.ru/rest"

	EnvProdURL    = config.EnvTInvestURL
	EnvSandboxURL = config.EnvTInvestSandboxURL
	EnvCA         = config.EnvTInvestCA

	// AppName is sent as x-app-name.
	AppName = "tokenbridge"
	// SettingsURL is where a user issues a new token.
	SettingsURL = "https://www.tbank.ru/invest/settings/"

	contractPrefix = "/tinkoff.public.invest.api.contract.v1."

	// MaxTokenLen bounds a token; real ones are under 100 characters.
	MaxTokenLen = limits.MaxTokenLen
	// MaxBody bounds a response body.
	MaxBody = 1 << 20
)

// The read-only methods this client may call. Nothing else is ever requested.
const (
	RPCGetAccounts        = "UsersService/GetAccounts"
	RPCGetInfo            = "UsersService/GetInfo"
	RPCGetSandboxAccounts = "SandboxService/GetSandboxAccounts"
)

// ReadOnlyRPCs lists every method the client may call.
var ReadOnlyRPCs = []string{RPCGetAccounts, RPCGetInfo, RPCGetSandboxAccounts}

// Config configures a Client. Zero values take the defaults.
type Config struct {
	ProdURL    string        // production REST base
	SandboxURL string        // sandbox REST base
	CAFile     string        // optional PEM file with extra trusted CAs
	Timeout    time.Duration // per HTTP call, default 10 s
	// ConfigPath is config.json's path, named in certificate errors ("" = unknown).
	ConfigPath string
}

// ConfigFromEnv reads the TOKENBRIDGE_TINVEST_* environment variables and config.json's
// "api_overrides", applying the override rule: a refused override is an error with the
// cause and the fix, never a silent fall-back.
func ConfigFromEnv() (Config, error) {
	s, err := config.LoadAPI()
	if err != nil {
		return Config{}, fmt.Errorf("tinvest: %w", err)
	}
	return Config{ProdURL: s.TInvestURL, SandboxURL: s.TInvestSandboxURL, CAFile: s.TInvestCA, ConfigPath: s.ConfigPath}, nil
}

// Client calls the T-Invest REST API. Exported fields may be adjusted after New
// (tests make the delays short); a Client is safe for concurrent use once configured.
type Client struct {
	ProdURL    string
	SandboxURL string
	HTTP       *http.Client
	Timeout    time.Duration // per HTTP call

	// RateRetries bounds the retries after an 80002 / HTTP 429 answer.
	RateRetries int
	// MaxRateWait caps the wait taken from x-ratelimit-reset.
	MaxRateWait time.Duration
	// DefaultRateWait is used when x-ratelimit-reset is absent or unreadable.
	DefaultRateWait time.Duration

	// FreshWindow: a token captured less than this long ago that answers 40003 is
	// retried FreshRetries times, FreshDelay apart, before being called invalid.
	FreshWindow  time.Duration
	FreshRetries int
	FreshDelay   time.Duration

	// Sleep waits for d or until ctx ends; injectable for tests.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock; injectable for tests.
	Now func() time.Time
	// Log receives one line per call (method, status, tracking id; never the token).
	Log zerolog.Logger

	// caFix tells how to trust another CA, for certificate errors.
	caFix string
}

// NewFromEnv builds a Client from the environment and config.json (see ConfigFromEnv).
func NewFromEnv() (*Client, error) {
	cfg, err := ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	return New(cfg)
}

// New builds a Client. Base URLs must be https, or http on a loopback host.
func New(cfg Config) (*Client, error) {
	prod, err := checkBaseURL(EnvProdURL, cfg.ProdURL, DefaultProdURL)
	if err != nil {
		return nil, err
	}
	sandbox, err := checkBaseURL(EnvSandboxURL, cfg.SandboxURL, DefaultSandboxURL)
	if err != nil {
		return nil, err
	}
	pool, err := clientPool(cfg.CAFile)
	if err != nil {
		return nil, err
	}
	tr := trust.Transport(pool)
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return &Client{
		ProdURL:    prod,
		SandboxURL: sandbox,
		HTTP: &http.Client{
			Transport: tr,
			// Never follow a redirect: the API does not redirect, and a redirect could
			// carry the request (and its token) somewhere else.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		Timeout:         timeout,
		RateRetries:     2,
		MaxRateWait:     10 * time.Second,
		DefaultRateWait: time.Second,
		FreshWindow:     2 * time.Minute,
		FreshRetries:    3,
		FreshDelay:      3 * time.Second,
		Sleep:           sleepCtx,
		Now:             time.Now,
		Log:             zerolog.Nop(),
		caFix:           config.CAFix(cfg.ConfigPath, cfg.CAFile, true),
	}, nil
}

// clientPool is the system roots + the embedded Russian Trusted Root CA and Sub CA
// (package trust), plus caFile when set.
func clientPool(caFile string) (*x509.CertPool, error) {
	if caFile == "" {
		return trust.Pool(), nil
	}
	return trust.PoolWithFile(caFile, "tinvest: "+EnvCA)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// checkBaseURL validates a REST base URL: https anywhere, http only on loopback,
// no user info, query or fragment. Returns it without a trailing slash.
func checkBaseURL(name, raw, def string) (string, error) {
	if raw == "" {
		return def, nil
	}
	if len(raw) > 2048 {
		return "", fmt.Errorf("tinvest: %s is too long (max 2048 characters)", name)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("tinvest: %s is not a URL: fix or unset it: %w", name, err)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("tinvest: %s must look like https://host/rest (no user info, query or fragment): fix or unset it", name)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", fmt.Errorf("tinvest: %s uses http:// for a non-loopback host %q: use https:// (plain http is allowed only for 127.0.0.1, ::1 or localhost)", name, u.Hostname())
		}
	default:
		return "", fmt.Errorf("tinvest: %s must use https:// (got %q): fix or unset it", name, u.Scheme)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckToken rejects a token that cannot be sent in a header (empty, over
// MaxTokenLen, whitespace or control or non-ASCII characters).
func CheckToken(token string) error {
	if token == "" {
		return fmt.Errorf("%w: empty", ErrBadToken)
	}
	if len(token) > MaxTokenLen {
		return fmt.Errorf("%w: longer than %d characters", ErrBadToken, MaxTokenLen)
	}
	for i := 0; i < len(token); i++ {
		c := token[i]
		if c <= ' ' || c >= 0x7f {
			return fmt.Errorf("%w: contains a space, control or non-ASCII character at position %d", ErrBadToken, i+1)
		}
	}
	return nil
}

// Account is one account as returned by GetAccounts / GetSandboxAccounts.
type Account struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	Status      string `json:"status"`
	AccessLevel string `json:"access_level"`
}

// Access levels.
const (
	AccessFull     = "ACCOUNT_ACCESS_LEVEL_FULL_ACCESS"
	AccessReadOnly = "ACCOUNT_ACCESS_LEVEL_READ_ONLY"
	AccessNone     = "ACCOUNT_ACCESS_LEVEL_NO_ACCESS"
)

// maxAccounts bounds the accounts kept from one answer.
const maxAccounts = 100

type wireAccount struct {
	ID               string `json:"id"`
	Type             string `json:"type"`
	Name             string `json:"name"`
	Status           string `json:"status"`
	AccessLevel      string `json:"accessLevel"`
	AccessLevelSnake string `json:"access_level"`
}

type accountsResponse struct {
	Accounts *[]wireAccount `json:"accounts"`
}

// Info is the answer of GetInfo.
type Info struct {
	PremStatus           bool     `json:"premStatus"`
	QualStatus           bool     `json:"qualStatus"`
	QualifiedForWorkWith []string `json:"qualifiedForWorkWith"`
	Tariff               string   `json:"tariff"`
	UserID               string   `json:"userId"`
	RiskLevelCode        string   `json:"riskLevelCode"`
}

// GetAccounts calls UsersService/GetAccounts on the production host.
func (c *Client) GetAccounts(ctx context.Context, token string) ([]Account, error) {
	return c.accounts(ctx, c.ProdURL, RPCGetAccounts, token)
}

// GetSandboxAccounts calls SandboxService/GetSandboxAccounts on the sandbox host.
func (c *Client) GetSandboxAccounts(ctx context.Context, token string) ([]Account, error) {
	return c.accounts(ctx, c.SandboxURL, RPCGetSandboxAccounts, token)
}

// GetInfo calls UsersService/GetInfo on the production host.
func (c *Client) GetInfo(ctx context.Context, token string) (Info, error) {
	var info Info
	if err := c.call(ctx, c.ProdURL, RPCGetInfo, token, &info); err != nil {
		return Info{}, err
	}
	info.Tariff = clean(info.Tariff, 100)
	info.UserID = clean(info.UserID, 100)
	info.RiskLevelCode = clean(info.RiskLevelCode, 100)
	return info, nil
}

func (c *Client) accounts(ctx context.Context, base, rpc, token string) ([]Account, error) {
	var resp accountsResponse
	if err := c.call(ctx, base, rpc, token, &resp); err != nil {
		return nil, err
	}
	if resp.Accounts == nil {
		// An empty list may be omitted by the gateway; anything else with no
		// "accounts" key at all is still a valid empty answer.
		return []Account{}, nil
	}
	in := *resp.Accounts
	out := make([]Account, 0, min(len(in), maxAccounts))
	for i, a := range in {
		if i == maxAccounts {
			break
		}
		lvl := a.AccessLevel
		if lvl == "" {
			lvl = a.AccessLevelSnake
		}
		out = append(out, Account{
			ID:          clean(a.ID, 64),
			Name:        clean(a.Name, 200),
			Type:        clean(a.Type, 64),
			Status:      clean(a.Status, 64),
			AccessLevel: clean(lvl, 64),
		})
	}
	return out, nil
}

// call POSTs {} to base+method, retrying on rate limiting, and decodes a 200 answer into out.
func (c *Client) call(ctx context.Context, base, rpc, token string, out any) error {
	if err := CheckToken(token); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		err := c.once(ctx, base, rpc, token, out)
		var ae *APIError
		if !errors.As(err, &ae) || !ae.RateLimited() {
			return err
		}
		if attempt >= c.RateRetries {
			return &UpstreamError{RPC: rpc, Reason: fmt.Sprintf("request limit still exceeded after %d retries", c.RateRetries), Err: err}
		}
		wait := ae.RetryAfter
		if wait <= 0 {
			wait = c.DefaultRateWait
		}
		if c.MaxRateWait > 0 && wait > c.MaxRateWait {
			wait = c.MaxRateWait
		}
		c.Log.Debug().Str("rpc", rpc).Dur("wait", wait).Int("attempt", attempt+1).Msg("tinvest rate limited, waiting")
		if err := c.sleep(ctx, wait); err != nil {
			return &UpstreamError{RPC: rpc, Reason: "cancelled while waiting for the rate limit", Err: err}
		}
	}
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	return sleepCtx(ctx, d)
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) once(ctx context.Context, base, rpc, token string, out any) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+contractPrefix+rpc, bytes.NewReader([]byte("{}")))
	if err != nil {
		return &UpstreamError{RPC: rpc, Reason: "cannot build the request (check the configured URL)", Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("x-app-name", AppName)

	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	start := c.now()
	resp, err := hc.Do(req)
	if ce, ok := trust.AsCertificateError(err, "T-Invest API host", req.URL.Host, c.caFix); ok {
		c.Log.Warn().Str("rpc", rpc).Str("host", req.URL.Host).Str("issuer", ce.Issuer).Str("reason", ce.Reason).
			AnErr("system_roots", trust.SystemRootsErr()).Msg("tinvest certificate not trusted")
		return ce
	}
	if err != nil {
		c.Log.Warn().Str("rpc", rpc).Str("host", req.URL.Host).Err(scrubURLError(err)).Msg("tinvest call failed")
		return &UpstreamError{RPC: rpc, Reason: networkReason(err, timeout), Err: scrubURLError(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	tracking := clean(resp.Header.Get("x-tracking-id"), 100)
	c.Log.Debug().Str("rpc", rpc).Str("host", req.URL.Host).Int("status", resp.StatusCode).
		Str("tracking_id", tracking).Dur("took", c.now().Sub(start)).Msg("tinvest call")
	if err != nil {
		return &UpstreamError{RPC: rpc, Reason: networkReason(err, timeout) + " while reading the answer", Err: scrubURLError(err)}
	}
	if len(body) > MaxBody {
		return &UpstreamError{RPC: rpc, Reason: "answer larger than 1 MiB"}
	}

	if resp.StatusCode == http.StatusOK {
		if err := decodeStrict(body, out); err != nil {
			return &UpstreamError{RPC: rpc, Reason: "malformed JSON in the answer", Err: err}
		}
		return nil
	}

	code, desc, msg, ok := parseErrorBody(body)
	if !ok && resp.StatusCode != http.StatusTooManyRequests {
		return &UpstreamError{RPC: rpc, Reason: fmt.Sprintf("unexpected HTTP %d with no T-Invest error body", resp.StatusCode)}
	}
	ae := &APIError{
		HTTPStatus:  resp.StatusCode,
		Code:        code,
		Description: desc,
		Message:     msg,
		TrackingID:  tracking,
		RPC:         rpc,
		RetryAfter:  parseReset(resp.Header.Get("x-ratelimit-reset")),
	}
	if ae.Unauthenticated() || ae.RateLimited() || ae.PermissionDenied() {
		return ae
	}
	if resp.StatusCode >= 500 {
		return &UpstreamError{RPC: rpc, Reason: fmt.Sprintf("T-Invest server error (HTTP %d)", resp.StatusCode), Err: ae}
	}
	return ae
}

// decodeStrict decodes a JSON object, rejecting trailing garbage.
func decodeStrict(body []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(out); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// parseReset reads x-ratelimit-reset (seconds). Unreadable or negative → 0.
func parseReset(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > 12 {
		return 0
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n < 0 || n > 86400 {
		return 0
	}
	return time.Duration(n * float64(time.Second))
}

func networkReason(err error, timeout time.Duration) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("no answer within %s", timeout)
	default:
		return "cannot reach the server"
	}
}

// scrubURLError drops the URL from a *url.Error (the URL holds no secret, but keeping
// only Op+Err keeps messages short and stable).
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}

// clean bounds a server-provided string and strips control characters and invalid UTF-8.
func clean(s string, max int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
