// Package redact removes secrets from text before it reaches a log line or
// stderr: T-Invest tokens, JWTs, bearer credentials, secret-named JSON
// fields, and any exact value registered with Add (client secrets,
// passwords, opaque legacy tokens).
//
// The patterns are small hand-written scanners (scan.go), not regular
// expressions: linking regexp costs every host start the init of
// regexp/syntax and of the unicode tables (issue 11, scripts/bench.sh).
// Each scanner replaces exactly what the Go regexp in its comment
// replaces; redact_test.go fuzzes each against that regexp.
package redact

import (
	"bytes"
	"io"
	"sync"
)

const mark = "[REDACTED]"

// A pattern replaces each match of find, b[start:end], by b[start:keep]
// followed by tail.
type pattern struct {
	hints []string
	find  func(b []byte, from int) (start, keep, end int)
	tail  string
}

var (
	// Each pattern runs only when its cheap hint occurs in the line (all
	// lower-case: the line is lower-cased for the test), which keeps an
	// ordinary log line to a few byte scans.
	patterns = []pattern{
		// JSON fields whose names say they hold a secret:
		// ("(?i:secret|password|client_secret|access_token|refresh_token|id_token|token|otp|authorization|cookie)"\s*:\s*)"(?:[^"\\]|\\.)*"
		// → ${1}"[REDACTED]".
		{[]string{`secret"`, `password"`, `token"`, `otp"`, `authorization"`, `cookie"`}, findSecretField, `"` + mark + `"`},
		// Authorization header values: (?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,} → ${1} [REDACTED].
		{[]string{"bearer", "basic"}, findCredential, " " + mark},
		// JWTs (header.payload[.signature]): eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?
		{[]string{"eyj"}, findJWT, mark},
		// T-Invest tokens, "t." + base64url: \bt\.[A-Za-z0-9_-]{20,}
		{[]string{"t."}, findTInvest, mark},
	}
	mu     sync.RWMutex
	values [][]byte
)

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
	return scrub(b, func(k int, b []byte) []byte { return patterns[k].replaceAll(b) })
}

// scrub replaces the registered values in b, then, in order, the matches of
// each pattern whose hint occurs, with replaceAll(index of the pattern, b).
func scrub(b []byte, replaceAll func(k int, b []byte) []byte) []byte {
	mu.RLock()
	for _, v := range values {
		b = bytes.ReplaceAll(b, v, []byte(mark))
	}
	mu.RUnlock()
	lower := bytes.ToLower(b)
	for k, p := range patterns {
		for _, h := range p.hints {
			if bytes.Contains(lower, []byte(h)) {
				b = replaceAll(k, b)
				lower = bytes.ToLower(b)
				break
			}
		}
	}
	return b
}

// replaceAll replaces every match of p in b the way regexp's ReplaceAll
// does: the leftmost match first, the next searched from its end.
func (p *pattern) replaceAll(b []byte) []byte {
	var out []byte
	last := 0
	for last < len(b) {
		start, keep, end := p.find(b, last)
		if start < 0 {
			break
		}
		out = append(out, b[last:keep]...)
		out = append(out, p.tail...)
		last = end
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
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
