// Package tinvestfake is a local fake of the T-Invest REST API (production and
// sandbox hosts) for tests and browser end-to-end runs. It never touches the network
// beyond the listener its caller opens.
//
// It serves the three read-only methods the validator uses
// (UsersService/GetAccounts, UsersService/GetInfo, SandboxService/GetSandboxAccounts)
// and behaves per token as configured in a token table: access level (full,
// readonly, no_access, for all its accounts or per account), account scope, sandbox-only tokens, and faults (40003 with a
// string or a numeric description, 40002, 80002 with x-ratelimit-* headers, HTTP 500,
// malformed JSON, slow answers, a "fresh" token that answers 40003 N times and then
// works).
//
// Like the real gateway it requires POST, the exact method path, an
// "Authorization: Bearer <token>" header and Content-Type application/json, and it
// records every request so tests can assert that nothing but read-only methods was
// ever called (Violations must stay empty).
//
// Typical use in a Go test:
//
//	srv := tinvestfake.NewServer(map[string]tinvestfake.Token{
//		"t.full": {Access: tinvestfake.Full},
//		"t.sb":   {Sandbox: true},
//	})
//	defer srv.Close()
//	// srv.ProdURL, srv.SandboxURL are REST bases for tinvest.Config.
//
// One handler serves both hosts: production under /prod/rest, sandbox under
// /sandbox/rest. Prod and Sandbox return the bare per-host handlers (their paths
// start at /tinkoff.public.invest.api.contract.v1.…) for mounting elsewhere.
// /_fake/calls and /_fake/violations (GET) return the recorded requests as JSON,
// with token fingerprints instead of tokens, so an end-to-end harness can assert that
// no mutating method was called; POST /_fake/tokens with {"<token>": {…Token…}}
// registers tokens issued at run time. SetUnknown gives tokens missing from the
// table a default behaviour. The binary host/cmd/tinvest-fake serves Handler.
package tinvestfake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tokenbridge/tokenbridge/host/tinvest"
)

// Access is a token's access level.
type Access string

// Access levels.
const (
	Full     Access = "full"
	ReadOnly Access = "readonly"
	NoAccess Access = "no_access"
)

// Fault is an error the fake answers with instead of the normal answer.
type Fault string

// Faults.
const (
	FaultNone               Fault = ""
	FaultUnauthenticated    Fault = "40003"         // HTTP 401, description "40003" (string, as the live server)
	FaultUnauthenticatedNum Fault = "40003_numeric" // HTTP 401, description 40003 (number, as the schema)
	FaultPermission         Fault = "40002"         // HTTP 403
	FaultRateLimit          Fault = "80002"         // HTTP 429 with x-ratelimit-* headers
	FaultTooManyBare        Fault = "429"           // HTTP 429, empty body
	FaultInternal           Fault = "500"           // HTTP 500, description 70001
	FaultMalformed          Fault = "malformed"     // HTTP 200, truncated JSON
	FaultHTML               Fault = "html"          // HTTP 502, an HTML proxy page
)

// Account is an account as the fake knows it. Its access level is the token's unless
// Access sets this account's own (a token may reach accounts at different levels).
type Account struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Status string `json:"status"`
	Access Access `json:"access,omitempty"`
}

// DefaultAccounts are a user's production accounts when a token names none.
var DefaultAccounts = []Account{
	{ID: "2000123456", Name: "Брокерский счёт", Type: "ACCOUNT_TYPE_TINKOFF", Status: "ACCOUNT_STATUS_OPEN"},
	{ID: "2000654321", Name: "ИИС", Type: "ACCOUNT_TYPE_TINKOFF_IIS", Status: "ACCOUNT_STATUS_OPEN"},
}

// DefaultSandboxAccounts are the sandbox accounts when a sandbox token names none.
var DefaultSandboxAccounts = []Account{
	{ID: "a1b2c3d4-0000-4000-8000-000000000001", Name: "", Type: "ACCOUNT_TYPE_TINKOFF", Status: "ACCOUNT_STATUS_OPEN"},
}

// Token is the behaviour of one token.
type Token struct {
	// Sandbox tokens work only on the sandbox host; production tokens only on production.
	// The other host answers 40003.
	Sandbox bool `json:"sandbox,omitempty"`
	// Access applies to every returned account; empty means Full.
	Access Access `json:"access,omitempty"`
	// AccountID scopes the token to one account: only that account is returned.
	AccountID string `json:"account_id,omitempty"`
	// Accounts overrides DefaultAccounts / DefaultSandboxAccounts.
	Accounts []Account `json:"accounts,omitempty"`
	// Fault is answered on the token's own host instead of the normal answer.
	Fault Fault `json:"fault,omitempty"`
	// FaultTimes: the first FaultTimes requests get Fault, later ones work. 0 = always.
	FaultTimes int `json:"fault_times,omitempty"`
	// RateReset is the x-ratelimit-reset value (seconds) sent with FaultRateLimit; default 1.
	RateReset int `json:"rate_reset,omitempty"`
	// DelayMS delays every answer for this token (slow server).
	DelayMS int `json:"delay_ms,omitempty"`
}

// Call is one recorded request.
type Call struct {
	Host        string    `json:"host"`   // "prod" or "sandbox"
	Method      string    `json:"method"` // HTTP method
	Path        string    `json:"path"`
	RPC         string    `json:"rpc"` // "UsersService/GetAccounts", "" if the path is not a contract method
	Token       string    `json:"-"`   // the bearer token (tests only; never serialised)
	TokenFP     string    `json:"token_fp,omitempty"`
	ContentType string    `json:"content_type"`
	AppName     string    `json:"app_name"`
	Body        string    `json:"body"`
	Status      int       `json:"status"`
	Violation   string    `json:"violation,omitempty"` // why the request is not an allowed read-only call
	At          time.Time `json:"at"`
}

// allowedRPC reports whether rpc is what a validator may call: exactly the client's read-only
// methods (tinvest.ReadOnlyRPCs); anything else is recorded as a violation.
func allowedRPC(rpc string) bool { return slices.Contains(tinvest.ReadOnlyRPCs, rpc) }

const contractPrefix = "/tinkoff.public.invest.api.contract.v1."

// Fake is the fake API. Its zero value is not usable: call New.
type Fake struct {
	mu      sync.Mutex
	tokens  map[string]Token
	unknown *Token         // behaviour of tokens not in the table; nil = 40003 everywhere
	used    map[string]int // requests per token on its own host
	calls   []Call
	// Now is the clock used for recorded calls.
	Now func() time.Time
}

// New returns a fake with the given token table (copied).
func New(tokens map[string]Token) *Fake {
	t := make(map[string]Token, len(tokens))
	for k, v := range tokens {
		t[k] = v
	}
	return &Fake{tokens: t, used: map[string]int{}, Now: time.Now}
}

// SetToken adds or replaces one token's behaviour and resets its request counter.
func (f *Fake) SetToken(token string, t Token) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens[token] = t
	delete(f.used, token)
}

// SetUnknown sets the behaviour of tokens missing from the table (nil: 40003 on
// both hosts, the default). Each unknown token gets its own request counter.
func (f *Fake) SetUnknown(t *Token) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t == nil {
		f.unknown = nil
		return
	}
	c := *t
	f.unknown = &c
}

// Calls returns a copy of every recorded request.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// Violations returns the recorded requests that were not a well-formed read-only call.
func (f *Fake) Violations() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if c.Violation != "" {
			out = append(out, c)
		}
	}
	return out
}

// CountRPC counts recorded requests for rpc ("UsersService/GetAccounts") on host ("prod", "sandbox", "" = any).
func (f *Fake) CountRPC(host, rpc string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c.RPC == rpc && (host == "" || c.Host == host) {
			n++
		}
	}
	return n
}

// Reset forgets recorded calls and per-token counters.
func (f *Fake) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
	f.used = map[string]int{}
}

// Prod is the production host handler (paths start at /tinkoff.public…).
func (f *Fake) Prod() http.Handler { return f.host("prod") }

// Sandbox is the sandbox host handler.
func (f *Fake) Sandbox() http.Handler { return f.host("sandbox") }

// Handler serves production under /prod/rest, sandbox under /sandbox/rest, and the
// recorded calls under GET /_fake/calls and /_fake/violations.
func (f *Fake) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/prod/rest/", http.StripPrefix("/prod/rest", f.Prod()))
	mux.Handle("/sandbox/rest/", http.StripPrefix("/sandbox/rest", f.Sandbox()))
	mux.HandleFunc("GET /_fake/calls", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, nonNil(f.Calls())) })
	mux.HandleFunc("GET /_fake/violations", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, nonNil(f.Violations())) })
	mux.HandleFunc("POST /_fake/tokens", f.addTokens)
	return mux
}

// addTokens handles POST /_fake/tokens with {"t.xxx": {…Token…}, …}: the e2e harness
// registers tokens it issues at run time. Bounded to 1 MiB and 1000 tokens.
func (f *Fake) addTokens(w http.ResponseWriter, r *http.Request) {
	var add map[string]Token
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&add); err != nil || len(add) == 0 || len(add) > 1000 {
		writeErr(w, http.StatusBadRequest, 3, "want a JSON object {token: behaviour} with 1..1000 entries", nil)
		return
	}
	for k, v := range add {
		if k == "" || len(k) > 512 {
			writeErr(w, http.StatusBadRequest, 3, "token must be 1..512 characters", nil)
			return
		}
		f.SetToken(k, v)
	}
	writeJSON(w, http.StatusOK, map[string]int{"added": len(add)})
}

func nonNil(c []Call) []Call {
	if c == nil {
		return []Call{}
	}
	return c
}

// Server is a Fake on an httptest server.
type Server struct {
	*Fake
	HTTP       *httptest.Server
	ProdURL    string // REST base for production, e.g. http://127.0.0.1:1234/prod/rest
	SandboxURL string // REST base for the sandbox
}

// NewServer starts a Fake on a loopback httptest server. Close it when done.
func NewServer(tokens map[string]Token) *Server {
	f := New(tokens)
	hs := httptest.NewServer(f.Handler())
	return &Server{Fake: f, HTTP: hs, ProdURL: hs.URL + "/prod/rest", SandboxURL: hs.URL + "/sandbox/rest"}
}

// Close shuts the server down, cutting any slow request still in flight.
func (s *Server) Close() {
	s.HTTP.CloseClientConnections()
	s.HTTP.Close()
}

// Fingerprint is the first 12 hex characters of SHA-256(token).
func Fingerprint(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])[:12]
}

// record appends c and returns its index (-2 once the log is full).
func (f *Fake) record(c Call) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) >= 10000 {
		return -2
	}
	f.calls = append(f.calls, c)
	return len(f.calls) - 1
}

func (f *Fake) setStatus(idx, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if idx >= 0 && idx < len(f.calls) {
		if status == 0 {
			status = 499 // client gave up before an answer
		}
		f.calls[idx].Status = status
	}
}

func (f *Fake) host(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		c := Call{
			Host:        name,
			Method:      r.Method,
			Path:        r.URL.Path,
			ContentType: r.Header.Get("Content-Type"),
			AppName:     r.Header.Get("x-app-name"),
			Body:        string(body),
			At:          f.Now().UTC(),
		}
		if strings.HasPrefix(r.URL.Path, contractPrefix) {
			c.RPC = strings.TrimPrefix(r.URL.Path, contractPrefix)
		}
		auth := r.Header.Get("Authorization")
		token, hasBearer := strings.CutPrefix(auth, "Bearer ")
		if hasBearer && token != "" {
			c.Token = token
			c.TokenFP = Fingerprint(token)
		}
		rw := &statusWriter{ResponseWriter: w}
		idx := -1
		defer func() {
			if idx < 0 {
				idx = f.record(c)
			}
			f.setStatus(idx, rw.status)
		}()
		setRateHeaders(rw, 99, 60)
		rw.Header().Set("x-tracking-id", fmt.Sprintf("fake-%d", f.Now().UnixNano()))

		switch {
		case !allowedRPC(c.RPC):
			c.Violation = "not a read-only method: " + r.URL.Path
			writeErr(rw, http.StatusNotFound, 5, "Not Found", nil)
			return
		case name == "prod" && c.RPC == tinvest.RPCGetSandboxAccounts:
			c.Violation = "sandbox method sent to production"
			writeErr(rw, http.StatusNotFound, 5, "Not Found", nil)
			return
		case r.Method != http.MethodPost:
			c.Violation = "method " + r.Method + ", want POST"
			writeErr(rw, http.StatusMethodNotAllowed, 12, "Method Not Allowed", nil)
			return
		case !isJSON(c.ContentType):
			c.Violation = "content type " + strconv.Quote(c.ContentType) + ", want application/json"
			writeErr(rw, http.StatusUnsupportedMediaType, 3, "unsupported content type", nil)
			return
		case !validBody(body):
			c.Violation = "body is not a JSON object"
			writeErr(rw, http.StatusBadRequest, 3, "invalid request body", nil)
			return
		case !hasBearer || token == "":
			c.Violation = "missing Authorization: Bearer header"
			writeErr(rw, http.StatusUnauthorized, 16, "authentication token is missing or invalid", "40003")
			return
		}

		f.mu.Lock()
		tok, known := f.tokens[token]
		if !known && f.unknown != nil {
			tok, known = *f.unknown, true
		}
		own := known && tok.Sandbox == (name == "sandbox")
		n := 0
		if own {
			n = f.used[token]
			f.used[token] = n + 1
		}
		f.mu.Unlock()

		idx = f.record(c) // before any delay, so a client that gave up still sees it recorded
		if own && tok.DelayMS > 0 {
			if !sleep(r.Context(), time.Duration(tok.DelayMS)*time.Millisecond) {
				return
			}
		}
		if !own {
			writeErr(rw, http.StatusUnauthorized, 16, "authentication token is missing or invalid", "40003")
			return
		}
		if tok.Fault != FaultNone && (tok.FaultTimes == 0 || n < tok.FaultTimes) {
			writeFault(rw, tok)
			return
		}
		switch c.RPC {
		case tinvest.RPCGetInfo:
			writeJSON(rw, 200, map[string]any{
				"premStatus": false, "qualStatus": false, "qualifiedForWorkWith": []string{},
				"tariff": "investor", "userId": "fake-user-" + Fingerprint(token)[:6], "riskLevelCode": "RISK_LEVEL_LOW",
			})
		default:
			writeJSON(rw, 200, map[string]any{"accounts": accountsFor(tok)})
		}
	})
}

type wireAccount struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	Name        string `json:"name"`
	Status      string `json:"status"`
	OpenedDate  string `json:"openedDate"`
	ClosedDate  string `json:"closedDate"`
	AccessLevel string `json:"accessLevel"`
}

func accountsFor(t Token) []wireAccount {
	accs := t.Accounts
	if accs == nil {
		accs = DefaultAccounts
		if t.Sandbox {
			accs = DefaultSandboxAccounts
		}
	}
	out := []wireAccount{}
	for _, a := range accs {
		if t.AccountID != "" && a.ID != t.AccountID {
			continue
		}
		access := a.Access
		if access == "" {
			access = t.Access
		}
		out = append(out, wireAccount{
			ID: a.ID, Type: a.Type, Name: a.Name, Status: a.Status,
			OpenedDate: "2021-03-01T00:00:00Z", ClosedDate: "1970-01-01T00:00:00Z", AccessLevel: accessLevel(access),
		})
	}
	return out
}

// accessLevel is the wire name of an access level (empty means Full).
func accessLevel(a Access) string {
	switch a {
	case ReadOnly:
		return "ACCOUNT_ACCESS_LEVEL_READ_ONLY"
	case NoAccess:
		return "ACCOUNT_ACCESS_LEVEL_NO_ACCESS"
	}
	return "ACCOUNT_ACCESS_LEVEL_FULL_ACCESS"
}

func writeFault(w http.ResponseWriter, t Token) {
	switch t.Fault {
	case FaultUnauthenticated:
		writeErr(w, http.StatusUnauthorized, 16, "authentication token is missing or invalid", "40003")
	case FaultUnauthenticatedNum:
		writeErr(w, http.StatusUnauthorized, 16, "Authentication token is missing or invalid", 40003)
	case FaultPermission:
		writeErr(w, http.StatusForbidden, 7, "insufficient privileges", "40002")
	case FaultRateLimit:
		reset := t.RateReset
		if reset <= 0 {
			reset = 1
		}
		setRateHeaders(w, 0, reset)
		writeErr(w, http.StatusTooManyRequests, 8, "request limit exceeded", "80002")
	case FaultTooManyBare:
		setRateHeaders(w, 0, max(t.RateReset, 1))
		w.WriteHeader(http.StatusTooManyRequests)
	case FaultInternal:
		writeErr(w, http.StatusInternalServerError, 13, "internal error", "70001")
	case FaultMalformed:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"accounts":[{"id":"2000123456","type":`)
	case FaultHTML:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html><body>502 Bad Gateway</body></html>")
	default:
		writeErr(w, http.StatusInternalServerError, 13, "tinvestfake: unknown fault "+string(t.Fault), nil)
	}
}

func setRateHeaders(w http.ResponseWriter, remaining, reset int) {
	w.Header().Set("x-ratelimit-limit", "100, 100;w=60")
	w.Header().Set("x-ratelimit-remaining", strconv.Itoa(remaining))
	w.Header().Set("x-ratelimit-reset", strconv.Itoa(reset))
}

func writeErr(w http.ResponseWriter, status, code int, msg string, desc any) {
	body := map[string]any{"code": code, "message": msg}
	if desc != nil {
		body["description"] = desc
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

func validBody(b []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(b, &m) == nil && m != nil
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}
