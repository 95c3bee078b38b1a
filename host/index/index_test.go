package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestUpdateAndRead(t *testing.T) {
	f := Open(filepath.Join(t.TempDir(), "index.json"))
	d, err := f.Read()
	require.NoError(t, err)
	require.Empty(t, d.Tokens)
	require.NoError(t, f.Update(func(d *Data) error {
		d.Tokens = append(d.Tokens, Token{ID: "tok_1", Provider: "tinvest", CreatedAt: time.Unix(1, 0).UTC()})
		return nil
	}))
	st, err := os.Stat(f.Path())
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	d, err = f.Read()
	require.NoError(t, err)
	require.Len(t, d.Tokens, 1)
	require.Equal(t, 0, d.TokenByID("tok_1"))
	require.Equal(t, -1, d.TokenByID("nope"))

	// A failing update writes nothing.
	require.Error(t, f.Update(func(d *Data) error { d.Tokens = nil; return errors.New("no") }))
	d, err = f.Read()
	require.NoError(t, err)
	require.Len(t, d.Tokens, 1)
}

func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	f := Open(filepath.Join(t.TempDir(), "index.json"))
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, f.Update(func(d *Data) error {
				d.Tokens = append(d.Tokens, Token{ID: fmt.Sprint(i)})
				return nil
			}))
		}()
	}
	wg.Wait()
	d, err := f.Read()
	require.NoError(t, err)
	require.Len(t, d.Tokens, 20)
}

func TestDamagedIndex(t *testing.T) {
	p := filepath.Join(t.TempDir(), "index.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"tokens": [`), 0o600))
	_, err := Open(p).Read()
	require.ErrorContains(t, err, "doctor")
	require.NoError(t, os.WriteFile(p, []byte(`{"version": 99}`), 0o600))
	_, err = Open(p).Read()
	require.ErrorContains(t, err, "upgrade")
}
