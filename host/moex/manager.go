package moex

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/filelock"
	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/redact"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// The Manager and what both of its paths share: keyring item names, the
// per-profile lock and keyring access. The token path (Token, Logout,
// AccessToken) is in token.go, the profile path (List, Get, Add, Remove,
// Migrate) in profiles.go.

// Keyring item names for a profile. Each secret has its own item.
func keyClientSecret(name string) string { return ItemKey(name, ItemClientSecret) }
func keyPassword(name string) string     { return ItemKey(name, ItemPassword) }
func keyAccess(name string) string       { return ItemKey(name, ItemAccess) }
func keyRefresh(name string) string      { return ItemKey(name, ItemRefresh) }

// LockFunc takes a cross-process lock on path and returns its release function.
type LockFunc func(path string) (unlock func() error, err error)

// Manager runs every profile operation.
type Manager struct {
	Secrets  secretstore.Store
	Profiles ProfileStore
	// LockDir holds the per-profile lock files (the state directory).
	LockDir  string
	Lock     LockFunc
	HTTP     *http.Client
	httpOnce sync.Once
	Now      func() time.Time
	Margin   time.Duration
	Log      zerolog.Logger
}

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *Manager) httpClient() *http.Client {
	m.httpOnce.Do(func() {
		if m.HTTP == nil {
			m.HTTP = newHTTPClient() // once per process: config read, trust pool, one Transport reused
		}
	})
	return m.HTTP
}

// lock takes the per-profile cross-process lock.
func (m *Manager) lock(name string) (func(), error) {
	if m.Lock == nil || m.LockDir == "" {
		return nil, errors.New("moex: no lock configured (internal error)")
	}
	if err := os.MkdirAll(m.LockDir, 0o700); err != nil {
		return nil, fmt.Errorf("create lock directory %s: %w", m.LockDir, err)
	}
	unlock, err := m.Lock(filepath.Join(m.LockDir, "moex-"+name+".lock"))
	if err != nil {
		return nil, fmt.Errorf("lock MOEX profile %q: %w", name, err)
	}
	return func() {
		if err := unlock(); err != nil {
			m.Log.Warn().Err(err).Str("profile", name).Msg("moex: release profile lock")
		}
	}, nil
}

// lockExisting checks the name, takes the profile's cross-process lock and
// reads the profile, which must exist. The caller runs unlock when done.
func (m *Manager) lockExisting(name string) (Profile, func(), error) {
	if err := ValidateName(name); err != nil {
		return Profile{}, nil, err
	}
	unlock, err := m.lock(name)
	if err != nil {
		return Profile{}, nil, err
	}
	p, err := getProfile(m.Profiles, name)
	if err != nil {
		unlock()
		return Profile{}, nil, err
	}
	return p, unlock, nil
}

// getSecret returns "" for a missing item.
func (m *Manager) getSecret(key string) (string, error) {
	v, err := m.Secrets.Get(key)
	if errors.Is(err, secretstore.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s from the keyring: %w", key, err)
	}
	redact.Add(v) // scrub it from any log line or error text in this process
	return v, nil
}

// getCached reads a cached access or refresh token. A cached token whose
// chunks do not add up is worth nothing but is no loss either (a sign-in
// replaces it), so it is deleted and read as absent instead of failing
// every request until `doctor` runs.
func (m *Manager) getCached(key string) (string, error) {
	v, err := m.getSecret(key)
	if !errors.Is(err, secretstore.ErrDamaged) {
		return v, err
	}
	m.Log.Warn().Str("item", key).Err(err).Msg("moex: cached token damaged; dropped, signing in again")
	if derr := m.deleteSecret(key); derr != nil {
		return "", fmt.Errorf("%w (and dropping it failed: %w)", err, derr)
	}
	return "", nil
}

func (m *Manager) deleteSecret(key string) error {
	err := m.Secrets.Delete(key)
	if err != nil && !errors.Is(err, secretstore.ErrNotFound) {
		return fmt.Errorf("delete %s from the keyring: %w", key, err)
	}
	return nil
}

// New returns a Manager over the index and state directory of dirs.
func New(dirs config.Dirs, secrets secretstore.Store, log zerolog.Logger) *Manager {
	return &Manager{
		Secrets:  secrets,
		Profiles: IndexProfiles{File: index.Open(dirs.Index())},
		LockDir:  filepath.Join(dirs.State(), "locks"),
		Lock:     filelock.Lock,
		Log:      log,
	}
}
