package install

import "errors"

// ErrKeyNotFound is returned by Registry.ManifestPath for a missing key.
var ErrKeyNotFound = errors.New("registry key not found")

// Registry is the part of the Windows registry install touches: one key
// per browser whose default value is the manifest path. system selects
// HKLM instead of HKCU. The real one exists only on Windows; tests use a
// fake.
type Registry interface {
	// SetManifestPath creates key and sets its default value.
	SetManifestPath(system bool, key, manifestPath string) error
	// ManifestPath reads the default value of key (ErrKeyNotFound if absent).
	ManifestPath(system bool, key string) (string, error)
	// DeleteKey removes key; a missing key is not an error.
	DeleteKey(system bool, key string) error
}
