//go:build !linux && !windows

package secretstore

// listKeys is not available: macOS' security tool cannot search by service
// without dumping the whole keychain. doctor then checks index → keyring only.
func listKeys() ([]string, error) { return nil, errNoList }
