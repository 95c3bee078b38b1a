// Package secretstore keeps secrets in the OS keyring and nowhere else.
//
// Store is the one small interface the rest of the host uses. Open returns
// the real keyring (Secret Service, Keychain or Credential Manager through
// go-keyring), with transparent chunking of secrets larger than a backend
// accepts and one deadline around each whole operation. NewMemory is the in-memory fake for
// unit tests. There is no plaintext fallback: when the keyring fails the
// error says why and how to fix it.
package secretstore

import (
	"errors"
	"fmt"

	"github.com/tokenbridge/tokenbridge/host/ascii"
	"github.com/tokenbridge/tokenbridge/host/limits"
)

// Service is the keyring service name every item is stored under.
const Service = "tokenbridge"

// MaxSecret bounds a single secret (after joining chunks): 16 KiB, see
// limits.MaxKeyringValue.
const MaxSecret = limits.MaxKeyringValue

// Store keeps secrets by key.
type Store interface {
	Set(key, secret string) error
	Get(key string) (string, error)
	Delete(key string) error
}

// Lister is implemented by stores that can enumerate their keys (used by
// doctor to find keyring items without metadata).
type Lister interface {
	List() ([]string, error)
}

var (
	ErrNotFound    = errors.New("secret not found in keyring")
	ErrLocked      = errors.New("keyring locked: unlock it (GNOME: Seahorse «Пароли и ключи» → Login → Unlock; macOS: Keychain Access; or log out and back in)")
	ErrUnavailable = errors.New("keyring unavailable: no Secret Service / Keychain / Credential Manager answered (Linux: install gnome-keyring or KeePassXC with Secret Service enabled and log in to a desktop session)")
	ErrTimeout     = errors.New("keyring timeout: the keyring did not answer in time (an unlock prompt may be waiting on your desktop; unlock the keyring and retry)")
	ErrTooLarge    = errors.New("secret too large")
	ErrBadKey      = errors.New("invalid keyring key")
	// ErrDamaged: a secret stored in chunks does not add up (a chunk missing or changed);
	// it cannot be read back: delete it and store it again (tokenbridge doctor says how).
	ErrDamaged = errors.New("keyring item damaged (a large secret's chunks do not add up)")
)

// CheckKey validates a key: 1-128 bytes a-z 0-9 _ . / # -, starting with a
// letter or digit. Keys are built by the host, never by a caller.
func CheckKey(key string) error {
	if key == "" || len(key) > 128 || !isKeyStart(key[0]) || !ascii.All(key, isKeyByte) {
		return fmt.Errorf("%w: %q", ErrBadKey, key)
	}
	return nil
}

func isKeyStart(c byte) bool { return ascii.IsLower(c) || ascii.IsDigit(c) }
func isKeyByte(c byte) bool  { return isKeyStart(c) || ascii.In(c, "_./#-") }
