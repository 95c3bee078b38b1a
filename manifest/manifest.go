// Package manifest holds the native messaging host manifest templates that
// `tokenbridge install` renders for each browser. The templates live beside
// this file and are embedded into the binary.
//
// Template data (see host/install.ManifestData): Name, Description, Path,
// AllowedOrigins (Chromium family), AllowedExtensions (Firefox). The `json`
// template function must encode each value as JSON, so paths with
// backslashes or quotes stay valid.
package manifest

import _ "embed"

// Chromium is the template for Chromium-family browsers (Chrome, Chromium,
// Edge, Brave, Vivaldi, Yandex): it lists allowed_origins.
//
//go:embed chromium.json.tmpl
var Chromium string

// Firefox is the template for Firefox: it lists allowed_extensions.
//
//go:embed firefox.json.tmpl
var Firefox string
