package moex

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"
	"time"

	"github.com/tokenbridge/tokenbridge/host/limits"
)

const maxJWT = limits.MaxJWT

// Claims are the decoded payload of a JWT. They are NOT verified: nobody checked the signature,
// so they describe what the token says about itself, for display only.
type Claims map[string]any

// DecodeClaims decodes a JWT's payload without verifying it. Opaque (legacy UUID) tokens give
// an error.
func DecodeClaims(token string) (Claims, error) {
	if len(token) > maxJWT {
		return nil, invalidf("token is larger than %d bytes", maxJWT)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, invalidf("the access token is not a JWT (legacy endpoints issue opaque tokens): no claims to show")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, invalidf("the access token's payload is not base64url: it cannot be decoded")
	}
	var c Claims
	if err := json.Unmarshal(raw, &c); err != nil || c == nil {
		return nil, invalidf("the access token's payload is not a JSON object")
	}
	return c, nil
}

// Time returns a NumericDate claim (exp, iat, nbf) as a time.
func (c Claims) Time(name string) (time.Time, bool) {
	f, ok := c[name].(float64)
	if !ok || f <= 0 || f > 1e11 || math.IsNaN(f) {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0).UTC(), true
}

// String returns a string claim for display: bounded, with control, C1 and bidi-control
// characters removed (the token is unverified: anybody could have written it).
func (c Claims) String(name string) string {
	s, ok := c[name].(string)
	if !ok {
		return ""
	}
	return truncate(displayText(s), 300)
}

// displayText removes what could make a string from outside (an unverified JWT, a server's
// error text) print as something else on a terminal: C0 controls and DEL (escape sequences,
// carriage return), C1 controls (U+0080-U+009F, 8-bit CSI) and the bidi overrides, embeddings,
// isolates and marks (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) that reorder
// what follows. Invalid UTF-8 becomes U+FFFD.
func displayText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r < 0x20, r >= 0x7f && r <= 0x9f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
			r == 0x200e, r == 0x200f, r == 0x061c:
			return -1
		}
		return r
	}, s)
}
