package native

import (
	"path/filepath"
	"strings"

	"github.com/tokenbridge/tokenbridge/host/config"
)

// Caller is the extension that started the host, as the browser reported
// it in argv. Nothing in a message can change it.
type Caller struct {
	Browser     string // "chromium" or "firefox"
	ExtensionID string
}

// String names the caller for logs and errors.
func (c Caller) String() string { return c.Browser + ":" + c.ExtensionID }

// CallerFromArgs recognises a browser's invocation: Chromium-family browsers
// pass "chrome-extension://<id>/" (on Windows followed by
// --parent-window=…); Firefox passes the manifest path and the extension ID.
// ok is false for any other argv, which is then a CLI invocation.
func CallerFromArgs(args []string) (c Caller, ok bool) {
	if len(args) == 0 {
		return Caller{}, false
	}
	if rest, found := strings.CutPrefix(args[0], "chrome-extension://"); found {
		id := strings.TrimSuffix(rest, "/")
		for _, a := range args[1:] {
			if !strings.HasPrefix(a, "--parent-window=") {
				return Caller{}, false
			}
		}
		return Caller{Browser: "chromium", ExtensionID: id}, true
	}
	if len(args) == 2 && strings.EqualFold(filepath.Ext(args[0]), ".json") && config.IsGeckoID(args[1]) {
		return Caller{Browser: "firefox", ExtensionID: args[1]}, true
	}
	return Caller{}, false
}
