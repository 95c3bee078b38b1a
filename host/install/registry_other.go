//go:build !windows

package install

// systemRegistry: only Windows has a registry.
func systemRegistry() Registry { return nil }
