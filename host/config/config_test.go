package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalizeOrigin(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"https://logos-up.com", "https://logos-up.com", true},
		{"https://LOGOS-UP.com/", "https://logos-up.com", true},
		{"https://logos-up.com:443", "https://logos-up.com", true},
		{"http://logos-up.com", "", false},
		{"https://logos-up.com/profile", "", false},
		{"https://user@logos-up.com", "", false},
		{"https://logos-up.com?x=1", "", false},
		{"javascript:alert(1)", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeOrigin(tt.in)
		require.Equal(t, tt.ok, ok, tt.in)
		require.Equal(t, tt.want, got, tt.in)
	}
}

func TestFillAllowed(t *testing.T) {
	c := &Config{FillOrigins: map[string][]string{"tinvest": {"https://example.org"}}}
	require.True(t, c.FillAllowed("tinvest", "https://logos-up.com"))
	require.True(t, c.FillAllowed("tinvest", "https://www.logos-up.com/"))
	require.True(t, c.FillAllowed("tinvest", "https://example.org"))
	require.False(t, c.FillAllowed("tinvest", "https://logos-up.com.evil.test"))
	require.False(t, c.FillAllowed("tinvest", "https://logos-up.net"))
	require.False(t, c.FillAllowed("moex", "https://logos-up.com"))
}

func TestExtensionIDs(t *testing.T) {
	c := &Config{}
	require.True(t, c.AllowedExtension(ChromiumExtensionID))
	require.True(t, c.AllowedExtension(FirefoxExtensionID))
	require.False(t, c.AllowedExtension("abcdefghijklmnopabcdefghijklmnop"))
	require.NoError(t, c.AddExtensionID("abcdefghijklmnopabcdefghijklmnop"))
	require.True(t, c.AllowedExtension("abcdefghijklmnopabcdefghijklmnop"))
	for _, bad := range []string{"", "xyz", "chrome-extension://abc/", "ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP", "a b@c"} {
		require.Error(t, c.AddExtensionID(bad), bad)
	}
}

func TestSaveLoad(t *testing.T) {
	d := Dirs{Home: filepath.Join(t.TempDir(), "h")}
	c, err := Load(d)
	require.NoError(t, err)
	require.NoError(t, c.AddExtensionID("other@example.org"))
	require.NoError(t, c.Save(d))
	st, err := os.Stat(d.Config())
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	c2, err := Load(d)
	require.NoError(t, err)
	require.Equal(t, []string{"other@example.org"}, c2.ExtensionIDs)
	require.NoError(t, os.WriteFile(d.Config(), []byte("{"), 0o600))
	_, err = Load(d)
	require.ErrorContains(t, err, "not valid JSON")
}
