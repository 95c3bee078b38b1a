package tinvest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tokenbridge/tokenbridge/host/trust"
)

// T-Invest error numbers (the "description" field of a REST error body).
const (
	DescPermissionDenied = 40002 // insufficient privileges
	DescUnauthenticated  = 40003 // token missing, invalid, expired, revoked, or sandbox token on production
	DescNotFound         = 50004 // account not found
	DescRateLimited      = 80002 // request limit exceeded
)

// gRPC status codes carried in the "code" field of a REST error body.
const (
	grpcPermissionDenied  = 7
	grpcResourceExhausted = 8
	grpcUnauthenticated   = 16
)

// Sentinel errors matched with errors.Is against an *APIError.
var (
	ErrUnauthenticated  = errors.New("tinvest: token missing, invalid, expired or revoked (40003)")
	ErrPermissionDenied = errors.New("tinvest: insufficient privileges (40002)")
	ErrRateLimited      = errors.New("tinvest: request limit exceeded (80002)")
	// ErrBadToken reports a token that cannot be a T-Invest token (empty, too long,
	// or with characters not allowed in an HTTP header). It is never sent anywhere.
	ErrBadToken = errors.New("tinvest: malformed token")
	// ErrCertificate matches a *trust.CertificateError: the API host's TLS certificate
	// is not trusted (names the host, the issuer presented and how to add a CA).
	ErrCertificate = trust.ErrCertificate
)

// CodeCertificate is Verdict.Code (and the native error code) of a certificate failure.
const CodeCertificate = "certificate"

// APIError is an error answer of the T-Invest REST API:
// {"code":16,"message":"...","description":"40003"} (description string or number).
type APIError struct {
	HTTPStatus  int
	Code        int    // gRPC status code
	Description int    // T-Invest error number, 0 when absent or not numeric
	Message     string // server message, bounded and sanitised
	TrackingID  string // x-tracking-id, for support requests
	// RetryAfter is the x-ratelimit-reset header (seconds until the window resets), 0 when absent.
	RetryAfter time.Duration
	RPC        string // "UsersService/GetAccounts" etc.
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tinvest %s: HTTP %d", e.RPC, e.HTTPStatus)
	if e.Description != 0 {
		fmt.Fprintf(&b, ", error %d", e.Description)
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, " (gRPC code %d)", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.TrackingID != "" {
		fmt.Fprintf(&b, " [tracking id %s]", e.TrackingID)
	}
	return b.String()
}

// Unauthenticated reports a 40003 answer (or gRPC UNAUTHENTICATED without a number).
func (e *APIError) Unauthenticated() bool {
	return e.Description == DescUnauthenticated || (e.Description == 0 && e.Code == grpcUnauthenticated)
}

// RateLimited reports an 80002 answer, HTTP 429 or gRPC RESOURCE_EXHAUSTED.
func (e *APIError) RateLimited() bool {
	return e.Description == DescRateLimited || e.HTTPStatus == 429 ||
		(e.Description == 0 && e.Code == grpcResourceExhausted)
}

// PermissionDenied reports a 40002 answer.
func (e *APIError) PermissionDenied() bool {
	return e.Description == DescPermissionDenied || (e.Description == 0 && e.Code == grpcPermissionDenied)
}

// Is lets errors.Is match the sentinel errors.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthenticated:
		return e.Unauthenticated()
	case ErrRateLimited:
		return e.RateLimited()
	case ErrPermissionDenied:
		return e.PermissionDenied()
	}
	return false
}

// UpstreamError means the API could not be asked or its answer could not be read:
// network failure, timeout, 5xx, malformed JSON, oversized body. It never means
// the token is invalid.
type UpstreamError struct {
	RPC    string
	Reason string // human cause, no secrets
	Err    error  // underlying error, may be nil
}

func (e *UpstreamError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("tinvest %s: %s: %v", e.RPC, e.Reason, e.Err)
	}
	return fmt.Sprintf("tinvest %s: %s", e.RPC, e.Reason)
}

func (e *UpstreamError) Unwrap() error { return e.Err }

// flexInt decodes a JSON number or a string holding a number ("40003").
// Anything else decodes to 0 without failing the whole body.
type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return nil
		}
		b = []byte(strings.TrimSpace(s))
	}
	n, err := strconv.Atoi(string(b))
	if err != nil {
		*f = 0
		return nil
	}
	*f = flexInt(n)
	return nil
}

type errorBody struct {
	Code        *flexInt `json:"code"`
	Message     string   `json:"message"`
	Description *flexInt `json:"description"`
}

// parseErrorBody returns the fields of an error body, ok=false when the body is not
// a JSON object with at least a code or description.
func parseErrorBody(body []byte) (code, desc int, msg string, ok bool) {
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err != nil {
		return 0, 0, "", false
	}
	if eb.Code == nil && eb.Description == nil {
		return 0, 0, "", false
	}
	if eb.Code != nil {
		code = int(*eb.Code)
	}
	if eb.Description != nil {
		desc = int(*eb.Description)
	}
	return code, desc, clean(eb.Message, 300), true
}
