package native

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/tokenbridge/tokenbridge/host/ascii"
	"github.com/tokenbridge/tokenbridge/host/jsonlite"
)

// Request is a decoded request envelope; Bind decodes its fields.
type Request struct {
	ID   string
	Cmd  string
	rest map[string]json.RawMessage
}

// validID reports whether id is 1-64 letters, digits or _.:-.
func validID(id string) bool {
	return id != "" && len(id) <= 64 && ascii.All(id, func(c byte) bool { return ascii.IsAlnum(c) || ascii.In(c, "_.:-") })
}

// DecodeRequest parses a frame body into a request. It rejects invalid
// UTF-8 (encoding/json would silently replace it), anything but a JSON
// object, a key given twice, and a missing or malformed id or cmd. The id
// is returned even on error when it could be read, so the answer can
// carry it.
func DecodeRequest(body []byte) (*Request, string, error) {
	if !utf8.Valid(body) {
		return nil, "", Errorf(CodeBadRequest, "message is not valid UTF-8")
	}
	raw, err := jsonlite.Members(body)
	if errors.Is(err, jsonlite.ErrNotObject) {
		return nil, "", Errorf(CodeBadRequest, "message must be a JSON object like {\"id\":\"1\",\"cmd\":\"hello\"}")
	}
	if err != nil {
		return nil, "", Errorf(CodeBadRequest, "message is not valid JSON: %v", err)
	}
	var id string
	if v, ok := raw["id"]; ok {
		if id, ok = jsonlite.StringValue(v); !ok || !validID(id) {
			return nil, "", Errorf(CodeBadRequest, "\"id\" must be a string of 1-64 letters, digits or _.:-")
		}
	} else {
		return nil, "", Errorf(CodeBadRequest, "\"id\" is missing")
	}
	var cmd string
	v, ok := raw["cmd"]
	if !ok {
		return nil, id, Errorf(CodeBadRequest, "\"cmd\" is missing")
	}
	if cmd, ok = jsonlite.StringValue(v); !ok || cmd == "" || len(cmd) > 32 {
		return nil, id, Errorf(CodeBadRequest, "\"cmd\" must be a short string")
	}
	delete(raw, "id")
	delete(raw, "cmd")
	return &Request{ID: id, Cmd: cmd, rest: raw}, id, nil
}

// Bind decodes the request's fields into v (a pointer to a struct). Field
// names must match the struct's json names exactly, nested objects
// included: encoding/json alone would accept "Token_Id" for "token_id".
// Unknown fields and mistyped values are bad_request.
func (r *Request) Bind(v any) error {
	if len(r.rest) == 0 {
		// No fields: v keeps its zero value, exactly what decoding {} gives,
		// without the reflection over v's type on the host's start-up path.
		return nil
	}
	if err := checkNames(r.rest, reflect.TypeOf(v).Elem(), ""); err != nil {
		return err
	}
	b, err := json.Marshal(r.rest)
	if err != nil {
		return Errorf(CodeInternal, "re-encode request: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Errorf(CodeBadRequest, "field %q must be of type %s", te.Field, te.Type)
		}
		return Errorf(CodeBadRequest, "%s: %v", r.Cmd, err)
	}
	return nil
}

// checkNames refuses every member of an object whose name is not exactly
// the json name of a field of struct type t, recursing into members that
// are themselves structs.
func checkNames(members map[string]json.RawMessage, t reflect.Type, path string) error {
	fields := jsonFields(t)
	for name, raw := range members {
		ft, ok := fields[name]
		if !ok {
			for known := range fields {
				if strings.EqualFold(known, name) {
					return Errorf(CodeBadRequest, "unknown field %q: field names are case-sensitive, use %q", path+name, path+known)
				}
			}
			return Errorf(CodeBadRequest, "unknown field %q", path+name)
		}
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() != reflect.Struct || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			continue
		}
		sub, err := jsonlite.Members(raw)
		if err != nil {
			return Errorf(CodeBadRequest, "field %q must be an object: %v", path+name, err)
		}
		if err := checkNames(sub, ft, path+name+"."); err != nil {
			return err
		}
	}
	return nil
}

// jsonFields maps the json names of a struct's fields to their types, as
// encoding/json names them (tag name, else the Go name; "-" is skipped;
// embedded structs without a tag are flattened).
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		out[tag] = f.Type
	}
	return out
}

// require returns a bad_request error naming a missing field.
func missing(field string) *Error {
	return Errorf(CodeBadRequest, "field %q is required", field)
}
