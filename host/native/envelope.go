package native

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tokenbridge/tokenbridge/host/frame"
)

// The request envelope is read and the answer written by the small JSON
// reader and writer below, not by encoding/json: the browser starts a host
// process per message, and encoding/json's first use in a process (its
// decoder state, its reflection over the types, their caches) cost a host
// start that answers one `list` ~0.1 ms of the ~0.3 ms it spends on its own
// work (perf, scripts/bench.sh). They accept and produce exactly what
// encoding/json does for these shapes (envelope_test.go compares both on
// every input its fuzz targets generate); the fields a command takes are
// still decoded by encoding/json in Request.Bind.

// maxDepth bounds the nesting of a value, as encoding/json does.
const maxDepth = 10000

var errNotObject = errors.New("not a JSON object")

// jsonReader walks one JSON text.
type jsonReader struct {
	b   []byte
	pos int
}

func (r *jsonReader) skipSpace() {
	for r.pos < len(r.b) {
		switch r.b[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// unexpected describes what is at the current position.
func (r *jsonReader) unexpected(want string) error {
	if r.pos >= len(r.b) {
		return fmt.Errorf("unexpected end of the message, %s", want)
	}
	return fmt.Errorf("unexpected %q at byte %d, %s", r.b[r.pos], r.pos, want)
}

// objectMembers reads one JSON object (and nothing after it) into its
// members, each value kept as its raw bytes. Unlike json.Unmarshal into a
// map it refuses a key given twice, which would otherwise silently keep
// the last value. b must be valid UTF-8 (DecodeRequest checks).
func objectMembers(b []byte) (map[string]json.RawMessage, error) {
	r := &jsonReader{b: b}
	r.skipSpace()
	if r.pos >= len(b) {
		return nil, r.unexpected("expected an object")
	}
	if b[r.pos] != '{' {
		return nil, errNotObject
	}
	r.pos++
	out := map[string]json.RawMessage{}
	r.skipSpace()
	if r.pos < len(b) && b[r.pos] == '}' {
		r.pos++
	} else {
		for {
			r.skipSpace()
			key, err := r.str()
			if err != nil {
				return nil, err
			}
			r.skipSpace()
			if r.pos >= len(b) || b[r.pos] != ':' {
				return nil, r.unexpected("expected ':' after a field name")
			}
			r.pos++
			r.skipSpace()
			start := r.pos
			if err := r.value(0); err != nil {
				return nil, err
			}
			if _, dup := out[key]; dup {
				return nil, fmt.Errorf("field %q is given twice", key)
			}
			out[key] = b[start:r.pos:r.pos]
			r.skipSpace()
			if r.pos < len(b) && b[r.pos] == ',' {
				r.pos++
				continue
			}
			if r.pos < len(b) && b[r.pos] == '}' {
				r.pos++
				break
			}
			return nil, r.unexpected("expected ',' or '}' after a field")
		}
	}
	r.skipSpace()
	if r.pos != len(b) {
		return nil, errors.New("data after the JSON object")
	}
	return out, nil
}

// value skips one JSON value, checking it.
func (r *jsonReader) value(depth int) error {
	if r.pos >= len(r.b) {
		return r.unexpected("expected a value")
	}
	switch c := r.b[r.pos]; {
	case c == '"':
		_, err := r.str()
		return err
	case c == '{' || c == '[':
		if depth >= maxDepth {
			return fmt.Errorf("value nested deeper than %d levels", maxDepth)
		}
		return r.container(depth + 1)
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

// container skips an object or an array.
func (r *jsonReader) container(depth int) error {
	closing := byte(']')
	object := r.b[r.pos] == '{'
	if object {
		closing = '}'
	}
	r.pos++
	r.skipSpace()
	if r.pos < len(r.b) && r.b[r.pos] == closing {
		r.pos++
		return nil
	}
	for {
		r.skipSpace()
		if object {
			if _, err := r.str(); err != nil {
				return err
			}
			r.skipSpace()
			if r.pos >= len(r.b) || r.b[r.pos] != ':' {
				return r.unexpected("expected ':' after a field name")
			}
			r.pos++
			r.skipSpace()
		}
		if err := r.value(depth); err != nil {
			return err
		}
		r.skipSpace()
		if r.pos < len(r.b) && r.b[r.pos] == ',' {
			r.pos++
			continue
		}
		if r.pos < len(r.b) && r.b[r.pos] == closing {
			r.pos++
			return nil
		}
		return r.unexpected(fmt.Sprintf("expected ',' or '%c'", closing))
	}
}

func (r *jsonReader) literal(word string) error {
	if len(r.b)-r.pos < len(word) || string(r.b[r.pos:r.pos+len(word)]) != word {
		return r.unexpected("expected " + word)
	}
	r.pos += len(word)
	return nil
}

func (r *jsonReader) digits() int {
	n := 0
	for r.pos < len(r.b) && '0' <= r.b[r.pos] && r.b[r.pos] <= '9' {
		r.pos++
		n++
	}
	return n
}

// number skips -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (r *jsonReader) number() error {
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

// str reads a JSON string and returns its value as encoding/json decodes
// it (a lone UTF-16 surrogate escape becomes U+FFFD).
func (r *jsonReader) str() (string, error) {
	if r.pos >= len(r.b) || r.b[r.pos] != '"' {
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
func (r *jsonReader) escaped(start int) (string, error) {
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
			return "", r.unexpected("expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")
		}
	}
	return "", r.unexpected("expected the string's closing '\"'")
}

func (r *jsonReader) hex4() (rune, bool) {
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

// jsonString decodes a raw JSON value that must be a string.
func jsonString(raw []byte) (string, bool) {
	r := &jsonReader{b: raw}
	s, err := r.str()
	return s, err == nil && r.pos == len(raw)
}

// encodeAnswer builds the answer's JSON, byte for byte what json.Marshal
// makes of the same map (keys sorted); one over the browsers' limit
// becomes an internal error.
func encodeAnswer(id string, res Result, herr error) []byte {
	var ans Result
	if herr != nil {
		ans = Result{"id": id, "ok": false, "error": codeFor(herr)}
	} else {
		ans = make(Result, len(res)+2)
		for k, v := range res {
			ans[k] = v
		}
		ans["id"], ans["ok"] = id, true
	}
	b, err := appendObject(nil, ans)
	if err == nil && len(b) > frame.MaxOutgoing {
		err = errors.New("answer too large")
	}
	if err != nil {
		b, _ = appendObject(nil, Result{"id": id, "ok": false, "error": Errorf(CodeInternal, "cannot send the answer: %v", err)})
	}
	return b
}

// appendObject writes m with its keys sorted. Strings, booleans, ints, nil
// and the json.RawMessage values handlers build with json.Marshal (written
// as they are) are written here; any other value by json.Marshal.
func appendObject(b []byte, m Result) ([]byte, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		var err error
		if b, err = appendValue(b, m[k]); err != nil {
			return nil, fmt.Errorf("field %q: %w", k, err)
		}
	}
	return append(b, '}'), nil
}

func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendJSONString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case []json.RawMessage:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, raw := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, raw...)
		}
		return append(b, ']'), nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, j...), nil
}

// appendJSONString writes s quoted as json.Marshal does: HTML-safe
// (<, >, & escaped), U+2028/U+2029 escaped, invalid UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
