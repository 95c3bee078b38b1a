package moex

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/index"
)

// The index package's fixture was written by tokenbridge while the MOEX
// profile schema still lived in index: profiles stored then must load now.
const fixtureV1 = "../index/testdata/index-v1.json"

func fixtureStore(t *testing.T) IndexProfiles {
	t.Helper()
	b, err := os.ReadFile(fixtureV1)
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "index.json")
	require.NoError(t, os.WriteFile(p, b, 0o600))
	return IndexProfiles{File: index.Open(p)}
}

func TestIndexProfilesReadsTheV1Format(t *testing.T) {
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	want := []Profile{
		{Name: "play1", Env: EnvPlay, Grant: GrantPassword, ClientID: "test_api", Username: "trader", Scope: "openid",
			TokenURL: PlayTokenURL, AuthStyle: AuthBasic, CreatedAt: t0,
			ObtainedAt: t0.Add(time.Minute), AccessExpiresAt: t0.Add(6 * time.Minute), RefreshExpiresAt: t0.Add(30 * time.Minute),
			TokenType: "Bearer", TokenScope: "openid profile"},
		{Name: "legacy-prod", Env: EnvProduction, Grant: GrantPassword, ClientID: "c2", Username: "u2",
			TokenURL: LegacyProductionTokenURL, Legacy: true, CreatedAt: t0},
		{Name: "cc", Env: EnvProduction, Grant: GrantClientCredentials, ClientID: "svc", TokenURL: ProductionTokenURL, CreatedAt: t0},
	}
	s := fixtureStore(t)
	got, err := s.Load()
	require.NoError(t, err)
	require.Equal(t, want, got)

	// Writing them back unchanged leaves the file byte for byte as it was.
	require.NoError(t, s.Modify(func(ps []Profile) ([]Profile, error) { return ps, nil }))
	before, err := os.ReadFile(fixtureV1)
	require.NoError(t, err)
	after, err := os.ReadFile(s.File.Path())
	require.NoError(t, err)
	require.Equal(t, string(before), string(after))
}

func TestIndexProfilesModifyKeepsTokens(t *testing.T) {
	tests := []struct {
		name      string
		fn        func([]Profile) ([]Profile, error)
		wantNames []string
		section   bool // whether the "moex" key stays in the file
	}{
		{
			name:      "drop one profile",
			fn:        func(ps []Profile) ([]Profile, error) { return ps[1:], nil },
			wantNames: []string{"legacy-prod", "cc"},
			section:   true,
		},
		{
			name: "add a profile",
			fn: func(ps []Profile) ([]Profile, error) {
				return append(ps, Profile{Name: "new", Env: EnvPlay, Grant: GrantClientCredentials, ClientID: "x", TokenURL: PlayTokenURL}), nil
			},
			wantNames: []string{"play1", "legacy-prod", "cc", "new"},
			section:   true,
		},
		{
			name:      "remove every profile",
			fn:        func([]Profile) ([]Profile, error) { return nil, nil },
			wantNames: []string{},
			section:   false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fixtureStore(t)
			before, err := s.File.Read()
			require.NoError(t, err)
			require.NoError(t, s.Modify(tt.fn))
			ps, err := s.Load()
			require.NoError(t, err)
			names := []string{}
			for _, p := range ps {
				names = append(names, p.Name)
			}
			require.Equal(t, tt.wantNames, names)
			after, err := s.File.Read()
			require.NoError(t, err)
			require.Equal(t, before.Tokens, after.Tokens, "tokens are untouched")
			_, has := after.Sections[IndexSection]
			require.Equal(t, tt.section, has)
		})
	}
}

func TestIndexProfilesEmptyAndDamaged(t *testing.T) {
	s := IndexProfiles{File: index.Open(filepath.Join(t.TempDir(), "index.json"))}
	ps, err := s.Load()
	require.NoError(t, err)
	require.NotNil(t, ps)
	require.Empty(t, ps)

	require.NoError(t, os.WriteFile(s.File.Path(), []byte(`{"version":1,"tokens":[],"moex":"oops"}`), 0o600))
	_, err = s.Load()
	require.ErrorContains(t, err, "doctor")
	require.ErrorContains(t, s.Modify(func(ps []Profile) ([]Profile, error) { return ps, nil }), "doctor")
}
