// Package install registers the tokenbridge native messaging host with
// browsers: it renders host manifests from the templates in manifest/,
// writes them where each browser looks (and, on Windows, the registry keys
// that point at them), records what it wrote so uninstall is exact, and
// diagnoses existing registrations for `tokenbridge doctor`.
//
// Everything OS-specific is computed from an Env, so the Linux, macOS and
// Windows layouts are all testable on any OS; only the real Windows
// registry access is compiled on Windows alone.
package install

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/tokenbridge/tokenbridge/host/config"
)

// ManifestFile is the file name of the host manifest. The host name and the
// built-in extension IDs every manifest allows come from host/config
// (config.HostName, config.ChromiumExtensionID, config.FirefoxExtensionID).
const ManifestFile = config.HostName + ".json"

// Errors callers can test for with errors.Is.
var (
	// ErrUsage marks a bad flag or argument (exit code 2).
	ErrUsage = errors.New("usage")
	// ErrNoBrowser means no browser was found to install for.
	ErrNoBrowser = errors.New("no supported browser found")
	// ErrNoSystemPath means the browser has no known system-wide location.
	ErrNoSystemPath = errors.New("no known system-wide manifest location")
	// ErrUnsupportedOS means the OS has no known layout.
	ErrUnsupportedOS = errors.New("unsupported operating system")
)

// Env is everything install, uninstall and diagnose read from the machine.
// DefaultEnv fills it from the real one; tests point it at temp dirs.
type Env struct {
	GOOS          string // "linux", "darwin" or "windows"
	Home          string // user's home directory
	XDGConfigHome string // Linux: $XDG_CONFIG_HOME or Home/.config
	LocalAppData  string // Windows: %LOCALAPPDATA%
	AppData       string // Windows: %APPDATA%
	ProgramData   string // Windows: %ProgramData% (manifests for --system)
	// Root prefixes absolute system paths (/etc/..., /Library/..., /snap/...);
	// empty means the real root. Tests set it to a temp dir.
	Root string
	// LookPath finds a program on PATH (exec.LookPath).
	LookPath func(name string) (string, error)
	// Executable is the absolute, symlink-free path of the host binary that
	// manifests point at.
	Executable string
	// ConfigDir is tokenbridge's config directory: installed.json and
	// config.json live there.
	ConfigDir string
	// Registry is the Windows registry; nil on other systems.
	Registry Registry
	// LoadExtensionIDs and SaveExtensionIDs read and persist the extra
	// extension IDs the host's allowlist accepts. Nil means config.json in
	// ConfigDir.
	LoadExtensionIDs func() ([]string, error)
	SaveExtensionIDs func(ids []string) error
	// CheckSystemBinary returns why a non-root user could replace the
	// binary at path (install --system refuses it), or nil. Nil means the
	// real check of this OS (owner_unix.go, owner_windows.go).
	CheckSystemBinary func(path string) error
}

// DefaultEnv describes the running machine and binary.
func DefaultEnv() (Env, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return Env{}, fmt.Errorf("find home directory: %w (set $HOME and retry)", err)
	}
	exe, err := os.Executable()
	if err != nil {
		return Env{}, fmt.Errorf("find the tokenbridge binary: %w", err)
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return Env{}, fmt.Errorf("resolve the tokenbridge binary path: %w", err)
	}
	if exe, err = filepath.Abs(exe); err != nil {
		return Env{}, fmt.Errorf("resolve the tokenbridge binary path: %w", err)
	}
	cfg, err := defaultConfigDir()
	if err != nil {
		return Env{}, err
	}
	xdg := os.Getenv("XDG_CONFIG_HOME")
	if xdg == "" || !filepath.IsAbs(xdg) {
		xdg = filepath.Join(home, ".config")
	}
	return Env{
		GOOS:          runtime.GOOS,
		Home:          home,
		XDGConfigHome: xdg,
		LocalAppData:  os.Getenv("LOCALAPPDATA"),
		AppData:       os.Getenv("APPDATA"),
		ProgramData:   os.Getenv("ProgramData"),
		LookPath:      exec.LookPath,
		Executable:    exe,
		ConfigDir:     cfg,
		Registry:      systemRegistry(),
	}, nil
}

// defaultConfigDir is host/config's Home ($TOKENBRIDGE_HOME, else the user
// config dir + /tokenbridge).
func defaultConfigDir() (string, error) {
	d, err := config.Paths()
	if err != nil {
		return "", err
	}
	return d.Home, nil
}

func (e Env) xdgConfig() string {
	if e.XDGConfigHome != "" {
		return e.XDGConfigHome
	}
	return filepath.Join(e.Home, ".config")
}

// sys maps an absolute system path into Root.
func (e Env) sys(p string) string {
	if e.Root == "" {
		return p
	}
	return filepath.Join(e.Root, filepath.FromSlash(p))
}

func (e Env) lookPath(name string) (string, bool) {
	if e.LookPath == nil {
		return "", false
	}
	p, err := e.LookPath(name)
	if err != nil || p == "" {
		return "", false
	}
	return p, true
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
