package install

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tokenbridge/tokenbridge/host/config"
)

// What uninstall may remove is decided by looking at it, never by the
// record alone: installed.json sits in a user-writable directory, so a
// program running as the user can list any path there.

// Skip is something uninstall left in place because it is not provably
// tokenbridge's.
type Skip struct {
	Path   string // file, directory or registry key (HKCU\...)
	Reason string
}

// verdict is what inspectManifest concluded about a path.
type verdict int

const (
	absent  verdict = iota // nothing there
	ours                   // a tokenbridge host manifest
	notOurs                // something else: leave it
)

// inspectManifest tells whether p is a host manifest tokenbridge wrote: a
// regular file named ManifestFile holding one JSON object with exactly the
// manifest's fields, our host name, type stdio, an absolute path and one
// allowlist. reason says why not; err is an I/O failure (permissions).
func inspectManifest(p string) (v verdict, reason string, err error) {
	if !filepath.IsAbs(p) && !isWindowsAbs(p) {
		return notOurs, "it is not an absolute path", nil
	}
	fi, err := os.Lstat(p)
	if errors.Is(err, os.ErrNotExist) {
		return absent, "", nil
	}
	if err != nil {
		return notOurs, "", fmt.Errorf("inspect %s: %w", p, err)
	}
	switch {
	case filepath.Base(p) != ManifestFile:
		return notOurs, fmt.Sprintf("its name is not %s", ManifestFile), nil
	case fi.Mode()&os.ModeSymlink != 0:
		return notOurs, "it is a symbolic link; install writes a regular file", nil
	case fi.IsDir():
		return notOurs, "it is a directory, not a manifest", nil
	case !fi.Mode().IsRegular():
		return notOurs, "it is not a regular file", nil
	case fi.Size() > maxManifestSize:
		return notOurs, fmt.Sprintf("it is larger than %d bytes", maxManifestSize), nil
	}
	f, err := os.Open(p)
	if err != nil {
		return notOurs, "", fmt.Errorf("inspect %s: %w", p, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxManifestSize+1))
	if err != nil {
		return notOurs, "", fmt.Errorf("inspect %s: %w", p, err)
	}
	if reason := manifestMismatch(data); reason != "" {
		return notOurs, reason, nil
	}
	return ours, "", nil
}

// manifestMismatch returns why data is not a tokenbridge manifest, or "".
func manifestMismatch(data []byte) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return "it does not parse as a tokenbridge host manifest (" + err.Error() + ")"
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return "it holds data after the manifest"
	}
	switch {
	case m.Name != config.HostName:
		return fmt.Sprintf("it is the manifest of host %q, not %s", m.Name, config.HostName)
	case m.Type != "stdio":
		return fmt.Sprintf("its type is %q, not stdio", m.Type)
	case !filepath.IsAbs(m.Path) && !isWindowsAbs(m.Path):
		return "its path is not absolute"
	case (len(m.AllowedOrigins) == 0) == (len(m.AllowedExtensions) == 0):
		return "it lists neither or both of allowed_origins and allowed_extensions"
	}
	return ""
}

// isOwnKey reports whether key (under HKCU or HKLM) is one install writes:
// <a supported browser's NativeMessagingHosts key>\<our host name>.
func isOwnKey(key string) bool {
	for _, b := range Browsers {
		if b.WinKey != "" && strings.EqualFold(key, b.WinKey+`\`+config.HostName) {
			return true
		}
	}
	return false
}

// dirSkipReason says why uninstall must not remove dir, recorded as created
// for file, or returns "": only the manifest's own directory and its
// ancestors qualify, never the home directory or one above it.
func dirSkipReason(env Env, file, dir string) string {
	d := filepath.Clean(dir)
	if !isAncestorOrSame(d, filepath.Dir(filepath.Clean(file))) {
		return "it does not hold the manifest " + file
	}
	if filepath.Dir(d) == d || (env.Home != "" && isAncestorOrSame(d, filepath.Clean(env.Home))) {
		return "it is the home directory or above it"
	}
	return ""
}

// isAncestorOrSame reports whether dir is p or one of p's parents.
func isAncestorOrSame(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
