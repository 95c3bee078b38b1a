package install

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/config"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name       string
		family     Family
		path       string
		extra      []string
		origins    []string
		extensions []string
	}{
		{
			name: "chromium default", family: FamilyChromium, path: "/opt/tb/tokenbridge",
			origins: []string{"chrome-extension://hodkpdeoebfagkfdfjfhcfnbemcgabcj/"},
		},
		{
			name: "chromium extra ids keep only chromium ones", family: FamilyChromium, path: "/opt/tb/tokenbridge",
			extra:   []string{"abcdefghijklmnopabcdefghijklmnop", "me@example.org"},
			origins: []string{"chrome-extension://hodkpdeoebfagkfdfjfhcfnbemcgabcj/", "chrome-extension://abcdefghijklmnopabcdefghijklmnop/"},
		},
		{
			name: "firefox default", family: FamilyFirefox, path: "/opt/tb/tokenbridge",
			extensions: []string{"tokenbridge@tokenbridge.dev"},
		},
		{
			name: "firefox extra gecko ids", family: FamilyFirefox, path: "/opt/tb/tokenbridge",
			extra:      []string{"abcdefghijklmnopabcdefghijklmnop", "{12345678-1234-1234-1234-123456789abc}"},
			extensions: []string{"tokenbridge@tokenbridge.dev", "{12345678-1234-1234-1234-123456789abc}"},
		},
		{
			name: "windows path with backslashes and quote stays valid JSON", family: FamilyChromium,
			path:    `C:\Users\O"Brien\AppData\Local\tokenbridge\tokenbridge.exe`,
			origins: []string{"chrome-extension://hodkpdeoebfagkfdfjfhcfnbemcgabcj/"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := Render(tc.family, tc.path, tc.extra)
			require.NoError(t, err)
			var raw map[string]any
			require.NoError(t, json.Unmarshal(data, &raw))
			var m Manifest
			require.NoError(t, json.Unmarshal(data, &m))
			require.Equal(t, config.HostName, m.Name)
			require.Equal(t, "stdio", m.Type)
			require.Equal(t, tc.path, m.Path)
			require.NotEmpty(t, m.Description)
			require.Equal(t, tc.origins, m.AllowedOrigins)
			require.Equal(t, tc.extensions, m.AllowedExtensions)
			if tc.family == FamilyChromium {
				require.NotContains(t, raw, "allowed_extensions")
			} else {
				require.NotContains(t, raw, "allowed_origins")
			}
		})
	}
}

// manifest/ shows what install writes for /usr/bin/tokenbridge: kept equal.
func TestRenderMatchesManifestExamples(t *testing.T) {
	for family, file := range map[Family]string{FamilyChromium: "chromium.json", FamilyFirefox: "firefox.json"} {
		want, err := os.ReadFile(filepath.Join("..", "..", "manifest", file))
		require.NoError(t, err)
		got, err := Render(family, "/usr/bin/tokenbridge", nil)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "manifest/%s is what Render writes", file)
	}
}

func TestRenderRejects(t *testing.T) {
	_, err := Render(FamilyChromium, "relative/tokenbridge", nil)
	require.ErrorContains(t, err, "not absolute")
	_, err = Render(Family("safari"), "/x", nil)
	require.ErrorContains(t, err, "unknown manifest family")
}

func TestNormalizeExtensionID(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"abcdefghijklmnopabcdefghijklmnop", "abcdefghijklmnopabcdefghijklmnop", true},
		{"  abcdefghijklmnopabcdefghijklmnop ", "abcdefghijklmnopabcdefghijklmnop", true},
		{"chrome-extension://abcdefghijklmnopabcdefghijklmnop/", "abcdefghijklmnopabcdefghijklmnop", true},
		{"me@example.org", "me@example.org", true},
		{"{12345678-1234-1234-1234-123456789abc}", "{12345678-1234-1234-1234-123456789abc}", true},
		{"abcdefghijklmnopabcdefghijklmnoq", "", false}, // q is outside a-p
		{"abcdefghijklmnopabcdefghijklmno", "", false},  // 31 chars
		{"ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP", "", false}, // upper case
		{"chrome-extension://short/", "", false},        // bad id after prefix
		{"{12345678-1234-1234-1234-123456789abc", "", false},
		{"me@", "", false},
		{"@example.org", "", false},
		{"me@exa mple.org", "", false},
		{"", "", false},
		{"x@" + string(make([]byte, 100)), "", false},
		{`"; rm -rf /`, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := NormalizeExtensionID(tc.in)
			if !tc.ok {
				require.Error(t, err)
				require.True(t, errors.Is(err, ErrUsage))
				require.Contains(t, err.Error(), "32 letters a-p")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestNormalizeExtensionIDsDedupes(t *testing.T) {
	got, err := NormalizeExtensionIDs([]string{
		"abcdefghijklmnopabcdefghijklmnop", "chrome-extension://abcdefghijklmnopabcdefghijklmnop/",
		config.ChromiumExtensionID, config.FirefoxExtensionID, "me@example.org",
	})
	require.NoError(t, err)
	require.Equal(t, []string{"abcdefghijklmnopabcdefghijklmnop", "me@example.org"}, got)

	many := make([]string, maxExtraIDs+1)
	for i := range many {
		many[i] = "me@example.org"
	}
	_, err = NormalizeExtensionIDs(many)
	require.ErrorIs(t, err, ErrUsage)
}

func TestParseBrowsers(t *testing.T) {
	tests := []struct {
		in      string
		ids     []string
		all     bool
		wantErr bool
	}{
		{"", BrowserIDs(), true, false},
		{"all", BrowserIDs(), true, false},
		{"firefox", []string{"firefox"}, false, false},
		{"Firefox, chrome,firefox", []string{"chrome", "firefox"}, false, false},
		{"yandex", []string{"yandex"}, false, false},
		{"safari", nil, false, true},
		{"all,chrome", nil, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			list, all, err := ParseBrowsers(tc.in)
			if tc.wantErr {
				require.ErrorIs(t, err, ErrUsage)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.all, all)
			var ids []string
			for _, b := range list {
				ids = append(ids, b.ID)
			}
			require.Equal(t, tc.ids, ids)
		})
	}
}
