package index

import (
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/tokenbridge/tokenbridge/host/jsonlite"
)

// The index is read on every host start that answers `list` or `get`, and
// encoding/json's first decode of these types (reflection over every
// field, the caches it builds) costs more than the rest of that start.
// parseFast reads the shape write produces without reflection; anything
// else it leaves to encoding/json (Parse), which stays the authority on
// what an index means: fast_test.go checks that whenever parseFast
// succeeds its result equals encoding/json's.

// errOffShape: the text is not in the shape parseFast reads (a null, an
// unknown or repeated field, invalid UTF-8, …); encoding/json decides.
var errOffShape = errors.New("not in the index's written shape")

// parseFast decodes b as encoding/json would decode it into Data, or
// fails (errOffShape or a syntax error) without deciding anything.
func parseFast(b []byte) (Data, error) {
	if !utf8.Valid(b) {
		return Data{}, errOffShape
	}
	r := jsonlite.NewReader(b)
	var d Data
	err := object(r, func(key string) error {
		switch key {
		case keyVersion:
			return integer(r, &d.Version)
		case keyTokens:
			if r.Null() { // what write makes of no tokens
				return nil
			}
			return list(r, &d.Tokens, (*Token).readFast)
		}
		raw, err := r.Raw()
		if err != nil {
			return err
		}
		if d.Sections == nil {
			d.Sections = map[string]json.RawMessage{}
		}
		d.Sections[key] = raw
		return nil
	})
	if err != nil {
		return Data{}, err
	}
	return d, r.End()
}

// fields refuses a member given twice (encoding/json would keep the
// last) and an object of more members than any of ours has.
type fields struct {
	n    int
	keys [16]string
}

func (f *fields) once(key string) error {
	for _, k := range f.keys[:f.n] {
		if k == key {
			return errOffShape
		}
	}
	if f.n == len(f.keys) {
		return errOffShape
	}
	f.keys[f.n] = key
	f.n++
	return nil
}

// object reads an object member by member, refusing a repeated key; member
// returns errOffShape for a key it does not know.
func object(r *jsonlite.Reader, member func(key string) error) error {
	var seen fields
	return r.Object(func(key string) error {
		if err := seen.once(key); err != nil {
			return err
		}
		return member(key)
	})
}

// list reads an array into *dst (empty, not nil, for [] as encoding/json).
func list[T any](r *jsonlite.Reader, dst *[]T, read func(*T, *jsonlite.Reader) error) error {
	*dst = []T{}
	return r.Array(func() error {
		var v T
		err := read(&v, r)
		*dst = append(*dst, v)
		return err
	})
}

// integer, str, flag and stamp read a member's value into a field.
func integer(r *jsonlite.Reader, dst *int) (err error) {
	*dst, err = r.Int()
	return err
}

func str(r *jsonlite.Reader, dst *string) (err error) {
	*dst, err = r.String()
	return err
}

func flag(r *jsonlite.Reader, dst *bool) (err error) {
	*dst, err = r.Bool()
	return err
}

func stamp(r *jsonlite.Reader, dst *time.Time) (err error) {
	*dst, err = r.Time()
	return err
}

func (t *Token) readFast(r *jsonlite.Reader) error {
	return object(r, func(key string) error {
		switch key {
		case "id":
			return str(r, &t.ID)
		case "provider":
			return str(r, &t.Provider)
		case "label":
			return str(r, &t.Label)
		case "kind":
			return str(r, &t.Kind)
		case "scope":
			return t.Scope.readFast(r)
		case "fingerprint":
			return str(r, &t.Fingerprint)
		case "masked":
			return str(r, &t.Masked)
		case "created_at":
			return stamp(r, &t.CreatedAt)
		case "last_used_at":
			return stamp(r, &t.LastUsedAt)
		case "source_origin":
			return str(r, &t.SourceOrigin)
		case "validation":
			t.Validation = &Validation{}
			return t.Validation.readFast(r)
		case "used_by":
			return list(r, &t.UsedBy, (*Use).readFast)
		}
		return errOffShape
	})
}

func (s *Scope) readFast(r *jsonlite.Reader) error {
	return object(r, func(key string) error {
		switch key {
		case "all_accounts":
			return flag(r, &s.AllAccounts)
		case "account_name":
			return str(r, &s.AccountName)
		}
		return errOffShape
	})
}

func (v *Validation) readFast(r *jsonlite.Reader) error {
	return object(r, func(key string) error {
		switch key {
		case "result":
			return str(r, &v.Result)
		case "checked_at":
			return stamp(r, &v.CheckedAt)
		case "message":
			return str(r, &v.Message)
		case "accounts":
			return list(r, &v.Accounts, (*Account).readFast)
		case "code":
			return str(r, &v.Code)
		case "last_failure":
			v.LastFailure = &Failure{}
			return v.LastFailure.readFast(r)
		}
		return errOffShape
	})
}

func (f *Failure) readFast(r *jsonlite.Reader) error {
	return object(r, func(key string) error {
		switch key {
		case "at":
			return stamp(r, &f.At)
		case "code":
			return str(r, &f.Code)
		case "message":
			return str(r, &f.Message)
		}
		return errOffShape
	})
}

func (a *Account) readFast(r *jsonlite.Reader) error {
	return object(r, func(key string) error {
		switch key {
		case "id":
			return str(r, &a.ID)
		case "name":
			return str(r, &a.Name)
		case "type":
			return str(r, &a.Type)
		case "status":
			return str(r, &a.Status)
		case "access_level":
			return str(r, &a.AccessLevel)
		}
		return errOffShape
	})
}

func (u *Use) readFast(r *jsonlite.Reader) error {
	return object(r, func(key string) error {
		switch key {
		case "origin":
			return str(r, &u.Origin)
		case "at":
			return stamp(r, &u.At)
		}
		return errOffShape
	})
}
