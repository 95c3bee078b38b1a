//go:build windows

package install

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

type winRegistry struct{}

func systemRegistry() Registry { return winRegistry{} }

func hive(system bool) (registry.Key, string) {
	if system {
		return registry.LOCAL_MACHINE, "HKLM"
	}
	return registry.CURRENT_USER, "HKCU"
}

func (winRegistry) SetManifestPath(system bool, key, manifestPath string) error {
	root, name := hive(system)
	k, _, err := registry.CreateKey(root, key, registry.SET_VALUE)
	if err != nil {
		if system {
			return fmt.Errorf("create %s\\%s: %w (--system needs an Administrator prompt)", name, key, err)
		}
		return fmt.Errorf("create %s\\%s: %w", name, key, err)
	}
	defer k.Close()
	if err := k.SetStringValue("", manifestPath); err != nil {
		return fmt.Errorf("set %s\\%s: %w", name, key, err)
	}
	return nil
}

func (winRegistry) ManifestPath(system bool, key string) (string, error) {
	root, name := hive(system)
	k, err := registry.OpenKey(root, key, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return "", ErrKeyNotFound
	}
	if err != nil {
		return "", fmt.Errorf("open %s\\%s: %w", name, key, err)
	}
	defer k.Close()
	v, _, err := k.GetStringValue("")
	if errors.Is(err, registry.ErrNotExist) {
		return "", ErrKeyNotFound
	}
	if err != nil {
		return "", fmt.Errorf("read %s\\%s: %w", name, key, err)
	}
	return v, nil
}

func (winRegistry) DeleteKey(system bool, key string) error {
	root, name := hive(system)
	err := registry.DeleteKey(root, key)
	if err == nil || errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	return fmt.Errorf("delete %s\\%s: %w", name, key, err)
}
