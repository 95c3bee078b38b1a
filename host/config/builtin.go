package config

import "github.com/tokenbridge/tokenbridge/host/buildinfo"

// IsBuiltinExtension reports whether id is one of the extension IDs every
// host allows without reading config.json: the pinned development IDs and
// the Chrome Web Store ID a release build was stamped with (host/buildinfo).
func IsBuiltinExtension(id string) bool {
	return id == ChromiumExtensionID || id == FirefoxExtensionID || (id != "" && id == buildinfo.ChromiumStoreID)
}
