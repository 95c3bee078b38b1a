// Package ascii holds byte tests for ASCII character sets. The host checks
// its identifiers (extension IDs, keyring keys, token ids, variable and
// profile names) with loops over these instead of regular expressions:
// linking regexp costs every host start the init of regexp/syntax and of
// the unicode tables (issue 11, scripts/bench.sh).
package ascii

// All reports whether every byte of s satisfies ok; it is true for "", so
// callers that need a non-empty s check that too.
func All(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// IsDigit reports whether c is 0-9.
func IsDigit(c byte) bool { return '0' <= c && c <= '9' }

// IsLower reports whether c is a-z.
func IsLower(c byte) bool { return 'a' <= c && c <= 'z' }

// IsUpper reports whether c is A-Z.
func IsUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

// IsAlnum reports whether c is A-Z, a-z or 0-9.
func IsAlnum(c byte) bool { return IsLower(c) || IsUpper(c) || IsDigit(c) }

// IsHex reports whether c is 0-9, a-f or A-F.
func IsHex(c byte) bool { return IsDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F') }

// IsWord reports whether c is A-Z, a-z, 0-9 or _ (a regexp \w; \b is a
// change between a word byte and a non-word byte or the text's end).
func IsWord(c byte) bool { return IsAlnum(c) || c == '_' }

// IsBase64URL reports whether c is in the base64url alphabet: A-Z, a-z,
// 0-9, _ or -.
func IsBase64URL(c byte) bool { return IsWord(c) || c == '-' }

// In reports whether c is one of the bytes of set.
func In(c byte, set string) bool {
	for i := 0; i < len(set); i++ {
		if set[i] == c {
			return true
		}
	}
	return false
}
