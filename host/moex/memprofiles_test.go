package moex

import "sync"

// MemoryProfiles is an in-memory ProfileStore.
type MemoryProfiles struct {
	mu sync.Mutex
	ps []Profile
}

// Load implements ProfileStore.
func (m *MemoryProfiles) Load() ([]Profile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Profile(nil), m.ps...), nil
}

// Modify implements ProfileStore.
func (m *MemoryProfiles) Modify(fn func([]Profile) ([]Profile, error)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	out, err := fn(append([]Profile(nil), m.ps...))
	if err != nil {
		return err
	}
	m.ps = out
	return nil
}
