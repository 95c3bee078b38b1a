package install

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"text/template"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/manifest"
)

// Description is the manifest's description field.
const Description = "tokenbridge: keeps T-Invest and MOEX tokens in the OS keyring for the tokenbridge extension"

// ManifestData is what the templates in manifest/ are rendered with.
type ManifestData struct {
	Name              string
	Description       string
	Path              string
	AllowedOrigins    []string
	AllowedExtensions []string
}

// Manifest is a parsed host manifest (both families).
type Manifest struct {
	Name              string   `json:"name"`
	Description       string   `json:"description"`
	Path              string   `json:"path"`
	Type              string   `json:"type"`
	AllowedOrigins    []string `json:"allowed_origins,omitempty"`
	AllowedExtensions []string `json:"allowed_extensions,omitempty"`
}

// The templates are parsed on first use: most host starts render no
// manifest. (A sync.Once, not sync.OnceValue: the generic's type dictionary
// would keep every method of *template.Template in the binary, ~50 KB.)
var (
	templatesOnce sync.Once
	templates     map[Family]*template.Template
)

func templateFor(family Family) (*template.Template, bool) {
	templatesOnce.Do(func() {
		templates = map[Family]*template.Template{
			FamilyChromium: mustTemplate("chromium", manifest.Chromium),
			FamilyFirefox:  mustTemplate("firefox", manifest.Firefox),
		}
	})
	t, ok := templates[family]
	return t, ok
}

func mustTemplate(name, text string) *template.Template {
	return template.Must(template.New(name).Option("missingkey=error").Funcs(template.FuncMap{
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
	}).Parse(text))
}

// Render produces the manifest for family, pointing at hostPath and
// allowing the built-in extension IDs plus extra (already normalized).
// The output is checked to be valid JSON with the expected fields.
func Render(family Family, hostPath string, extra []string) ([]byte, error) {
	tmpl, ok := templateFor(family)
	if !ok {
		return nil, fmt.Errorf("unknown manifest family %q", family)
	}
	if !filepath.IsAbs(hostPath) && !isWindowsAbs(hostPath) {
		return nil, fmt.Errorf("host path %q is not absolute: browsers need an absolute path", hostPath)
	}
	origins, gecko := splitIDs(extra)
	data := ManifestData{Name: config.HostName, Description: Description, Path: hostPath}
	if family == FamilyChromium {
		data.AllowedOrigins = origins
	} else {
		data.AllowedExtensions = gecko
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("render %s manifest: %w", family, err)
	}
	var m Manifest
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		return nil, fmt.Errorf("rendered %s manifest is not valid JSON (template bug): %w", family, err)
	}
	if m.Name != config.HostName || m.Path != hostPath || m.Type != "stdio" {
		return nil, fmt.Errorf("rendered %s manifest lacks name, path or type (template bug)", family)
	}
	return buf.Bytes(), nil
}

// isWindowsAbs accepts C:\... paths so Windows layouts render on any OS.
func isWindowsAbs(p string) bool {
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') &&
		((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z'))
}
