//go:build !unix

package index

import "os"

// readFile reads the index (see readfile_unix.go for why it is a function).
func readFile(path string) ([]byte, error) { return os.ReadFile(path) }
