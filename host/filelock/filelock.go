// Package filelock takes an exclusive, cross-process lock on a file.
// OS differences live in build-tagged files.
package filelock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tokenbridge/tokenbridge/host/limits"
)

// DefaultWait bounds how long Lock waits for another process
// (limits.LockWait).
const DefaultWait = limits.LockWait

// ErrTimeout means another process held the lock for too long.
var ErrTimeout = errors.New("timed out waiting for a lock")

// errBusy is returned by tryLockFile when another process holds the lock.
var errBusy = errors.New("lock busy")

// Lock waits up to DefaultWait for an exclusive lock on path.
func Lock(path string) (unlock func() error, err error) { return LockWait(path, DefaultWait) }

// LockWait takes an exclusive lock on path (created 0600 if missing),
// waiting up to wait, and returns the function that releases it. The OS
// releases the lock if the process dies, so a killed process never wedges
// others.
func LockWait(path string, wait time.Duration) (unlock func() error, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	deadline := time.Now().Add(wait)
	backoff := time.Millisecond
	for {
		err = tryLockFile(f)
		if err == nil {
			break
		}
		if !errors.Is(err, errBusy) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("%w: %s is held by another tokenbridge process for over %s (a hung process? end it and retry)", ErrTimeout, path, wait)
		}
		time.Sleep(backoff)
		backoff = min(backoff*2, 50*time.Millisecond)
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
