//go:build linux

package secretstore

import (
	ss "github.com/zalando/go-keyring/secret_service"
)

// listKeys enumerates this service's items in the Secret Service login
// collection. Attributes are readable without unlocking.
func listKeys() ([]string, error) {
	svc, err := ss.NewSecretService()
	if err != nil {
		return nil, err
	}
	items, err := svc.SearchItems(svc.GetLoginCollection(), map[string]string{"service": Service})
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(items))
	for _, item := range items {
		v, err := svc.Object("org.freedesktop.secrets", item).GetProperty("org.freedesktop.Secret.Item.Attributes")
		if err != nil {
			// Deleted since the search (another process, or a concurrent delete here):
			// gone items are not listed. A keyring that cannot answer at all failed the
			// search above.
			continue
		}
		attrs, ok := v.Value().(map[string]string)
		if !ok {
			continue
		}
		if u := attrs["username"]; u != "" {
			keys = append(keys, u)
		}
	}
	return keys, nil
}
