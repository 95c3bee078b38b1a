// Package config knows where tokenbridge keeps its files and loads the small
// user settings file. It never holds a secret.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tokenbridge/tokenbridge/host/ascii"
	"github.com/tokenbridge/tokenbridge/host/atomicfile"
	"github.com/tokenbridge/tokenbridge/host/limits"
)

const (
	// ChromiumExtensionID is pinned by the "key" in extension/manifest.json.
	ChromiumExtensionID = "hodkpdeoebfagkfdfjfhcfnbemcgabcj"
	// FirefoxExtensionID is browser_specific_settings.gecko.id.
	FirefoxExtensionID = "tokenbridge@tokenbridge.dev"
	// HostName is the native messaging host name.
	HostName = "dev.tokenbridge.host"
)

// DefaultFillOrigins lists, per provider, the page origins a secret may be
// filled into.
var DefaultFillOrigins = map[string][]string{
	"tinvest": {"https://logos-up.com", "https://www.logos-up.com"},
}

// Dirs are the directories tokenbridge writes to.
type Dirs struct {
	// Home holds config.json, index.json and (under state/) logs and locks.
	Home string
}

// Config returns the path of config.json.
func (d Dirs) Config() string { return filepath.Join(d.Home, "config.json") }

// Index returns the path of the metadata index.
func (d Dirs) Index() string { return filepath.Join(d.Home, "index.json") }

// State returns the directory for logs and lock files.
func (d Dirs) State() string { return filepath.Join(d.Home, "state") }

// Log returns the path of the host's log file.
func (d Dirs) Log() string { return filepath.Join(d.State(), "tokenbridge.log") }

// Paths resolves the directories: $TOKENBRIDGE_HOME, else the user's config
// dir + "/tokenbridge".
func Paths() (Dirs, error) {
	if h := os.Getenv("TOKENBRIDGE_HOME"); h != "" {
		abs, err := filepath.Abs(h)
		if err != nil {
			return Dirs{}, fmt.Errorf("TOKENBRIDGE_HOME: %w", err)
		}
		return Dirs{Home: abs}, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return Dirs{}, fmt.Errorf("no user config dir (set TOKENBRIDGE_HOME): %w", err)
	}
	return Dirs{Home: filepath.Join(base, "tokenbridge")}, nil
}

// Config is the user's settings (config.json).
type Config struct {
	// ExtensionIDs are extra extension IDs allowed to call the host, added by
	// `tokenbridge install --extension-id`.
	ExtensionIDs []string `json:"extension_ids,omitempty"`
	// FillOrigins adds origins a provider's secrets may be filled into.
	FillOrigins map[string][]string `json:"fill_origins,omitempty"`
	// APIOverrides names API addresses and CA files the user explicitly allows
	// (see overrides.go).
	APIOverrides APIOverrides `json:"api_overrides,omitzero"`
}

// Load reads config.json; a missing file is an empty config.
func Load(d Dirs) (*Config, error) {
	b, err := os.ReadFile(d.Config())
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("config %s is not valid JSON (fix or delete it): %w", d.Config(), err)
	}
	return &c, nil
}

// Save writes config.json atomically with mode 0600.
func (c *Config) Save(d Dirs) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(d.Config()), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(d.Config()), err)
	}
	return atomicfile.WriteFile(d.Config(), append(b, '\n'), 0o600)
}

// IsChromiumID reports whether id is a Chromium extension ID (32 letters a-p).
func IsChromiumID(id string) bool { return len(id) == 32 && ascii.All(id, isChromiumIDByte) }

func isChromiumIDByte(c byte) bool { return 'a' <= c && c <= 'p' }

// IsGeckoID reports whether id is a Firefox extension ID: {uuid} (36
// hex digits or dashes in braces) or name@domain (each 1-80 characters:
// the name A-Z a-z 0-9 . _ + -, the domain A-Z a-z 0-9 . -).
func IsGeckoID(id string) bool {
	if len(id) == 38 && id[0] == '{' && id[37] == '}' {
		return ascii.All(id[1:37], isUUIDByte)
	}
	name, domain, ok := strings.Cut(id, "@")
	return ok && len(name) >= 1 && len(name) <= 80 && len(domain) >= 1 && len(domain) <= 80 &&
		ascii.All(name, isGeckoNameByte) && ascii.All(domain, isGeckoDomainByte)
}

func isUUIDByte(c byte) bool        { return ascii.IsHex(c) || c == '-' }
func isGeckoNameByte(c byte) bool   { return ascii.IsAlnum(c) || ascii.In(c, "._+-") }
func isGeckoDomainByte(c byte) bool { return ascii.IsAlnum(c) || ascii.In(c, ".-") }

// AllowedExtension reports whether the extension id may call the host: the
// built-in IDs, the Chrome Web Store ID a release build was stamped with
// (host/buildinfo), and the IDs install added.
func (c *Config) AllowedExtension(id string) bool {
	return IsBuiltinExtension(id) || slices.Contains(c.ExtensionIDs, id)
}

// AddExtensionID validates and records an extra allowed extension ID.
func (c *Config) AddExtensionID(id string) error {
	if !IsChromiumID(id) && !IsGeckoID(id) {
		return fmt.Errorf("%q is not an extension ID: a Chromium ID is 32 letters a-p (see chrome://extensions), a Firefox ID looks like name@example.org or {uuid}", id)
	}
	if !slices.Contains(c.ExtensionIDs, id) && id != ChromiumExtensionID && id != FirefoxExtensionID {
		c.ExtensionIDs = append(c.ExtensionIDs, id)
	}
	return nil
}

// FillAllowed reports whether origin may receive provider's secrets.
func (c *Config) FillAllowed(provider, origin string) bool {
	o, ok := NormalizeOrigin(origin)
	if !ok {
		return false
	}
	fillMu.RLock()
	defer fillMu.RUnlock()
	return slices.Contains(DefaultFillOrigins[provider], o) || slices.Contains(c.FillOrigins[provider], o)
}

// NormalizeOrigin parses an https origin ("https://host[:port]") and returns
// it in canonical form. Anything with a path, query, user info or another
// scheme is rejected.
func NormalizeOrigin(s string) (string, bool) {
	if len(s) > limits.MaxOrigin {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", false
	}
	host := strings.ToLower(u.Host)
	if strings.HasSuffix(host, ":443") {
		host = strings.TrimSuffix(host, ":443")
	}
	return "https://" + host, true
}
