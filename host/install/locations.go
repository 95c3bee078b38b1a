package install

import (
	"fmt"
	"path/filepath"

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

// Locations returns where b reads the host manifest on env.GOOS, for the
// user or the system scope. forWrite drops optional system directories
// whose parent does not exist (e.g. /usr/lib64 on Debian).
func Locations(env Env, b Browser, system, forWrite bool) ([]Location, error) {
	var dirs []string
	switch env.GOOS {
	case "linux":
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
		if system {
			for _, d := range b.MacSystem {
				dirs = append(dirs, env.sys(d))
			}
		} else {
			dirs = []string{filepath.Join(env.Home, "Library", "Application Support", filepath.FromSlash(b.MacHosts))}
		}
	case "windows":
		base, name := env.LocalAppData, "LOCALAPPDATA"
		if system {
			base, name = env.ProgramData, "ProgramData"
		}
		if base == "" {
			return nil, fmt.Errorf("%%%s%% is not set: cannot place the manifest for %s (set it and retry)", name, b.Name)
		}
		dir := filepath.Join(base, "tokenbridge", "manifests", b.ID)
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
