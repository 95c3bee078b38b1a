package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The browser starts tokenbridge for every message, so its cold start must
// stay within 1.5× a bare Go echo host (issue 11, scripts/bench.sh).
// Linking regexp costs every start the init of regexp/syntax and of the
// unicode tables: the host checks with byte loops (host/ascii, host/redact's
// scanners) instead. This fails when a package brings regexp back, in the
// release build (scripts/release.sh) for each OS and in a plain build.
//
// The one importer left is go-keyring's macOS backend (its
// internal/shellescape compiles a regexp at init); it is not ours to change
// here and the cold start is measured on Linux.
func TestNoRegexpLinked(t *testing.T) {
	const keyringDarwin = "github.com/zalando/go-keyring/internal/shellescape"
	builds := []struct {
		goos, tags string
		allowed    []string // packages that may import regexp
	}{
		{"linux", "nethttpomithttp2", nil},
		{"windows", "nethttpomithttp2", nil},
		{"darwin", "nethttpomithttp2", []string{keyringDarwin}},
		{"", "", nil},
	}
	for _, b := range builds {
		t.Run(b.goos+"/"+b.tags, func(t *testing.T) {
			cmd := exec.Command("go", "list", "-deps", "-tags", b.tags, "-f", "{{.ImportPath}} {{join .Imports \" \"}}", ".")
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if b.goos != "" {
				cmd.Env = append(cmd.Env, "GOOS="+b.goos)
			}
			out, err := cmd.Output()
			require.NoError(t, err, "go list -deps: %s", out)
			var listed bool
			var importers []string
			for line := range strings.Lines(string(out)) {
				f := strings.Fields(line)
				listed = listed || f[0] == "github.com/tokenbridge/tokenbridge/host/redact"
				if !strings.HasPrefix(f[0], "regexp") && (slices.Contains(f[1:], "regexp") || slices.Contains(f[1:], "regexp/syntax")) {
					importers = append(importers, f[0])
				}
			}
			require.True(t, listed, "go list -deps did not list host/redact: it listed the wrong package")
			require.ElementsMatch(t, b.allowed, importers,
				"regexp is linked into tokenbridge (GOOS=%s, tags %q) by the packages above: it costs every host start its init (issue 11, scripts/bench.sh); check with a byte loop (host/ascii) instead", b.goos, b.tags)
		})
	}
}
