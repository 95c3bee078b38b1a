package install

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/tokenbridge/tokenbridge/host/config"
)

// Description is the manifest's description field.
const Description = "tokenbridge: keeps T-Invest and MOEX tokens in the OS keyring for the tokenbridge extension"

// Manifest is a parsed host manifest (both families).
type Manifest struct {
	Name              string   `json:"name"`
	Description       string   `json:"description"`
	Path              string   `json:"path"`
	Type              string   `json:"type"`
	AllowedOrigins    []string `json:"allowed_origins,omitempty"`
	AllowedExtensions []string `json:"allowed_extensions,omitempty"`
}

// Render produces the manifest for family, pointing at hostPath and
// allowing the built-in extension IDs plus extra (already normalized).
// (Marshalled from a struct, not a template: executing a text/template
// keeps every exported method of every type in the binary, 1.5 MB, and
// every host start pays for a larger binary; see scripts/bench.sh.)
// manifest/ holds what it writes for /usr/bin/tokenbridge.
func Render(family Family, hostPath string, extra []string) ([]byte, error) {
	if family != FamilyChromium && family != FamilyFirefox {
		return nil, fmt.Errorf("unknown manifest family %q", family)
	}
	if !filepath.IsAbs(hostPath) && !isWindowsAbs(hostPath) {
		return nil, fmt.Errorf("host path %q is not absolute: browsers need an absolute path", hostPath)
	}
	origins, gecko := splitIDs(extra)
	m := Manifest{Name: config.HostName, Description: Description, Path: hostPath, Type: "stdio"}
	if family == FamilyChromium {
		m.AllowedOrigins = origins
	} else {
		m.AllowedExtensions = gecko
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render %s manifest: %w", family, err)
	}
	return append(b, '\n'), nil
}

// isWindowsAbs accepts C:\... paths so Windows layouts render on any OS.
func isWindowsAbs(p string) bool {
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') &&
		((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z'))
}
