package index

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// Salvaged is what Salvage could read of a damaged index file.
type Salvaged struct {
	Data Data
	// Version is the file's version as written (0 when unreadable); Data.Version is Version.
	Version int
	// Complete is true when every byte was read and every entry decoded.
	Complete bool
	// UnreadFrom is the offset of the first byte that could not be read (the rest of the
	// file is lost to the salvage), or -1.
	UnreadFrom int64
	// Skipped counts whole entries that did not decode (a token of the wrong shape).
	Skipped int
	// Partial names the sections only partly read (an array cut short).
	Partial []string
}

// Salvage reads what it can of a damaged index file: the version, every token
// that decodes, and every section — of a section that is a JSON array, the
// elements before the damage. Reading stops at the first byte that is not
// valid JSON (a truncated or overwritten file).
func Salvage(b []byte) Salvaged {
	s := Salvaged{Data: Data{Version: Version}, UnreadFrom: -1}
	dec := json.NewDecoder(bytes.NewReader(b))
	stop := func() { s.UnreadFrom = dec.InputOffset() }
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		s.UnreadFrom = 0
		return s
	}
	for dec.More() {
		t, err := dec.Token()
		key, ok := t.(string)
		if err != nil || !ok {
			stop()
			return s
		}
		switch key {
		case keyVersion:
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				stop()
				return s
			}
			_ = json.Unmarshal(raw, &s.Version) // a wrong version loses no entry
		case keyTokens:
			done := salvageArray(dec, b, func(raw json.RawMessage) {
				var tok Token
				if json.Unmarshal(raw, &tok) != nil || tok.ID == "" || s.Data.TokenByID(tok.ID) >= 0 {
					s.Skipped++
					return
				}
				s.Data.Tokens = append(s.Data.Tokens, tok)
			})
			if !done {
				stop()
				return s
			}
		default:
			raw, done := salvageValue(dec, b)
			if raw != nil {
				if s.Data.Sections == nil {
					s.Data.Sections = map[string]json.RawMessage{}
				}
				s.Data.Sections[key] = raw
			}
			if !done {
				if raw != nil {
					s.Partial = append(s.Partial, key)
				}
				stop()
				return s
			}
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		stop()
		return s
	}
	if _, err := dec.Token(); err != io.EOF {
		stop()
		return s
	}
	s.Complete = s.Skipped == 0
	return s
}

// nextByte returns the first byte after white space and a ':' at the decoder's offset.
func nextByte(dec *json.Decoder, b []byte) byte {
	rest := bytes.TrimLeft(b[dec.InputOffset():], " \t\r\n:")
	if len(rest) == 0 {
		return 0
	}
	return rest[0]
}

// salvageArray calls each for every element of the array at the decoder's position until
// the array ends (true) or an element cannot be read (false). A value that is not an array
// (null) counts as empty.
func salvageArray(dec *json.Decoder, b []byte, each func(json.RawMessage)) bool {
	if nextByte(dec, b) != '[' {
		var raw json.RawMessage
		return dec.Decode(&raw) == nil
	}
	if _, err := dec.Token(); err != nil {
		return false
	}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return false
		}
		each(raw)
	}
	_, err := dec.Token()
	return err == nil
}

// salvageValue reads a section: whole, or, for an array cut short, the array of the elements
// read before the damage (done false). raw is nil when nothing could be read.
func salvageValue(dec *json.Decoder, b []byte) (raw json.RawMessage, done bool) {
	if nextByte(dec, b) != '[' {
		if err := dec.Decode(&raw); err != nil {
			return nil, false
		}
		return raw, true
	}
	var elems [][]byte
	done = salvageArray(dec, b, func(e json.RawMessage) { elems = append(elems, e) })
	return append(append([]byte{'['}, bytes.Join(elems, []byte{','})...), ']'), done
}

// Describe says in one line what a salvage read and what it could not.
func (s Salvaged) Describe(total int) string {
	var parts []string
	parts = append(parts, fmt.Sprintf("%d token(s) read", len(s.Data.Tokens)))
	if s.UnreadFrom >= 0 {
		parts = append(parts, fmt.Sprintf("unreadable from byte %d of %d", s.UnreadFrom, total))
	}
	if s.Skipped > 0 {
		parts = append(parts, fmt.Sprintf("%d entr(ies) of the wrong shape skipped", s.Skipped))
	}
	if len(s.Partial) > 0 {
		parts = append(parts, "section(s) cut short: "+strings.Join(s.Partial, ", "))
	}
	return strings.Join(parts, "; ")
}

// ReadRaw returns the file's bytes (nil when it does not exist).
func (f *File) ReadRaw() ([]byte, error) {
	b, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// Replace writes d in place of a damaged file under the lock: the damaged
// file, which must still hold exactly damaged (else someone changed it since
// and nothing is done), is renamed to aside first, so no byte of it is lost.
func (f *File) Replace(damaged []byte, aside string, d Data) error {
	return f.locked(func() error {
		now, err := f.ReadRaw()
		if err != nil {
			return fmt.Errorf("read index: %w", err)
		}
		if !bytes.Equal(now, damaged) {
			return fmt.Errorf("%s changed while doctor was reading it: run `tokenbridge doctor` again", f.path)
		}
		if now != nil {
			if _, err := os.Lstat(aside); !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("%s already exists: run `tokenbridge doctor` again", aside)
			}
			if err := os.Rename(f.path, aside); err != nil {
				return fmt.Errorf("move the damaged index aside: %w", err)
			}
		}
		return f.write(d)
	})
}
