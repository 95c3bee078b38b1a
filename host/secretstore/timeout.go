package secretstore

import (
	"fmt"
	"time"

	"github.com/tokenbridge/tokenbridge/host/limits"
)

// DefaultTimeout bounds every keyring operation (limits.KeyringTimeout).
const DefaultTimeout = limits.KeyringTimeout

type timeoutStore struct {
	next    Store
	timeout time.Duration
}

// WithTimeout gives every operation on next one deadline d: a keyring
// that hangs (a locked collection waiting on a prompt, a stuck D-Bus) makes
// the operation fail with ErrTimeout after d instead of hanging the host.
// Open puts it outside the chunking, so a large secret's several keyring
// calls share the one deadline rather than getting d each. The abandoned
// call finishes in the background; chunks it may still write are found by
// StrayChunks (doctor).
func WithTimeout(next Store, d time.Duration) Store {
	return &timeoutStore{next: next, timeout: d}
}

func run[T any](d time.Duration, op string, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-timer.C:
		var zero T
		return zero, fmt.Errorf("%s after %s: %w", op, d, ErrTimeout)
	}
}

func (s *timeoutStore) Set(key, secret string) error {
	_, err := run(s.timeout, "keyring set", func() (struct{}, error) { return struct{}{}, s.next.Set(key, secret) })
	return err
}

func (s *timeoutStore) Get(key string) (string, error) {
	return run(s.timeout, "keyring get", func() (string, error) { return s.next.Get(key) })
}

func (s *timeoutStore) Delete(key string) error {
	_, err := run(s.timeout, "keyring delete", func() (struct{}, error) { return struct{}{}, s.next.Delete(key) })
	return err
}

func (s *timeoutStore) List() ([]string, error) {
	l, ok := s.next.(Lister)
	if !ok {
		return nil, fmt.Errorf("keyring list: %w", errNoList)
	}
	return run(s.timeout, "keyring list", l.List)
}

func (s *timeoutStore) StrayChunks() ([]string, error) {
	j, ok := s.next.(ChunkJanitor)
	if !ok {
		return nil, fmt.Errorf("keyring list: %w", errNoList)
	}
	return run(s.timeout, "keyring list", j.StrayChunks)
}
