package secretstore_test

import (
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/limits"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// Every size the host allows round-trips through the public keyring stack
// (OpenWith: chunking inside the deadline, as Open builds it), over a
// backend that, like Windows' Credential Manager, refuses items over 2560
// bytes. items is how many backend items the secret takes.
func TestEverySizeRoundTrips(t *testing.T) {
	size := secretstore.ChunkSize
	tests := []struct {
		name   string
		secret string
		items  int
	}{
		{"1 byte", "x", 1},
		{"T-Invest token", "t." + strings.Repeat("a", 86), 1},
		{"exactly one chunk", strings.Repeat("b", size), 1},
		{"one byte more", strings.Repeat("c", size+1), 3},
		{"4096 bytes (generic secret limit)", strings.Repeat("d", limits.MaxSecret), 4},
		{"6 KB", strings.Repeat("e", 6<<10), 5},
		{"16 KiB (keyring value limit)", strings.Repeat("f", limits.MaxKeyringValue), 11},
		{"multi-byte characters across chunk borders", "x" + strings.Repeat("пароль", 1000), 8},
		{"looks like a chunk header", "tokenbridge:chunked:v1:1:abc", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := secretstore.NewMemory()
			mem.MaxItem = 2560
			s := secretstore.OpenWith(mem, time.Minute)
			require.NoError(t, s.Set("tinvest/x", tt.secret))
			require.Equal(t, tt.items, mem.Len())
			raw, err := mem.List()
			require.NoError(t, err)
			for _, k := range raw {
				v, err := mem.Get(k)
				require.NoError(t, err)
				require.True(t, utf8.ValidString(v), "item %s is cut inside a character", k)
			}
			got, err := s.Get("tinvest/x")
			require.NoError(t, err)
			require.Equal(t, tt.secret, got)
			keys, err := s.(secretstore.Lister).List()
			require.NoError(t, err)
			require.Equal(t, []string{"tinvest/x"}, keys)
			stray, err := s.(secretstore.ChunkJanitor).StrayChunks()
			require.NoError(t, err)
			require.Empty(t, stray)
			require.NoError(t, s.Delete("tinvest/x"))
			require.Zero(t, mem.Len())
		})
	}
	s := secretstore.OpenWith(secretstore.NewMemory(), time.Minute)
	require.ErrorIs(t, s.Set("k", strings.Repeat("x", limits.MaxKeyringValue+1)), secretstore.ErrTooLarge)
}

// hangingStore never answers until released, like a keyring waiting on a
// hidden unlock prompt.
type hangingStore struct{ release chan struct{} }

func (h hangingStore) Set(string, string) error   { <-h.release; return nil }
func (h hangingStore) Get(string) (string, error) { <-h.release; return "", secretstore.ErrNotFound }
func (h hangingStore) Delete(string) error        { <-h.release; return nil }
func (h hangingStore) List() ([]string, error)    { <-h.release; return nil, nil }
func newHangingStore(t *testing.T) hangingStore {
	h := hangingStore{release: make(chan struct{})}
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(h.release) }) })
	return h
}

// The timeout is a deadline for a whole operation: a large secret's
// several keyring calls (read the old header, write chunks, write the
// header) share it instead of getting it each.
func TestDeadlineCoversWholeOperation(t *testing.T) {
	const d = 300 * time.Millisecond
	s := secretstore.OpenWith(newHangingStore(t), d)
	ops := map[string]func() error{
		"set small": func() error { return s.Set("tinvest/x", "small") },
		"set 6 KB":  func() error { return s.Set("tinvest/x", strings.Repeat("x", 6<<10)) },
		"get":       func() error { _, err := s.Get("tinvest/x"); return err },
		"delete":    func() error { return s.Delete("tinvest/x") },
		"list":      func() error { _, err := s.(secretstore.Lister).List(); return err },
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			err := op()
			took := time.Since(start)
			require.ErrorIs(t, err, secretstore.ErrTimeout)
			require.GreaterOrEqual(t, took, d)
			require.Less(t, took, d+d/2, "one deadline, not one per keyring call")
		})
	}
}
