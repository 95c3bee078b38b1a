package secretstore

import (
	"sort"
	"sync"
)

// Memory is an in-memory Store for unit tests. FailWith, when set, is
// returned by every call, to simulate a locked or missing keyring.
type Memory struct {
	mu       sync.Mutex
	items    map[string]string
	FailWith error
	// MaxItem, when non-zero, rejects secrets above it like a real backend.
	MaxItem int
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{items: map[string]string{}} }

func (m *Memory) Set(key, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.FailWith != nil {
		return m.FailWith
	}
	if m.MaxItem > 0 && len(secret) > m.MaxItem {
		return ErrTooLarge
	}
	m.items[key] = secret
	return nil
}

func (m *Memory) Get(key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.FailWith != nil {
		return "", m.FailWith
	}
	s, ok := m.items[key]
	if !ok {
		return "", ErrNotFound
	}
	return s, nil
}

func (m *Memory) Delete(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.FailWith != nil {
		return m.FailWith
	}
	if _, ok := m.items[key]; !ok {
		return ErrNotFound
	}
	delete(m.items, key)
	return nil
}

func (m *Memory) List() ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.FailWith != nil {
		return nil, m.FailWith
	}
	keys := make([]string, 0, len(m.items))
	for k := range m.items {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}

// Len reports how many raw items are stored (chunks count separately).
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}
