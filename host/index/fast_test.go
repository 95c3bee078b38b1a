package index

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// viaDecoder is what encoding/json makes of b (the oracle).
func viaDecoder(b []byte) (Data, error) {
	var d Data
	err := json.Unmarshal(b, &d)
	return d, err
}

// agrees fails unless parseFast either declines b or reads exactly what
// encoding/json reads. It reports whether parseFast read it.
func agrees(t *testing.T, b []byte) bool {
	t.Helper()
	got, err := parseFast(b)
	if err != nil {
		return false
	}
	want, werr := viaDecoder(b)
	require.NoError(t, werr, "parseFast accepted what encoding/json refuses: %q", b)
	require.Equal(t, want, got, "%q", b)
	return true
}

// filled returns a value of type t with every field set (strings from
// seed, times distinct, slices of one element, pointers allocated): a
// field parseFast does not know makes it decline the written index.
func filled(t reflect.Type, seed string, n *int) reflect.Value {
	*n++
	v := reflect.New(t).Elem()
	switch {
	case t == reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Date(2026, 1, 1+*n, 10, 0, *n, *n*1000, time.UTC)))
	case t.Kind() == reflect.String:
		v.SetString(seed + "-" + strings.Repeat("x", *n%5))
	case t.Kind() == reflect.Bool:
		v.SetBool(true)
	case t.Kind() == reflect.Int:
		v.SetInt(int64(*n))
	case t.Kind() == reflect.Pointer:
		v.Set(filled(t.Elem(), seed, n).Addr())
	case t.Kind() == reflect.Slice:
		v.Set(reflect.Append(reflect.MakeSlice(t, 0, 1), filled(t.Elem(), seed, n)))
	case t.Kind() == reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			v.Field(i).Set(filled(t.Field(i).Type, seed, n))
		}
	}
	return v
}

func TestParseFastReadsWhatWriteWrites(t *testing.T) {
	n := 0
	full := filled(reflect.TypeFor[Token](), "tok", &n).Interface().(Token)
	sparse := Token{ID: "tok_2", Provider: "generic", CreatedAt: time.Unix(5, 0).UTC()}
	odd := full
	odd.Label = "робот «1» <b>&amp;</b> \u2028 \x01 \"q\" \\ 😀"
	tests := []struct {
		name string
		d    Data
	}{
		{"empty", Data{Version: Version}},
		{"no tokens", Data{Version: Version, Tokens: []Token{}}},
		{"every field set", Data{Version: Version, Tokens: []Token{full}}},
		{"sparse and odd", Data{Version: Version, Tokens: []Token{sparse, odd, full}}},
		{"sections kept", Data{Version: Version, Tokens: []Token{sparse}, Sections: map[string]json.RawMessage{
			"moex": json.RawMessage(`{"profiles":[{"name":"a","n":1.5e3,"x":null}]}`), "zz_future": json.RawMessage(`[true,false]`)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.MarshalIndent(&tt.d, "", " ")
			require.NoError(t, err)
			require.True(t, agrees(t, b), "parseFast declined the index write writes: %s", b)
		})
	}
	b, err := os.ReadFile("testdata/index-v1.json")
	require.NoError(t, err)
	require.True(t, agrees(t, b), "a version-1 index is read fast")
}

var offShape = []string{
	`{"version":1,"tokens":[{"id":"a","validation":null}]}`, `{"version":1,"tokens":nul}`,
	`{"version":1,"tokens":[{"ID":"a"}]}`, `{"version":1,"tokens":[{"id":"a","id":"b"}]}`,
	`{"version":1,"version":2}`, `{"version":1.0}`, `{"version":"1"}`, `{"version":1e0}`, `{"version":99999999999999999999}`,
	`{"version":1,"tokens":[{"id":"a","future_field":1}]}`, `{"version":1,"tokens":[{"scope":{"all_accounts":"yes"}}]}`,
	`{"version":1,"tokens":[{"created_at":"yesterday"}]}`, `{"version":1,"tokens":[{"created_at":"2026-13-01T00:00:00Z"}]}`,
	"{\"version\":1,\"tokens\":[{\"label\":\"\xff\"}]}", `[]`, `null`, ``, `{"version":1} x`, `{"version":1`,
	`{"tokens":[{"used_by":[{"origin":"https://a","at":null}]}]}`, `{"tokens":[1]}`, `{"tokens":{}}`,
}

var onShape = []string{
	`{}`, `{"version":1,"tokens":null}`, `{"version":0}`, `{"version":-0}`, `{"version":-1}`, `{"tokens":[]}`, `{"tokens":[{}]}`,
	`{"version":1,"tokens":[{"id":"a\u0041\ud83d\ude00\ud800","validation":{"accounts":[],"last_failure":{}},"used_by":[]}]}`,
	`{"version":1,"tokens":[{"created_at":"2026-12-01T12:00:00.123456789+03:00","last_used_at":"0001-01-01T00:00:00Z"}]}`,
	` { "version" : 1 , "tokens" : [ { "scope" : { "all_accounts" : false } } ] , "moex" : { } } `,
	`{"moex":{"a":1,"a":2},"version":1}`,
}

func TestParseFastDeclinesOrAgrees(t *testing.T) {
	for _, s := range offShape {
		t.Run(s, func(t *testing.T) {
			require.False(t, agrees(t, []byte(s)), "parseFast should leave %q to encoding/json", s)
		})
	}
	for _, s := range onShape {
		t.Run(s, func(t *testing.T) {
			require.True(t, agrees(t, []byte(s)), "parseFast should read %q", s)
		})
	}
}

// Parse gives the same Data and the same errors whichever reader read it.
func TestParseFallsBackToEncodingJSON(t *testing.T) {
	d, err := Parse("index.json", []byte(`{"version":1,"tokens":[{"ID":"tok_1","Label":"a","validation":null}]}`))
	require.NoError(t, err)
	require.Equal(t, "tok_1", d.Tokens[0].ID, "encoding/json matches field names case-insensitively")
	_, err = Parse("index.json", []byte(`{"version":1,"tokens":[{"created_at":"yesterday"}]}`))
	require.ErrorIs(t, err, ErrDamaged)
	_, err = Parse("index.json", []byte(`{"version":2}`))
	require.ErrorIs(t, err, ErrNewer)
}

func FuzzParseFast(f *testing.F) {
	for _, s := range append(append([]string{}, offShape...), onShape...) {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile("testdata/index-v1.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { agrees(t, b) })
}

// tokenJSON is AppendTokenFields inside braces.
func tokenJSON(t *Token) ([]byte, error) {
	b, err := AppendTokenFields([]byte{'{'}, t)
	if err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

func TestAppendTokenFieldsMatchesMarshal(t *testing.T) {
	n := 0
	full := filled(reflect.TypeFor[Token](), "tok", &n).Interface().(Token)
	odd := full
	odd.Label = "робот «1» <b>&amp;</b> \u2028\u2029 \x01\x1f \"q\" \\ 😀 \xff"
	odd.CreatedAt = time.Date(2026, 12, 1, 15, 4, 5, 123456789, time.FixedZone("MSK", 3*3600))
	odd.Validation = &Validation{Result: "ok", Accounts: []Account{{ID: "1"}, {ID: "2", Name: "ИИС"}}, LastFailure: &Failure{Message: "x"}}
	odd.UsedBy = []Use{{Origin: "https://a"}, {Origin: "https://b", At: time.Unix(9, 0)}}
	emptySlices := full
	emptySlices.UsedBy = []Use{}
	emptySlices.Validation = &Validation{Accounts: []Account{}}
	for name, tok := range map[string]Token{"zero": {}, "every field set": full, "odd": odd, "empty slices": emptySlices} {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(tok)
			require.NoError(t, err)
			got, err := tokenJSON(&tok)
			require.NoError(t, err)
			require.Equal(t, string(want), string(got))
		})
	}
	bad := Token{CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	_, werr := json.Marshal(bad)
	_, err := tokenJSON(&bad)
	require.Error(t, werr)
	require.Error(t, err, "a time json.Marshal refuses is refused")
}

func FuzzAppendTokenFields(f *testing.F) {
	f.Add("tok_1", "robot", "https://a", "ok", "", int64(0), true)
	f.Add("<&>", "\u2028\xff", "", "invalid", "certificate", int64(1e18), false)
	f.Fuzz(func(t *testing.T, id, label, origin, result, code string, sec int64, all bool) {
		at := time.Unix(sec%(1<<35), sec%1e9).UTC()
		tok := Token{ID: id, Label: label, Scope: Scope{AllAccounts: all, AccountName: label}, CreatedAt: at, SourceOrigin: origin}
		if result != "" {
			tok.Validation = &Validation{Result: result, Code: code, CheckedAt: at, Accounts: []Account{{ID: id, Name: label}}}
			if code != "" {
				tok.Validation.LastFailure = &Failure{At: at, Code: code, Message: label}
			}
		}
		if origin != "" {
			tok.UsedBy = []Use{{Origin: origin, At: at}}
		}
		want, werr := json.Marshal(tok)
		got, err := tokenJSON(&tok)
		if werr != nil {
			require.Error(t, err)
			return
		}
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
	})
}
