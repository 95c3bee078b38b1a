package index

import (
	"time"

	"github.com/tokenbridge/tokenbridge/host/jsonlite"
)

// AppendTokenFields writes t's members (without the braces) exactly as
// json.Marshal writes them, in the struct's order with its omitempty
// rules, without reflection: `list` answers with these on every host start
// (vault.View.AppendJSON; fast_test.go compares both on every field).
func AppendTokenFields(b []byte, t *Token) ([]byte, error) {
	w := writer{b: b}
	w.str("id", t.ID, true)
	w.str("provider", t.Provider, false)
	w.str("label", t.Label, false)
	w.str("kind", t.Kind, false)
	w.key("scope", false)
	w.b = append(w.b, '{')
	w.flag("all_accounts", t.Scope.AllAccounts, true)
	w.omitEmpty("account_name", t.Scope.AccountName)
	w.b = append(w.b, '}')
	w.str("fingerprint", t.Fingerprint, false)
	w.str("masked", t.Masked, false)
	w.time("created_at", t.CreatedAt, false)
	w.time("last_used_at", t.LastUsedAt, false)
	w.omitEmpty("source_origin", t.SourceOrigin)
	if v := t.Validation; v != nil {
		w.key("validation", false)
		v.write(&w)
	}
	if len(t.UsedBy) > 0 {
		w.key("used_by", false)
		w.b = append(w.b, '[')
		for i, u := range t.UsedBy {
			w.comma(i)
			w.b = append(w.b, '{')
			w.str("origin", u.Origin, true)
			w.time("at", u.At, false)
			w.b = append(w.b, '}')
		}
		w.b = append(w.b, ']')
	}
	return w.b, w.err
}

func (v *Validation) write(w *writer) {
	w.b = append(w.b, '{')
	w.str("result", v.Result, true)
	w.time("checked_at", v.CheckedAt, false)
	w.omitEmpty("message", v.Message)
	if len(v.Accounts) > 0 {
		w.key("accounts", false)
		w.b = append(w.b, '[')
		for i, a := range v.Accounts {
			w.comma(i)
			w.b = append(w.b, '{')
			w.str("id", a.ID, true)
			w.str("name", a.Name, false)
			w.str("type", a.Type, false)
			w.str("status", a.Status, false)
			w.str("access_level", a.AccessLevel, false)
			w.b = append(w.b, '}')
		}
		w.b = append(w.b, ']')
	}
	w.omitEmpty("code", v.Code)
	if f := v.LastFailure; f != nil {
		w.key("last_failure", false)
		w.b = append(w.b, '{')
		w.time("at", f.At, true)
		w.omitEmpty("code", f.Code)
		w.str("message", f.Message, false)
		w.b = append(w.b, '}')
	}
	w.b = append(w.b, '}')
}

// writer appends members and keeps the first error (a time json.Marshal
// refuses).
type writer struct {
	b   []byte
	err error
}

func (w *writer) key(k string, first bool) { w.b = jsonlite.AppendKey(w.b, k, first) }

func (w *writer) comma(i int) {
	if i > 0 {
		w.b = append(w.b, ',')
	}
}

func (w *writer) str(k, s string, first bool) {
	w.key(k, first)
	w.b = jsonlite.AppendString(w.b, s)
}

// omitEmpty writes a string member tagged omitempty.
func (w *writer) omitEmpty(k, s string) {
	if s != "" {
		w.str(k, s, false)
	}
}

func (w *writer) flag(k string, v bool, first bool) {
	w.key(k, first)
	w.b = jsonlite.AppendBool(w.b, v)
}

func (w *writer) time(k string, t time.Time, first bool) {
	w.key(k, first)
	if w.err != nil {
		return
	}
	b, err := jsonlite.AppendTime(w.b, t)
	if err != nil {
		w.err = err
		return
	}
	w.b = b
}
