package jsonlite

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// decoderMembers is the envelope reader Members replaced in host/native
// (the tests' oracle): encoding/json's Decoder, refusing a key given twice and
// anything after the object.
func decoderMembers(b []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return nil, ErrNotObject
	}
	out := map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("field %q is given twice", key)
		}
		out[key] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the JSON object")
	}
	return out, nil
}

// sameAsDecoder fails unless Members and the encoding/json oracle
// agree on body: both refuse it, or both read the same members.
func sameAsDecoder(t *testing.T, body []byte) {
	t.Helper()
	if !utf8.Valid(body) {
		return // DecodeRequest refuses it before either runs
	}
	got, gotErr := Members(body)
	want, wantErr := decoderMembers(body)
	if wantErr != nil {
		require.Error(t, gotErr, "accepted what encoding/json refuses (%v): %q", wantErr, body)
		return
	}
	require.NoError(t, gotErr, "refused what encoding/json accepts: %q", body)
	require.Equal(t, len(want), len(got), "%q", body)
	for k, v := range want {
		require.Contains(t, got, k, "%q", body)
		require.Equal(t, string(v), string(got[k]), "member %q of %q", k, body)
		var s1, s2 string
		if len(v) > 0 && v[0] == '"' && json.Unmarshal(v, &s1) == nil {
			var ok bool
			s2, ok = StringValue(got[k])
			require.True(t, ok, "%q", got[k])
			require.Equal(t, s1, s2, "string %q", got[k])
		}
	}
}

var envelopeSeeds = []string{
	`{"id":"1","cmd":"list"}`, ` { "id" : "1" , "cmd" : "list" } `, "\t{\"id\":\"1\"}\r\n", `{}`, `{ }`, `{"a":{}}`, `{"a":[]}`,
	`{"id":"1","cmd":"store","scope":{"all_accounts":true,"account_ids":["1","2"]},"label":null}`,
	`{"n":0,"m":-0,"x":1.5e10,"y":-2E-3,"z":1e+2,"w":123456789012345678901234567890}`,
	`{"n":01}`, `{"n":1.}`, `{"n":.5}`, `{"n":-}`, `{"n":1e}`, `{"n":+1}`, `{"n":0x1}`, `{"n":1_0}`, `{"n":NaN}`, `{"n":Infinity}`,
	`{"t":true,"f":false,"z":null}`, `{"t":tru}`, `{"t":truee}`, `{"t":True}`, `{"z":nul}`,
	`{"s":"a\"b\\c\/d\b\f\n\r\t"}`, `{"s":"\u0041\u00e9\u4e2d"}`, `{"s":"\ud83d\ude00"}`, `{"s":"\ud83d"}`, `{"s":"\ude00\ud83d"}`,
	`{"s":"\ud83d\u0041"}`, `{"s":"\ud83dx"}`, `{"s":"\ud83d\ud83d\ude00"}`, `{"s":"\u12"}`, `{"s":"\u12G4"}`, `{"s":"\x"}`, `{"s":"\'"}`,
	"{\"s\":\"a\x01b\"}", "{\"s\":\"a\x7fb\"}", "{\"s\":\"tab\there\"}", `{"s":"unterminated}`, `{"s":"\`, `{"s":"\u`,
	`{"\u0069d":"1","cmd":"list"}`, `{"id":"1","\u0069d":"2"}`, `{"a":1,"a":2}`, `{"a":1,"b":{"a":1,"a":2}}`,
	`{"a":1,}`, `{,"a":1}`, `{"a" 1}`, `{"a":}`, `{"a":1 "b":2}`, `{a:1}`, `{'a':1}`, `{"a":[1,]}`, `{"a":[,1]}`, `{"a":[1 2]}`,
	`{"a":{"b":1,}}`, `{"a":{"b"}}`, `{"a":[}`, `{"a":{]}`,
	`{"id":"1"} {}`, `{"id":"1"}x`, `{"id":"1"}}`, `{"id":"1"}]`, `{`, `{"id"`, `{"id":`, `{"id":"1"`, `{"id":"1",`,
	``, ` `, `[]`, `[1,2]`, `42`, `null`, `"x"`, `tru`, `x`, `]`, "\ufeff{}", `{"é":"ü","中":"文"}`, `{"":1}`,
	"{\"a\":1}\x00", "{\"a\"\x00:1}", "\x00{}", `{"a":"` + strings.Repeat("x", 4096) + `"}`,
}

func TestMembersMatchesEncodingJSON(t *testing.T) {
	deep := func(n int) string { return `{"a":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}` }
	for _, s := range append(envelopeSeeds, deep(MaxDepth), deep(MaxDepth+1), deep(MaxDepth-1)) {
		t.Run("", func(t *testing.T) { sameAsDecoder(t, []byte(s)) })
	}
	got, err := Members([]byte(deep(MaxDepth + 1)))
	require.Nil(t, got)
	require.ErrorContains(t, err, "deeper than 10000")
}

func TestMembersErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":1,"a":2}`, `field "a" is given twice`},
		{`{"a":1,"\u0061":2}`, `field "a" is given twice`},
		{`{"a":1} {}`, "data after the JSON object"},
		{`{"a":1`, "unexpected end of the message, expected ',' or '}' after a field"},
		{`{"a" 1}`, `unexpected '1' at byte 5, expected ':' after a field name`},
		{`{"a":01}`, `unexpected '1' at byte 6, expected ',' or '}' after a field`},
		{"{\"a\":\"\x01\"}", "control characters must be escaped"},
		{`{"a":"\q"}`, `unexpected 'q' at byte 7, expected an escape`},
		{``, "unexpected end of the message, expected an object"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Members([]byte(tt.in))
			require.ErrorContains(t, err, tt.want)
		})
	}
	for _, s := range []string{`[]`, `42`, `null`, `"x"`, `tru`} {
		_, err := Members([]byte(s))
		require.ErrorIs(t, err, ErrNotObject, s)
	}
}

func FuzzMembers(f *testing.F) {
	for _, s := range envelopeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { sameAsDecoder(t, body) })
}
