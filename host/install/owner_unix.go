//go:build !windows

package install

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// systemBinaryProblem says why a non-root user could replace the binary at
// path, or returns nil: the binary and every directory above it must be
// owned by root and not writable by group or others (a sticky world-writable
// directory such as /tmp counts as writable: it is no place for a system
// binary). path is symlink-free (DefaultEnv resolves it).
func systemBinaryProblem(path string) error {
	p := filepath.Clean(path)
	for {
		fi, err := os.Lstat(p)
		if err != nil {
			return fmt.Errorf("%w: cannot inspect %s: %v", ErrReplaceableBinary, p, err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		switch {
		case !ok:
			return fmt.Errorf("%w: cannot read the owner of %s", ErrReplaceableBinary, p)
		case fi.Mode()&os.ModeSymlink != 0:
			return fmt.Errorf("%w: %s is a symbolic link (run the binary by its real path)", ErrReplaceableBinary, p)
		case fi.Mode().Perm()&0o022 != 0:
			return fmt.Errorf("%w: %s is writable by its group or by others (mode %04o), so a non-root user can replace %s", ErrReplaceableBinary, p, fi.Mode().Perm(), path)
		case st.Uid != 0:
			return fmt.Errorf("%w: %s is owned by uid %d, not root, so that user can replace %s", ErrReplaceableBinary, p, st.Uid, path)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return nil
		}
		p = parent
	}
}
