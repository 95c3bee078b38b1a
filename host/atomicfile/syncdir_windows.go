//go:build windows

package atomicfile

// syncDir is a no-op on Windows: a directory cannot be opened for a flush
// there, and os.Rename (MoveFileEx with MOVEFILE_REPLACE_EXISTING) already
// replaces the target in one step.
func syncDir(string) error { return nil }
