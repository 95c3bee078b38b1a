//go:build windows

package secretstore

import (
	"strings"

	"github.com/danieljoos/wincred"
)

// listKeys enumerates generic credentials go-keyring wrote for Service
// (target names "<service>:<user>").
func listKeys() ([]string, error) {
	creds, err := wincred.FilteredList(Service + ":*")
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(creds))
	for _, c := range creds {
		if k, ok := strings.CutPrefix(c.TargetName, Service+":"); ok {
			keys = append(keys, k)
		}
	}
	return keys, nil
}
