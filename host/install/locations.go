package install

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tokenbridge/tokenbridge/host/config"
)

// Location is one place a browser reads the host manifest from.
type Location struct {
	Browser Browser
	System  bool   // system-wide (all users) rather than per user
	Dir     string // directory holding the manifest
	File    string // the manifest file
	// RegKey is set on Windows: the key (under HKCU, or HKLM when System)
	// whose default value is File.
	RegKey string
}

// RegRoot names the registry hive of a Windows location.
func (l Location) RegRoot() string {
	if l.System {
		return "HKLM"
	}
	return "HKCU"
}

// ErrNotOnOS means the browser does not exist on the OS, or tokenbridge
// knows no location for it there.
var ErrNotOnOS = errors.New("no known manifest location on this operating system")

// Locations returns where b reads the host manifest on env.GOOS, for the
// user or the system scope. forWrite drops optional system directories
// whose parent does not exist (e.g. /usr/lib64 on Debian). Browsers that
// read the same place (Chrome's channels, Opera) get the same Location.
func Locations(env Env, b Browser, system, forWrite bool) ([]Location, error) {
	var dirs []string
	switch env.GOOS {
	case "linux":
		if b.LinuxHosts == "" {
			return nil, notOnOS(b, env.GOOS)
		}
		if system {
			for _, d := range b.LinuxSystem {
				// /usr/lib64 exists only on some distributions; skip it elsewhere.
				if forWrite && len(dirs) > 0 && !isDir(env.sys(filepath.Dir(filepath.Dir(d)))) {
					continue
				}
				dirs = append(dirs, env.sys(d))
			}
		} else if b.Family == FamilyFirefox {
			dirs = []string{filepath.Join(env.Home, filepath.FromSlash(b.LinuxHosts))}
		} else {
			dirs = []string{filepath.Join(env.xdgConfig(), filepath.FromSlash(b.LinuxHosts))}
		}
	case "darwin":
		if len(b.MacHosts) == 0 {
			return nil, notOnOS(b, env.GOOS)
		}
		if system {
			for _, d := range b.MacSystem {
				dirs = append(dirs, env.sys(d))
			}
		} else {
			for _, d := range b.MacHosts {
				dirs = append(dirs, filepath.Join(env.Home, "Library", "Application Support", filepath.FromSlash(d)))
			}
		}
	case "windows":
		if b.WinKey == "" {
			return nil, notOnOS(b, env.GOOS)
		}
		base, name := env.LocalAppData, "LOCALAPPDATA"
		if system {
			base, name = env.ProgramData, "ProgramData"
		}
		if base == "" {
			return nil, fmt.Errorf("%%%s%% is not set: cannot place the manifest for %s (set it and retry)", name, b.Name)
		}
		dir := filepath.Join(base, "tokenbridge", "manifests", winKeyOwner(b))
		return []Location{{
			Browser: b, System: system, Dir: dir,
			File:   filepath.Join(dir, ManifestFile),
			RegKey: b.WinKey + `\` + config.HostName,
		}}, nil
	default:
		return nil, fmt.Errorf("%w: %q (supported: linux, darwin, windows)", ErrUnsupportedOS, env.GOOS)
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("%w for %s on %s: install per user instead (drop --system) and run it as each user", ErrNoSystemPath, b.Name, env.GOOS)
	}
	locs := make([]Location, 0, len(dirs))
	for _, d := range dirs {
		locs = append(locs, Location{Browser: b, System: system, Dir: d, File: filepath.Join(d, ManifestFile)})
	}
	return locs, nil
}

func notOnOS(b Browser, goos string) error {
	return fmt.Errorf("%w: %s on %s; if it is installed, pass its profile's NativeMessagingHosts directory with --dir DIR", ErrNotOnOS, b.Name, goos)
}

// winKeyOwner names the manifest directory on Windows: the first browser
// reading the same registry key, so browsers sharing a key share one
// manifest and one record entry.
func winKeyOwner(b Browser) string {
	for _, o := range Browsers {
		if strings.EqualFold(o.WinKey, b.WinKey) {
			return o.ID
		}
	}
	return b.ID
}
