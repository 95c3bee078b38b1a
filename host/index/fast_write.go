package index

import "github.com/tokenbridge/tokenbridge/host/jsonlite"

// AppendTokenFields writes t's members (without the braces) exactly as
// json.Marshal writes them, in the struct's order with its omitempty
// rules, without reflection: `list` answers with these on every host start
// (vault.View.AppendJSON; fast_test.go compares both on every field).
func AppendTokenFields(b []byte, t *Token) (_ []byte, err error) {
	b = jsonlite.AppendKey(b, "id", true)
	b = jsonlite.AppendString(b, t.ID)
	b = jsonlite.AppendString(jsonlite.AppendKey(b, "provider", false), t.Provider)
	b = jsonlite.AppendString(jsonlite.AppendKey(b, "label", false), t.Label)
	b = jsonlite.AppendString(jsonlite.AppendKey(b, "kind", false), t.Kind)
	b = jsonlite.AppendBool(append(b, `,"scope":{"all_accounts":`...), t.Scope.AllAccounts)
	if t.Scope.AccountName != "" {
		b = jsonlite.AppendString(jsonlite.AppendKey(b, "account_name", false), t.Scope.AccountName)
	}
	b = append(b, '}')
	b = jsonlite.AppendString(jsonlite.AppendKey(b, "fingerprint", false), t.Fingerprint)
	b = jsonlite.AppendString(jsonlite.AppendKey(b, "masked", false), t.Masked)
	if b, err = jsonlite.AppendTime(jsonlite.AppendKey(b, "created_at", false), t.CreatedAt); err != nil {
		return nil, err
	}
	if b, err = jsonlite.AppendTime(jsonlite.AppendKey(b, "last_used_at", false), t.LastUsedAt); err != nil {
		return nil, err
	}
	if t.SourceOrigin != "" {
		b = jsonlite.AppendString(jsonlite.AppendKey(b, "source_origin", false), t.SourceOrigin)
	}
	if v := t.Validation; v != nil {
		if b, err = v.appendJSON(jsonlite.AppendKey(b, "validation", false)); err != nil {
			return nil, err
		}
	}
	if len(t.UsedBy) > 0 {
		b = append(b, `,"used_by":[`...)
		for i, u := range t.UsedBy {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonlite.AppendString(append(b, `{"origin":`...), u.Origin)
			if b, err = jsonlite.AppendTime(append(b, `,"at":`...), u.At); err != nil {
				return nil, err
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return b, nil
}

func (v *Validation) appendJSON(b []byte) (_ []byte, err error) {
	b = jsonlite.AppendString(append(b, `{"result":`...), v.Result)
	if b, err = jsonlite.AppendTime(append(b, `,"checked_at":`...), v.CheckedAt); err != nil {
		return nil, err
	}
	if v.Message != "" {
		b = jsonlite.AppendString(jsonlite.AppendKey(b, "message", false), v.Message)
	}
	if len(v.Accounts) > 0 {
		b = append(b, `,"accounts":[`...)
		for i, a := range v.Accounts {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonlite.AppendString(append(b, `{"id":`...), a.ID)
			b = jsonlite.AppendString(jsonlite.AppendKey(b, "name", false), a.Name)
			b = jsonlite.AppendString(jsonlite.AppendKey(b, "type", false), a.Type)
			b = jsonlite.AppendString(jsonlite.AppendKey(b, "status", false), a.Status)
			b = jsonlite.AppendString(jsonlite.AppendKey(b, "access_level", false), a.AccessLevel)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if v.Code != "" {
		b = jsonlite.AppendString(jsonlite.AppendKey(b, "code", false), v.Code)
	}
	if f := v.LastFailure; f != nil {
		if b, err = jsonlite.AppendTime(append(b, `,"last_failure":{"at":`...), f.At); err != nil {
			return nil, err
		}
		if f.Code != "" {
			b = jsonlite.AppendString(jsonlite.AppendKey(b, "code", false), f.Code)
		}
		b = jsonlite.AppendString(jsonlite.AppendKey(b, "message", false), f.Message)
		b = append(b, '}')
	}
	return append(b, '}'), nil
}
