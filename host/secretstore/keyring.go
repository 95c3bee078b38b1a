package secretstore

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// osKeyring is the real keyring through go-keyring.
type osKeyring struct{}

// Open returns the OS keyring with transparent chunking of large secrets
// and one deadline for each whole operation (default 5 s,
// TOKENBRIDGE_KEYRING_TIMEOUT overrides).
func Open() Store {
	return OpenWith(osKeyring{}, TimeoutFromEnv(os.Getenv("TOKENBRIDGE_KEYRING_TIMEOUT")))
}

// OpenWith is Open over another backend (tests give a fake): chunking,
// inside one deadline d per operation.
func OpenWith(backend Store, d time.Duration) Store {
	return WithTimeout(WithChunking(backend, ChunkSize), d)
}

// TimeoutFromEnv parses a Go duration between 100ms and 2m; anything else
// gives DefaultTimeout.
func TimeoutFromEnv(v string) time.Duration {
	d, err := time.ParseDuration(v)
	if err != nil || d < 100*time.Millisecond || d > 2*time.Minute {
		return DefaultTimeout
	}
	return d
}

func (osKeyring) Set(key, secret string) error {
	return classify("store", keyring.Set(Service, key, secret))
}

func (osKeyring) Get(key string) (string, error) {
	s, err := keyring.Get(Service, key)
	return s, classify("read", err)
}

func (osKeyring) Delete(key string) error {
	return classify("delete", keyring.Delete(Service, key))
}

func (k osKeyring) List() ([]string, error) {
	keys, err := listKeys()
	return keys, classify("list", err)
}

// classify maps backend errors to the package's errors, each of which says
// what to do. The backend's own text is kept after the %w for diagnosis; it
// never contains the secret.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("keyring %s: %w", op, ErrTooLarge)
	case errors.Is(err, errNoList):
		return err
	}
	msg := err.Error()
	lower := strings.ToLower(msg)
	switch {
	case strings.Contains(lower, "no such object") ||
		(strings.Contains(lower, "no such interface") && strings.Contains(lower, "secret.item")):
		// The item was deleted between the search and the call (another
		// process or a concurrent delete): it is gone.
		return ErrNotFound
	case strings.Contains(lower, "unlock") || strings.Contains(lower, "locked") ||
		strings.Contains(lower, "prompt") || strings.Contains(lower, "dismissed") ||
		strings.Contains(lower, "user interaction is not allowed") || strings.Contains(lower, "-25308"):
		return fmt.Errorf("keyring %s: %w (%s)", op, ErrLocked, msg)
	case strings.Contains(lower, "dbus") || strings.Contains(lower, "d-bus") ||
		strings.Contains(lower, "org.freedesktop.secrets") || strings.Contains(lower, "serviceunknown") ||
		strings.Contains(lower, "no such file") || strings.Contains(lower, "connection refused") ||
		strings.Contains(lower, "not provided by any") || strings.Contains(lower, "executable file not found"):
		return fmt.Errorf("keyring %s: %w (%s)", op, ErrUnavailable, msg)
	}
	return fmt.Errorf("keyring %s: %w", op, err)
}
