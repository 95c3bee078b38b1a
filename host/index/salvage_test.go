package index

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func sampleData() Data {
	d := Data{Version: Version}
	for _, id := range []string{"aaaa", "bbbb", "cccc"} {
		d.Tokens = append(d.Tokens, Token{ID: id, Provider: "tinvest", Label: "label " + id, Kind: "readonly",
			CreatedAt: time.Unix(100, 0).UTC(), Validation: &Validation{Result: "readonly"}, UsedBy: []Use{{Origin: "https://x.example"}}})
	}
	d.Sections = map[string]json.RawMessage{
		"moex":  json.RawMessage(`[{"name":"p1","env":"play"},{"name":"p2","env":"production"}]`),
		"other": json.RawMessage(`{"kept":true}`),
	}
	return d
}

func TestSalvage(t *testing.T) {
	whole, err := json.MarshalIndent(sampleData(), "", " ")
	require.NoError(t, err)
	text := string(whole)
	cut := func(marker string) []byte { // the file cut just before marker
		i := len(text) - len(marker)
		for ; i >= 0 && text[i:i+len(marker)] != marker; i-- {
		}
		require.GreaterOrEqual(t, i, 0, marker)
		return []byte(text[:i])
	}
	tests := []struct {
		name      string
		in        []byte
		tokens    []string
		moex      string // the "moex" section as read, "" when absent
		complete  bool
		version   int
		unreadPos bool
	}{
		{name: "whole", in: whole, tokens: []string{"aaaa", "bbbb", "cccc"}, moex: `[{"name":"p1","env":"play"},{"name":"p2","env":"production"}]`, complete: true, version: 1},
		{name: "cut in the third token", in: cut(`"cccc"`), tokens: []string{"aaaa", "bbbb"}, version: 1, unreadPos: true},
		{name: "cut in the second profile", in: cut(`"p2"`), tokens: []string{"aaaa", "bbbb", "cccc"}, moex: `[{"name":"p1","env":"play"}]`, version: 1, unreadPos: true},
		{name: "garbage", in: []byte("\x00\x17garbage"), unreadPos: true},
		{name: "empty", in: []byte{}, unreadPos: true},
		{name: "wrong version type", in: []byte(`{"version":"one","tokens":[{"id":"aaaa"}]}`), tokens: []string{"aaaa"}, complete: true},
		{name: "newer version", in: []byte(`{"version":7,"tokens":[{"id":"aaaa","future":1}]}`), tokens: []string{"aaaa"}, complete: true, version: 7},
		{name: "token of the wrong shape", in: []byte(`{"version":1,"tokens":[{"id":"aaaa"},{"id":5},{"id":"bbbb"}]}`), tokens: []string{"aaaa", "bbbb"}, version: 1},
		{name: "trailing garbage", in: append(append([]byte(nil), whole...), "}}"...), tokens: []string{"aaaa", "bbbb", "cccc"}, moex: `[{"name":"p1","env":"play"},{"name":"p2","env":"production"}]`, version: 1, unreadPos: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Salvage(tt.in)
			var ids []string
			for _, tok := range s.Data.Tokens {
				ids = append(ids, tok.ID)
			}
			require.Equal(t, tt.tokens, ids)
			require.Equal(t, tt.complete, s.Complete)
			require.Equal(t, tt.version, s.Version)
			require.Equal(t, Version, s.Data.Version)
			require.Equal(t, tt.unreadPos, s.UnreadFrom >= 0, s.UnreadFrom)
			if tt.moex == "" {
				require.NotContains(t, s.Data.Sections, "moex")
			} else {
				require.JSONEq(t, tt.moex, string(s.Data.Sections["moex"]))
			}
			if len(s.Data.Tokens) == 3 {
				require.Equal(t, sampleData().Tokens, s.Data.Tokens, "every field of a token read back")
			}
			require.NotEmpty(t, s.Describe(len(tt.in)))
		})
	}
}

// Every write leaves the same whole index in the last-good copy, mode 0600, written first.
func TestUpdateKeepsLastGoodCopy(t *testing.T) {
	f := Open(filepath.Join(t.TempDir(), "index.json"))
	require.Equal(t, filepath.Join(filepath.Dir(f.Path()), "index.last-good.json"), f.BackupPath())
	require.NoFileExists(t, f.BackupPath())
	want := sampleData()
	require.NoError(t, f.Update(func(d *Data) error { *d = want; return nil }))
	main, err := os.ReadFile(f.Path())
	require.NoError(t, err)
	backup, err := os.ReadFile(f.BackupPath())
	require.NoError(t, err)
	require.Equal(t, main, backup)
	st, err := os.Stat(f.BackupPath())
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	// The main file damaged: the copy still reads, Read names the error kind.
	require.NoError(t, os.WriteFile(f.Path(), main[:len(main)/2], 0o600))
	_, err = f.Read()
	require.ErrorIs(t, err, ErrDamaged)
	got, err := Parse(f.BackupPath(), backup)
	require.NoError(t, err)
	require.Equal(t, want.Tokens, got.Tokens)
	// An update refuses to write over a damaged file (and leaves the copy alone).
	require.ErrorIs(t, f.Update(func(d *Data) error { d.Tokens = nil; return nil }), ErrDamaged)
	backup2, err := os.ReadFile(f.BackupPath())
	require.NoError(t, err)
	require.Equal(t, backup, backup2)
}

func TestReplaceMovesTheDamagedFileAside(t *testing.T) {
	dir := t.TempDir()
	f := Open(filepath.Join(dir, "index.json"))
	damaged := []byte(`{"tokens":[{"id":"aa`)
	require.NoError(t, os.WriteFile(f.Path(), damaged, 0o600))
	aside := filepath.Join(dir, "index.json.damaged-1")
	// Changed since it was read: nothing is done.
	require.ErrorContains(t, f.Replace([]byte("other"), aside, sampleData()), "again")
	require.NoFileExists(t, aside)

	require.NoError(t, f.Replace(damaged, aside, sampleData()))
	b, err := os.ReadFile(aside)
	require.NoError(t, err)
	require.Equal(t, damaged, b)
	d, err := f.Read()
	require.NoError(t, err)
	require.Equal(t, sampleData().Tokens, d.Tokens)
	b, err = os.ReadFile(f.BackupPath())
	require.NoError(t, err)
	bk, err := Parse(f.BackupPath(), b)
	require.NoError(t, err)
	require.Equal(t, d.Tokens, bk.Tokens)
}

func TestReadErrorKinds(t *testing.T) {
	p := filepath.Join(t.TempDir(), "index.json")
	for in, want := range map[string]error{`{"tokens": [`: ErrDamaged, ``: ErrDamaged, `{"version":-1}`: ErrDamaged, `{"version":"1"}`: ErrDamaged, `{"version": 99}`: ErrNewer} {
		require.NoError(t, os.WriteFile(p, []byte(in), 0o600))
		_, err := Open(p).Read()
		require.ErrorIs(t, err, want, in)
	}
}
