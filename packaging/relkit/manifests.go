package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/install"
)

// cmdManifests writes the system-wide host manifests the Linux packages
// install: DIR/chromium/dev.tokenbridge.host.json (Chromium and Google
// Chrome) and DIR/firefox/dev.tokenbridge.host.json, rendered by the same
// code as `tokenbridge install`, pointing at -path and allowing the
// built-in IDs plus the store's Chromium ID when one is given.
func cmdManifests(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("manifests", flag.ContinueOnError)
	out := fs.String("o", "", "output directory")
	hostPath := fs.String("path", "", "absolute path of the installed binary")
	storeID := fs.String("extension-id", "", "the Chrome Web Store ID of the released extension (optional)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("o", *out, "path", *hostPath); err != nil {
		return err
	}
	var extra []string
	if *storeID != "" {
		id, err := install.NormalizeExtensionID(*storeID)
		if err != nil || !config.IsChromiumID(id) {
			return fmt.Errorf("%w: -extension-id %q must be a Chromium ID (32 letters a-p, from the Chrome Web Store dashboard)", errUsage, *storeID)
		}
		extra = []string{id}
	}
	for _, f := range []struct {
		dir    string
		family install.Family
	}{{"chromium", install.FamilyChromium}, {"firefox", install.FamilyFirefox}} {
		b, err := install.Render(f.family, *hostPath, extra)
		if err != nil {
			return err
		}
		file := filepath.Join(*out, f.dir, config.HostName+".json")
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(file, b, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "wrote", file)
	}
	return nil
}
