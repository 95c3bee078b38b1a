// Package jsonlite reads and writes the JSON of the host's per-message
// path without reflection: the request envelope, the index file and the
// `list` answer. The browser starts a host process for every message, and
// encoding/json's first use in a process (its reflection over each type,
// the caches it builds) cost a host start that answers one `list` more than
// the rest of its own work (perf, scripts/bench.sh). What it accepts and
// produces is what encoding/json does for the same shapes: every caller
// compares both in its tests, on every input its fuzz targets generate.
package jsonlite

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth bounds the nesting of a value, as encoding/json does.
const MaxDepth = 10000

// ErrNotObject is Members' error for a text that is not an object.
var ErrNotObject = errors.New("not a JSON object")

// Reader walks one JSON text. Its methods read the value at the current
// position (after any whitespace) and move past it.
type Reader struct {
	b   []byte
	pos int
}

// NewReader reads b, which must be valid UTF-8 (callers check: encoding/json
// would replace invalid bytes in strings, this reader copies them).
func NewReader(b []byte) *Reader { return &Reader{b: b} }

func (r *Reader) skipSpace() {
	for r.pos < len(r.b) {
		switch r.b[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// peek returns the next byte after whitespace, or 0 at the end.
func (r *Reader) peek() byte {
	r.skipSpace()
	if r.pos >= len(r.b) {
		return 0
	}
	return r.b[r.pos]
}

// unexpected describes what is at the current position.
func (r *Reader) unexpected(want string) error {
	if r.pos >= len(r.b) {
		return fmt.Errorf("unexpected end of the message, %s", want)
	}
	return fmt.Errorf("unexpected %q at byte %d, %s", r.b[r.pos], r.pos, want)
}

// End fails unless only whitespace is left.
func (r *Reader) End() error {
	if r.peek() != 0 || r.pos != len(r.b) {
		return errors.New("data after the JSON value")
	}
	return nil
}

// Object reads an object, calling member with each key while the reader
// is at that member's value; member must read the value.
func (r *Reader) Object(member func(key string) error) error {
	if r.peek() != '{' {
		return r.unexpected("expected an object")
	}
	r.pos++
	if r.peek() == '}' {
		r.pos++
		return nil
	}
	for {
		key, err := r.String()
		if err != nil {
			return err
		}
		if r.peek() != ':' {
			return r.unexpected("expected ':' after a field name")
		}
		r.pos++
		r.skipSpace()
		if err := member(key); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.pos++
		case '}':
			r.pos++
			return nil
		default:
			return r.unexpected("expected ',' or '}' after a field")
		}
	}
}

// Array reads an array, calling elem while the reader is at each element;
// elem must read it.
func (r *Reader) Array(elem func() error) error {
	if r.peek() != '[' {
		return r.unexpected("expected an array")
	}
	r.pos++
	if r.peek() == ']' {
		r.pos++
		return nil
	}
	for {
		r.skipSpace()
		if err := elem(); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.pos++
		case ']':
			r.pos++
			return nil
		default:
			return r.unexpected("expected ',' or ']' after an element")
		}
	}
}

// Members reads one JSON object (and nothing after it) into its members,
// each value kept as its raw bytes. Unlike json.Unmarshal into a map it
// refuses a key given twice, which would otherwise silently keep the last
// value; a text that is no object is ErrNotObject.
func Members(b []byte) (map[string]json.RawMessage, error) {
	r := NewReader(b)
	switch r.peek() {
	case 0:
		return nil, r.unexpected("expected an object")
	case '{':
	default:
		return nil, ErrNotObject
	}
	out := map[string]json.RawMessage{}
	err := r.Object(func(key string) error {
		raw, err := r.Raw()
		if err != nil {
			return err
		}
		if _, dup := out[key]; dup {
			return fmt.Errorf("field %q is given twice", key)
		}
		out[key] = raw
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := r.End(); err != nil {
		return nil, errors.New("data after the JSON object")
	}
	return out, nil
}

// Raw reads any value, checking it, and returns its bytes.
func (r *Reader) Raw() (json.RawMessage, error) {
	r.skipSpace()
	start := r.pos
	if err := r.skip(0); err != nil {
		return nil, err
	}
	return r.b[start:r.pos:r.pos], nil
}

func (r *Reader) skip(depth int) error {
	switch c := r.peek(); {
	case c == '"':
		_, err := r.String()
		return err
	case c == '{' || c == '[':
		if depth >= MaxDepth {
			return fmt.Errorf("value nested deeper than %d levels", MaxDepth)
		}
		if c == '[' {
			return r.Array(func() error { return r.skip(depth + 1) })
		}
		return r.Object(func(string) error { return r.skip(depth + 1) })
	case c == '-' || '0' <= c && c <= '9':
		return r.number()
	case c == 't':
		return r.literal("true")
	case c == 'f':
		return r.literal("false")
	case c == 'n':
		return r.literal("null")
	}
	return r.unexpected("expected a value")
}

func (r *Reader) literal(word string) error {
	if len(r.b)-r.pos < len(word) || string(r.b[r.pos:r.pos+len(word)]) != word {
		return r.unexpected("expected " + word)
	}
	r.pos += len(word)
	return nil
}

func (r *Reader) digits() int {
	n := 0
	for r.pos < len(r.b) && '0' <= r.b[r.pos] && r.b[r.pos] <= '9' {
		r.pos++
		n++
	}
	return n
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (r *Reader) number() error {
	if r.b[r.pos] == '-' {
		r.pos++
	}
	switch {
	case r.pos < len(r.b) && r.b[r.pos] == '0':
		r.pos++
	case r.digits() == 0:
		return r.unexpected("expected a digit")
	}
	if r.pos < len(r.b) && r.b[r.pos] == '.' {
		r.pos++
		if r.digits() == 0 {
			return r.unexpected("expected a digit after '.'")
		}
	}
	if r.pos < len(r.b) && (r.b[r.pos] == 'e' || r.b[r.pos] == 'E') {
		r.pos++
		if r.pos < len(r.b) && (r.b[r.pos] == '+' || r.b[r.pos] == '-') {
			r.pos++
		}
		if r.digits() == 0 {
			return r.unexpected("expected a digit in the exponent")
		}
	}
	return nil
}

// Int reads a number that is an int as encoding/json decodes one into an
// int field: no fraction, no exponent, in range.
func (r *Reader) Int() (int, error) {
	r.skipSpace()
	start := r.pos
	if start >= len(r.b) || (r.b[start] != '-' && (r.b[start] < '0' || r.b[start] > '9')) {
		return 0, r.unexpected("expected a number")
	}
	if err := r.number(); err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(string(r.b[start:r.pos]))
	if err != nil {
		return 0, fmt.Errorf("%s is not an int", r.b[start:r.pos])
	}
	return n, nil
}

// Null reads a null if one is next and reports whether it did.
func (r *Reader) Null() bool {
	if r.peek() == 'n' && r.literal("null") == nil {
		return true
	}
	return false
}

// Bool reads true or false.
func (r *Reader) Bool() (bool, error) {
	switch r.peek() {
	case 't':
		return true, r.literal("true")
	case 'f':
		return false, r.literal("false")
	}
	return false, r.unexpected("expected true or false")
}

// Time reads a string as time.Time's UnmarshalJSON does (RFC 3339).
func (r *Reader) Time() (time.Time, error) {
	r.skipSpace()
	start := r.pos
	if _, err := r.String(); err != nil {
		return time.Time{}, err
	}
	var t time.Time
	err := t.UnmarshalJSON(r.b[start:r.pos])
	return t, err
}

// String reads a string and returns its value as encoding/json decodes it
// (a lone UTF-16 surrogate escape becomes U+FFFD).
func (r *Reader) String() (string, error) {
	if r.peek() != '"' {
		return "", r.unexpected("expected a string")
	}
	r.pos++
	start := r.pos
	for r.pos < len(r.b) {
		switch c := r.b[r.pos]; {
		case c == '"':
			s := string(r.b[start:r.pos])
			r.pos++
			return s, nil
		case c == '\\':
			return r.escaped(start)
		case c < 0x20:
			return "", r.unexpected("control characters must be escaped in a string")
		}
		r.pos++
	}
	return "", r.unexpected("expected the string's closing '\"'")
}

// escaped finishes a string that has escapes, from its first backslash.
func (r *Reader) escaped(start int) (string, error) {
	out := append([]byte(nil), r.b[start:r.pos]...)
	for r.pos < len(r.b) {
		c := r.b[r.pos]
		switch {
		case c == '"':
			r.pos++
			return string(out), nil
		case c < 0x20:
			return "", r.unexpected("control characters must be escaped in a string")
		case c != '\\':
			out = append(out, c)
			r.pos++
			continue
		}
		r.pos++
		if r.pos >= len(r.b) {
			break
		}
		e := r.b[r.pos]
		r.pos++
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r1, ok := r.hex4()
			if !ok {
				return "", r.unexpected("expected 4 hex digits after \\u")
			}
			if utf16.IsSurrogate(r1) {
				// A pair decodes to one rune; a lone half is U+FFFD and
				// what follows it is read on its own.
				if save := r.pos; r.pos+1 < len(r.b) && r.b[r.pos] == '\\' && r.b[r.pos+1] == 'u' {
					r.pos += 2
					if r2, ok := r.hex4(); ok {
						if d := utf16.DecodeRune(r1, r2); d != utf8.RuneError {
							out = utf8.AppendRune(out, d)
							continue
						}
					}
					r.pos = save
				}
				r1 = utf8.RuneError
			}
			out = utf8.AppendRune(out, r1)
		default:
			r.pos--
			return "", r.unexpected(`expected an escape (\" \\ \/ \b \f \n \r \t \uXXXX)`)
		}
	}
	return "", r.unexpected("expected the string's closing '\"'")
}

func (r *Reader) hex4() (rune, bool) {
	if len(r.b)-r.pos < 4 {
		return 0, false
	}
	var n rune
	for _, c := range r.b[r.pos : r.pos+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		n = n<<4 | rune(c)
	}
	r.pos += 4
	return n, true
}

// StringValue decodes a raw JSON value that must be a string.
func StringValue(raw []byte) (string, bool) {
	r := NewReader(raw)
	s, err := r.String()
	return s, err == nil && r.End() == nil
}
