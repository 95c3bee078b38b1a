package native

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"unicode/utf8"
)

// Request is a decoded request envelope; Bind decodes its fields.
type Request struct {
	ID   string
	Cmd  string
	rest map[string]json.RawMessage
}

var idRe = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)

// DecodeRequest parses a frame body into a request. It rejects invalid
// UTF-8 (encoding/json would silently replace it), anything but a JSON
// object, and a missing or malformed id or cmd. The id is returned even
// on error when it could be read, so the answer can carry it.
func DecodeRequest(body []byte) (*Request, string, error) {
	if !utf8.Valid(body) {
		return nil, "", Errorf(CodeBadRequest, "message is not valid UTF-8")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return nil, "", Errorf(CodeBadRequest, "message must be a JSON object like {\"id\":\"1\",\"cmd\":\"hello\"}")
	}
	var id string
	if v, ok := raw["id"]; ok {
		if err := json.Unmarshal(v, &id); err != nil || !idRe.MatchString(id) {
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
	if err := json.Unmarshal(v, &cmd); err != nil || cmd == "" || len(cmd) > 32 {
		return nil, id, Errorf(CodeBadRequest, "\"cmd\" must be a short string")
	}
	delete(raw, "id")
	delete(raw, "cmd")
	return &Request{ID: id, Cmd: cmd, rest: raw}, id, nil
}

// Bind decodes the request's fields into v (a pointer to a struct),
// rejecting unknown fields and mistyped values with bad_request.
func (r *Request) Bind(v any) error {
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

// require returns a bad_request error naming a missing field.
func missing(field string) *Error {
	return Errorf(CodeBadRequest, "field %q is required", field)
}
