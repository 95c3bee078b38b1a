package redact

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The regexps the scanners replaced, in the order of patterns, with their
// replacements: the reference every scanner must equal.
var oldPatterns = []struct {
	re   *regexp.Regexp
	repl []byte
}{
	{regexp.MustCompile(`("(?i:secret|password|client_secret|access_token|refresh_token|id_token|token|otp|authorization|cookie)"\s*:\s*)"(?:[^"\\]|\\.)*"`), []byte(`${1}"` + mark + `"`)},
	{regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}`), []byte(`${1} ` + mark)},
	{regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?`), []byte(mark)},
	{regexp.MustCompile(`\bt\.[A-Za-z0-9_-]{20,}`), []byte(mark)},
}

// oldBytes is Bytes as it was with the regexps (same values, same hints).
func oldBytes(b []byte) []byte {
	return scrub(b, func(k int, b []byte) []byte { return oldPatterns[k].re.ReplaceAll(b, oldPatterns[k].repl) })
}

const (
	b20 = "AbCdEfGhIj_-KlMnOp09"
	k   = kelvin
	s   = longS
)

// fragments are the pieces the seed lines are built from: near misses and
// hits of every pattern, the runes (?i) folds onto k and s, escapes, and
// bytes that are not UTF-8.
var fragments = []string{
	`"token":"abc"`, `"Token" : "a\"b"`, `"to` + k + `en":"x"`, `"pa` + s + s + `word":"x"`, `"client_secret":"a\\` + "\n" + `b"`, `"secret":"a\` + "\n" + `b"`,
	`"secret":"unterminated`, `"otp":  "123456"`, "\"otp\"\t\n:\r\f\"1\"", `"Authorization":"Bearer abcdefgh"`, `"cookie":"a\\"`,
	`"id_token":"` + jwt + `"`, `"token"x:"y"`, `"token":123`, `"token":`, `"token"`, `"tok`, `\"token\":\"x\"`, `{"a":"token","b":"c"}`,
	`"ACCESS_TOKEN":"é\xff"`, `"refresh_token":""`, `"authorizatio":"x"`, `"xsecret":"y"`, `"secret ":"y"`, `"SECRET":"\\\\"`,
	"Authorization: Bearer abcdefgh12345678", "bearer  abc", "xbearer abcdefgh12", "_basic abcdefghij", "BASIC dXNlcjpwYXNz",
	"ba" + s + "ic abcdefgh", "Bearer\tab~+/=-._" + k + k + k + k + k + k, "bearer\nabcdefghi", "Bearer " + s + s + s + s + s + s + s + s,
	"bearer abcdefg", "bearer abcdefgh", "Basic\u00a0abcdefghij", "-bearer abcdefghij", "bearerabcdefghij", "béarer abcdefghij",
	jwt, "eyJabc.defg", "eyJabcd.efgh", "eyJabcd.efgh.", "eyJeyJeyJabcd.efgh", "eyJabcd..x", "xeyJabcd.efghi.jk", "eyJ" + k + "abcd.efgh",
	"EYJabcd.efgh", "eyJabcd.efg", "eyJabcd.efgh.ij.kl",
	tinvest, "t." + b20[:19], "t." + b20, "at." + b20, "_t." + b20, "-t." + b20, "T." + b20, ".t." + b20, "t." + b20 + "é", "t.t." + b20,
	"\xff", "\xe2\x84", "é", "\n", "\\", `"`, ":", " ", "t", "eyJ", "b", "tok_0123456789abcdef", "{}",
}

var separators = []string{"", "", " ", "\n", `"`, ",", "\\", "x", ":", "\t"}

// seedLines returns the table lines and n lines joined from random fragments
// (fixed seed: the same lines every run).
func seedLines(n int) []string {
	lines := append([]string{""}, fragments...)
	r := rand.New(rand.NewPCG(11, 3))
	for range n {
		var b strings.Builder
		for range 1 + r.IntN(6) {
			b.WriteString(separators[r.IntN(len(separators))])
			b.WriteString(fragments[r.IntN(len(fragments))])
		}
		lines = append(lines, b.String())
	}
	return lines
}

func TestScannersCoverThePatterns(t *testing.T) {
	require.Len(t, patterns, len(oldPatterns))
}

// Each scanner alone replaces exactly what its regexp replaces.
func FuzzScannersMatchTheRegexps(f *testing.F) {
	for _, l := range seedLines(600) {
		f.Add([]byte(l))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		for k, old := range oldPatterns {
			want := old.re.ReplaceAll(line, old.repl)
			require.Equal(t, string(want), string(patterns[k].replaceAll(line)), "pattern %d on %q", k, line)
		}
	})
}

// Bytes redacts exactly what it redacted with the regexps.
func FuzzBytesMatchesTheRegexps(f *testing.F) {
	for _, l := range seedLines(600) {
		f.Add([]byte(l))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		require.Equal(t, string(oldBytes(line)), string(Bytes(line)), "Bytes(%q)", line)
	})
}

func TestScannerEdges(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"toKen":"abc"}`, `{"toKen":"[REDACTED]"}`},
		{`{"pa` + s + s + `word":"abc","token":"x"}`, `{"pa` + s + s + `word":"[REDACTED]","token":"[REDACTED]"}`},
		{`{"Token" :` + "\n" + ` "a\"b\\"}`, `{"Token" :` + "\n" + ` "[REDACTED]"}`},
		{`"token":"a\` + "\n" + `b"`, `"token":"a\` + "\n" + `b"`}, // . does not match \n: the regexp never matched this
		{`"token":"unterminated`, `"token":"unterminated`},
		{`"x"token":"v"`, `"x"token":"[REDACTED]"`},
		{"Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic [REDACTED]"},
		{"bearer\t\n abcdefgh, x", "bearer [REDACTED], x"},
		{"Bearer " + k + k + k + k + k + k + k + k + "!", "Bearer [REDACTED]!"},
		{"xbearer abcdefghij", "xbearer abcdefghij"},
		{"bearer abcdefg", "bearer abcdefg"},
		{"eyJeyJeyJabcd.efgh.ij.kl", "[REDACTED].kl"},
		{"eyJabcd.efgh..", "[REDACTED]."},
		{"id=t." + b20 + " at." + b20 + " -t." + b20, "id=[REDACTED] at." + b20 + " -[REDACTED]"},
		{"t." + b20[:19], "t." + b20[:19]},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, String(tt.in), "String(%q)", tt.in)
		require.Equal(t, string(oldBytes([]byte(tt.in))), tt.want, "the old regexps on %q", tt.in)
	}
}

// Hostile lines are scanned in linear time (a rescan from every start
// would take minutes on these) and still equal the regexps.
func TestHostileLinesAreLinear(t *testing.T) {
	const n = 1 << 18
	lines := []string{
		`"token":"` + strings.Repeat(`\"token\":\"`, n/12),
		`"token":` + strings.Repeat(" ", n),
		strings.Repeat(`"token" : "\`+"\n", n/13),
		strings.Repeat("eyJ", n/3),
		strings.Repeat("eyJabcd.", n/8),
		strings.Repeat("bearer ", n/7),
		"basic" + strings.Repeat(" ", n),
		strings.Repeat("t.", n/2),
		strings.Repeat("t.abc", n/5),
		strings.Repeat(`"`, n),
	}
	for _, l := range lines {
		start := time.Now()
		got := Bytes([]byte(l))
		require.Less(t, time.Since(start), time.Second, "line %.40q…", l)
		require.Equal(t, string(oldBytes([]byte(l))), string(got), "line %.40q…", l)
	}
}
