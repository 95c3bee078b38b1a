package filelock

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLockIsExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.lock")
	var mu sync.Mutex
	inside, maxInside := 0, 0
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock, err := Lock(path)
			require.NoError(t, err)
			mu.Lock()
			inside++
			maxInside = max(maxInside, inside)
			mu.Unlock()
			mu.Lock()
			inside--
			mu.Unlock()
			require.NoError(t, unlock())
		}()
	}
	wg.Wait()
	require.Equal(t, 1, maxInside)
}
