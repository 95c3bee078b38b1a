package config

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/buildinfo"
)

func TestAllowedExtensionStoreID(t *testing.T) {
	const store = "abcdefghijklmnopabcdefghijklmnop"
	saved := buildinfo.ChromiumStoreID
	t.Cleanup(func() { buildinfo.ChromiumStoreID = saved })
	tests := []struct {
		name, stamped, id string
		allowed           bool
	}{
		{"a release stamped with the store ID allows it", store, store, true},
		{"a development build does not", "", store, false},
		{"an empty caller ID never matches an empty stamp", "", "", false},
		{"another ID stays refused", store, "ponmlkjihgfedcbaponmlkjihgfedcba", false},
		{"the pinned ID stays allowed", store, ChromiumExtensionID, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			buildinfo.ChromiumStoreID = tc.stamped
			require.Equal(t, tc.allowed, (&Config{}).AllowedExtension(tc.id))
		})
	}
}
