package redact

import (
	"bytes"

	"github.com/tokenbridge/tokenbridge/host/ascii"
)

// Each find function returns the leftmost match of its pattern that starts
// at or after from, as regexp would find it (Go syntax: \b is an ASCII word
// boundary, \s is [\t\n\f\r ], (?i) uses Unicode simple case folding, . is
// any character but \n), or start -1. Their loops are linear in len(b): a
// start that cannot match is skipped, never rescanned.

// Runes that (?i) folds onto ASCII letters.
const (
	kelvin = "\u212A" // KELVIN SIGN, folds with k and K
	longS  = "\u017F" // LATIN SMALL LETTER LONG S, folds with s and S
)

var secretNames = []string{"secret", "password", "client_secret", "access_token", "refresh_token", "id_token", "token", "otp", "authorization", "cookie"}

// findSecretField finds a JSON field whose name says it holds a secret,
// keeping the name, the colon and the spaces (up to the value's opening
// quote): ("(?i:secret|…|cookie)"\s*:\s*)"(?:[^"\\]|\\.)*"
func findSecretField(b []byte, from int) (start, keep, end int) {
	for i := from; i < len(b); i++ {
		if b[i] != '"' {
			continue
		}
		n := secretName(b[i+1:])
		if n < 0 {
			continue
		}
		j := skipSpace(b, i+1+n+1)
		if j == len(b) || b[j] != ':' {
			continue
		}
		j = skipSpace(b, j+1)
		if j == len(b) || b[j] != '"' {
			continue
		}
		// A body that fails holds no field that reaches its own value
		// (every quote in it is escaped, so no name is closed): each
		// body is scanned once.
		if e, ok := stringEnd(b, j+1); ok {
			return i, j, e
		}
	}
	return -1, 0, 0
}

// secretName returns the length of the secret name (?i) at the start of b
// that a closing quote follows, or -1.
func secretName(b []byte) int {
	for _, name := range secretNames {
		if n := foldPrefix(b, name); n >= 0 && n < len(b) && b[n] == '"' {
			return n
		}
	}
	return -1
}

// stringEnd scans a string body (?:[^"\\]|\\.)*" from b[i]. It returns the
// index past the closing quote, or false when the body fails: at a
// backslash at the end or before a newline, or at the end.
func stringEnd(b []byte, i int) (int, bool) {
	for i < len(b) {
		switch b[i] {
		case '"':
			return i + 1, true
		case '\\':
			if i+1 == len(b) || b[i+1] == '\n' {
				return 0, false
			}
			i += 2
		default:
			i++
		}
	}
	return 0, false
}

// findCredential finds an Authorization scheme and its credential, keeping
// the scheme word: (?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}
func findCredential(b []byte, from int) (start, keep, end int) {
	for i := from; i < len(b); i++ {
		if (b[i] != 'b' && b[i] != 'B') || (i > 0 && ascii.IsWord(b[i-1])) {
			continue
		}
		n := foldPrefix(b[i:], "bearer")
		if n < 0 {
			n = foldPrefix(b[i:], "basic")
		}
		if n < 0 {
			continue
		}
		j := skipSpace(b, i+n)
		if j == i+n {
			continue
		}
		e, runes := j, 0
		for w := credentialRune(b[e:]); w > 0; w = credentialRune(b[e:]) {
			e += w
			runes++
		}
		if runes >= 8 {
			return i, i + n, e
		}
	}
	return -1, 0, 0
}

// credentialRune returns the length of the rune of (?i)[A-Za-z0-9._~+/=-]
// at the start of b, or 0.
func credentialRune(b []byte) int {
	switch {
	case len(b) == 0:
		return 0
	case ascii.IsAlnum(b[0]) || ascii.In(b[0], "._~+/=-"):
		return 1
	case bytes.HasPrefix(b, []byte(kelvin)):
		return len(kelvin)
	case bytes.HasPrefix(b, []byte(longS)):
		return len(longS)
	}
	return 0
}

// findJWT finds a JWT:
// eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?
func findJWT(b []byte, from int) (start, keep, end int) {
	for i := from; ; {
		k := bytes.Index(b[i:], []byte("eyJ"))
		if k < 0 {
			return -1, 0, 0
		}
		i += k
		h := base64URLEnd(b, i+3)
		if h-(i+3) >= 4 && h < len(b) && b[h] == '.' {
			if p := base64URLEnd(b, h+1); p-(h+1) >= 4 {
				if p < len(b) && b[p] == '.' {
					p = base64URLEnd(b, p+1)
				}
				return i, i, p
			}
		}
		// Each later "eyJ" before h lies in the same header run, which
		// ends at the same h: none of them matches either.
		i = h
	}
}

// findTInvest finds a T-Invest token: \bt\.[A-Za-z0-9_-]{20,}
func findTInvest(b []byte, from int) (start, keep, end int) {
	for i := from; ; i++ {
		k := bytes.Index(b[i:], []byte("t."))
		if k < 0 {
			return -1, 0, 0
		}
		i += k
		if i > 0 && ascii.IsWord(b[i-1]) {
			continue
		}
		if e := base64URLEnd(b, i+2); e-(i+2) >= 20 {
			return i, i, e
		}
	}
}

// foldPrefix returns the length of the prefix of b that equals word (lower
// case ASCII) under (?i): a letter matches its upper case too, k also
// matches U+212A and s U+017F. It returns -1 if b does not start with word.
func foldPrefix(b []byte, word string) int {
	n := 0
	for i := 0; i < len(word); i++ {
		c := word[i]
		switch {
		case n < len(b) && (b[n] == c || (ascii.IsLower(c) && b[n] == c-'a'+'A')):
			n++
		case c == 'k' && bytes.HasPrefix(b[n:], []byte(kelvin)):
			n += len(kelvin)
		case c == 's' && bytes.HasPrefix(b[n:], []byte(longS)):
			n += len(longS)
		default:
			return -1
		}
	}
	return n
}

// skipSpace returns the index of the first byte at or after i that is not
// \s ([\t\n\f\r ]).
func skipSpace(b []byte, i int) int {
	for i < len(b) && ascii.In(b[i], "\t\n\f\r ") {
		i++
	}
	return i
}

// base64URLEnd returns the index of the first byte at or after i that is not
// in [A-Za-z0-9_-].
func base64URLEnd(b []byte, i int) int {
	for i < len(b) && ascii.IsBase64URL(b[i]) {
		i++
	}
	return i
}
