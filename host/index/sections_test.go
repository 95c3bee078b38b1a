package index

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testdata/index-v1.json was written by tokenbridge before the MOEX schema
// moved out of this package (tokens plus a top-level "moex" array).
const fixtureV1 = "testdata/index-v1.json"

func copyFixture(t *testing.T) *File {
	t.Helper()
	b, err := os.ReadFile(fixtureV1)
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "index.json")
	require.NoError(t, os.WriteFile(p, b, 0o600))
	return Open(p)
}

func TestFixtureV1LoadsAndRewritesByteForByte(t *testing.T) {
	f := copyFixture(t)
	d, err := f.Read()
	require.NoError(t, err)
	require.Equal(t, Version, d.Version)
	require.Len(t, d.Tokens, 2)
	tok := d.Tokens[0]
	require.Equal(t, "tok_0123456789abcdef", tok.ID)
	require.Equal(t, "Основной / main", tok.Label)
	require.Equal(t, Scope{AccountName: "ИИС"}, tok.Scope)
	require.NotNil(t, tok.Validation)
	require.Equal(t, "ACCOUNT_ACCESS_LEVEL_READ_ONLY", tok.Validation.Accounts[0].AccessLevel)
	require.Equal(t, []Use{{Origin: "https://logos-up.com", At: time.Date(2026, 3, 4, 8, 6, 7, 0, time.UTC)}}, tok.UsedBy)
	require.Equal(t, []string{"moex"}, keysOf(d.Sections))

	// An update that changes nothing writes the very same bytes: the
	// format on disk is unchanged and no section is lost.
	require.NoError(t, f.Update(func(*Data) error { return nil }))
	want, err := os.ReadFile(fixtureV1)
	require.NoError(t, err)
	got, err := os.ReadFile(f.Path())
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
}

func TestSections(t *testing.T) {
	type rec struct {
		N int `json:"n"`
	}
	tests := []struct {
		name    string
		file    string // initial index.json, "" for none
		edit    func(d *Data) error
		wantErr string
		want    map[string]string // section → compact JSON after the update
	}{
		{
			name: "set a new section",
			edit: func(d *Data) error { return d.SetSection("moex", []rec{{N: 1}}) },
			want: map[string]string{"moex": `[{"n":1}]`},
		},
		{
			name: "nil removes a section and keeps the others",
			file: `{"version":1,"tokens":[],"moex":[{"n":1}],"other":{"x":true}}`,
			edit: func(d *Data) error { return d.SetSection("moex", nil) },
			want: map[string]string{"other": `{"x":true}`},
		},
		{
			name: "a section nobody knows survives an update of tokens",
			file: `{"version":1,"tokens":[],"future":{"keep":"me"}}`,
			edit: func(d *Data) error { d.Tokens = append(d.Tokens, Token{ID: "tok_1"}); return nil },
			want: map[string]string{"future": `{"keep":"me"}`},
		},
		{name: "tokens is reserved", edit: func(d *Data) error { return d.SetSection("tokens", 1) }, wantErr: "reserved"},
		{name: "version is reserved", edit: func(d *Data) error { return d.SetSection("version", 1) }, wantErr: "reserved"},
		{name: "empty name is reserved", edit: func(d *Data) error { return d.SetSection("", 1) }, wantErr: "reserved"},
		{
			name: "a damaged section is reported with the doctor fix",
			file: `{"version":1,"tokens":[],"moex":{"not":"a list"}}`,
			edit: func(d *Data) error {
				var rs []rec
				found, err := d.Section("moex", &rs)
				require.True(t, found)
				return err
			},
			wantErr: `its "moex" section is not valid`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Open(filepath.Join(t.TempDir(), "index.json"))
			if tt.file != "" {
				require.NoError(t, os.WriteFile(f.Path(), []byte(tt.file), 0o600))
			}
			err := f.Update(tt.edit)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			d, err := f.Read()
			require.NoError(t, err)
			got := map[string]string{}
			for k, v := range d.Sections {
				var c bytes.Buffer
				require.NoError(t, json.Compact(&c, v))
				got[k] = c.String()
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestSectionAbsentLeavesValueAlone(t *testing.T) {
	d := Data{Version: Version}
	v := []int{7}
	found, err := d.Section("moex", &v)
	require.NoError(t, err)
	require.False(t, found)
	require.Equal(t, []int{7}, v)
}

func TestDataJSONOrder(t *testing.T) {
	d := Data{Version: 1, Tokens: []Token{}, Sections: map[string]json.RawMessage{
		"zeta": json.RawMessage(`1`), "moex": json.RawMessage(`[]`),
	}}
	b, err := json.Marshal(d)
	require.NoError(t, err)
	require.Equal(t, `{"version":1,"tokens":[],"moex":[],"zeta":1}`, string(b))
	var back Data
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, d, back)
}

func keysOf(m map[string]json.RawMessage) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	return out
}
