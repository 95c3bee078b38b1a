// Package filelock takes an exclusive, cross-process lock on a file.
// OS differences live in build-tagged files.
package filelock

import (
	"fmt"
	"os"
	"path/filepath"
)

// Lock blocks until it holds an exclusive lock on path (created 0600 if
// missing) and returns the function that releases it. The lock is released
// by the OS if the process dies, so a killed process never wedges others.
func Lock(path string) (unlock func() error, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() error {
		uerr := unlockFile(f)
		cerr := f.Close()
		if uerr != nil {
			return uerr
		}
		return cerr
	}, nil
}
