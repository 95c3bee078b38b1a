package index

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// readFile returns what os.ReadFile returns, errors included.
func TestReadFileMatchesOS(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"empty": "", "small": `{"version":1}`, "large": strings.Repeat("x", 3<<20+7)}
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
	}
	for _, name := range []string{"empty", "small", "large", "missing", "."} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			want, werr := os.ReadFile(p)
			got, err := readFile(p)
			if werr != nil {
				require.Error(t, err)
				require.Equal(t, errors.Is(werr, fs.ErrNotExist), errors.Is(err, fs.ErrNotExist), "%v vs %v", werr, err)
				require.IsType(t, &fs.PathError{}, err, "the path is named")
				return
			}
			require.NoError(t, err)
			require.Equal(t, len(want), len(got))
			require.Equal(t, string(want), string(got))
		})
	}
}
