// Package redact removes secrets from text before it reaches a log line or
// stderr: T-Invest tokens, JWTs, bearer credentials, secret-named JSON
// fields, and any exact value registered with Add (client secrets,
// passwords, opaque legacy tokens).
package redact

import (
	"bytes"
	"io"
	"regexp"
	"sync"
)

const mark = "[REDACTED]"

var (
	// Each pattern runs only when its cheap hint occurs in the line (all
	// lower-case: the line is lower-cased for the test), which keeps an
	// ordinary log line to a few byte scans. Each is compiled the first
	// time a hint occurs, not at every host start.
	patterns = []struct {
		hints []string
		re    func() *regexp.Regexp
		repl  []byte
	}{
		// JSON fields whose names say they hold a secret.
		{[]string{`secret"`, `password"`, `token"`, `otp"`, `authorization"`, `cookie"`}, lazy(`("(?i:secret|password|client_secret|access_token|refresh_token|id_token|token|otp|authorization|cookie)"\s*:\s*)"(?:[^"\\]|\\.)*"`), []byte(`${1}"` + mark + `"`)},
		// Authorization header values.
		{[]string{"bearer", "basic"}, lazy(`(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}`), []byte(`${1} ` + mark)},
		// JWTs (header.payload[.signature]).
		{[]string{"eyj"}, lazy(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?`), []byte(mark)},
		// T-Invest tokens: "t." + base64url.
		{[]string{"t."}, lazy(`\bt\.[A-Za-z0-9_-]{20,}`), []byte(mark)},
	}
	mu     sync.RWMutex
	values [][]byte
)

// lazy compiles expr on first use.
func lazy(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// Add registers an exact secret value to scrub wherever it appears. Short
// values (under 6 bytes) are ignored: they would scrub ordinary words.
func Add(secret string) {
	if len(secret) < 6 {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	for _, v := range values {
		if string(v) == secret {
			return
		}
	}
	values = append(values, []byte(secret))
}

// Bytes returns b with every secret replaced by [REDACTED].
func Bytes(b []byte) []byte {
	mu.RLock()
	for _, v := range values {
		b = bytes.ReplaceAll(b, v, []byte(mark))
	}
	mu.RUnlock()
	lower := bytes.ToLower(b)
	for _, p := range patterns {
		for _, h := range p.hints {
			if bytes.Contains(lower, []byte(h)) {
				b = p.re().ReplaceAll(b, p.repl)
				lower = bytes.ToLower(b)
				break
			}
		}
	}
	return b
}

// String is Bytes for strings.
func String(s string) string { return string(Bytes([]byte(s))) }

type writer struct{ w io.Writer }

// Writer returns an io.Writer that redacts each Write before passing it on.
// zerolog writes one whole event per Write, so a secret never straddles
// two calls.
func Writer(w io.Writer) io.Writer { return writer{w} }

func (r writer) Write(p []byte) (int, error) {
	if _, err := r.w.Write(Bytes(append([]byte(nil), p...))); err != nil {
		return 0, err
	}
	return len(p), nil
}
