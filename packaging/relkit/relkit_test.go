package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func writeFile(t *testing.T, p, content string, mode os.FileMode) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), mode))
	return p
}

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	require.Equal(t, 0, run(args, &out, &errb), "relkit %v: %s", args, errb.String())
	return out.String()
}

func TestArchiveIsReproducible(t *testing.T) {
	const epoch = 1764579600
	for _, ext := range []string{".tar.gz", ".zip"} {
		t.Run(ext, func(t *testing.T) {
			src := t.TempDir()
			bin := writeFile(t, filepath.Join(src, "tokenbridge"), "binary", 0o700)
			writeFile(t, filepath.Join(src, "ext", "b.js"), "b", 0o600)
			writeFile(t, filepath.Join(src, "ext", "a", "c.json"), "{}", 0o664)
			build := func(name string) []byte {
				out := filepath.Join(t.TempDir(), name+ext)
				runOK(t, "archive", "-o", out, "-mtime", "1764579600", "-prefix", "pkg",
					"tokenbridge="+bin, "ext="+filepath.Join(src, "ext"))
				b, err := os.ReadFile(out)
				require.NoError(t, err)
				return b
			}
			first := build("one")
			// Other mtimes on disk and another output name change nothing.
			later := time.Now().Add(time.Hour)
			require.NoError(t, os.Chtimes(bin, later, later))
			require.Equal(t, first, build("two"))

			type ent struct {
				mode  int64
				mtime int64
			}
			got := map[string]ent{}
			var order []string
			if ext == ".zip" {
				zr, err := zip.NewReader(bytes.NewReader(first), int64(len(first)))
				require.NoError(t, err)
				for _, f := range zr.File {
					order = append(order, f.Name)
					got[f.Name] = ent{int64(f.Mode().Perm()), f.Modified.Unix()}
				}
			} else {
				gz, err := gzip.NewReader(bytes.NewReader(first))
				require.NoError(t, err)
				require.Equal(t, int64(epoch), gz.ModTime.Unix())
				tr := tar.NewReader(gz)
				for {
					h, err := tr.Next()
					if err == io.EOF {
						break
					}
					require.NoError(t, err)
					require.Zero(t, h.Uid)
					order = append(order, h.Name)
					got[h.Name] = ent{h.Mode, h.ModTime.Unix()}
				}
			}
			require.Equal(t, []string{"pkg/ext/a/c.json", "pkg/ext/b.js", "pkg/tokenbridge"}, order, "sorted by name")
			require.Equal(t, map[string]ent{
				"pkg/ext/a/c.json": {0o644, epoch}, "pkg/ext/b.js": {0o644, epoch}, "pkg/tokenbridge": {0o755, epoch},
			}, got)
		})
	}
}

func TestArchiveUsageErrors(t *testing.T) {
	src := writeFile(t, filepath.Join(t.TempDir(), "f"), "x", 0o644)
	out := filepath.Join(t.TempDir(), "a.tar.gz")
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no mtime", []string{"archive", "-o", out, "f=" + src}, 2, "-mtime required"},
		{"bad pair", []string{"archive", "-o", out, "-mtime", "1", src}, 2, "NAME=PATH"},
		{"bad suffix", []string{"archive", "-o", out + ".rar", "-mtime", "1", "f=" + src}, 2, ".tar.gz, .zip or .xpi"},
		{"twice", []string{"archive", "-o", out, "-mtime", "1", "f=" + src, "f=" + src}, 1, "given twice"},
		{"missing source", []string{"archive", "-o", out, "-mtime", "1", "f=/nonexistent"}, 1, "/nonexistent"},
		{"unknown command", []string{"publish"}, 2, "usage: relkit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			require.Equal(t, tc.code, run(tc.args, io.Discard, &stderr))
			require.Contains(t, stderr.String(), tc.msg)
		})
	}
}

func TestHeaderTargetReadsTheExecutable(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)
	b, err := os.ReadFile(exe)
	require.NoError(t, err)
	goos, goarch, _, err := headerTarget(b)
	require.NoError(t, err)
	require.Equal(t, runtime.GOOS, goos)
	require.Equal(t, runtime.GOARCH, goarch)
	require.Error(t, checkBinary(b, "0.1.0-never-stamped", goos, goarch), "a test binary is no release binary")
	require.ErrorContains(t, checkBinary(b, "0.1.0", "windows", goarch), "headers say")
	_, _, _, err = headerTarget([]byte("#!/bin/sh\necho not a binary\n"))
	require.ErrorContains(t, err, "not an ELF, Mach-O or PE")
}

// fakeDist writes the six host archives (any bytes: render only hashes them).
func fakeDist(t *testing.T, version string) string {
	dist := t.TempDir()
	for _, tg := range Targets {
		writeFile(t, filepath.Join(dist, ArchiveName(version, tg.OS, tg.Arch)), tg.OS+tg.Arch, 0o644)
	}
	return dist
}

func TestRenderPackageManagerManifests(t *testing.T) {
	const version = "1.2.3"
	dist := fakeDist(t, version)
	sha := func(os, arch string) string {
		s, err := fileSHA256(filepath.Join(dist, ArchiveName(version, os, arch)))
		require.NoError(t, err)
		return s
	}
	out := t.TempDir()
	render := func(name string, extra ...string) string {
		file := filepath.Join(out, name)
		runOK(t, append([]string{"render", "-meta", "../metadata.json", "-version", version, "-date", "2026-12-01",
			"-dist", dist, "-template", name, "-o", file}, extra...)...)
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		return string(b)
	}
	const url = "https://github.com/tokenbridge/tokenbridge/releases/download/v1.2.3/"

	var scoop struct {
		Version      string
		Bin          string
		Architecture map[string]struct{ URL, Hash, Extract_dir string }
	}
	require.NoError(t, json.Unmarshal([]byte(render("scoop")), &scoop))
	require.Equal(t, version, scoop.Version)
	require.Equal(t, "tokenbridge.exe", scoop.Bin)
	require.Equal(t, url+"tokenbridge_1.2.3_windows_amd64.zip", scoop.Architecture["64bit"].URL)
	require.Equal(t, sha("windows", "amd64"), scoop.Architecture["64bit"].Hash)
	require.Equal(t, sha("windows", "arm64"), scoop.Architecture["arm64"].Hash)
	require.Equal(t, "tokenbridge_1.2.3_windows_arm64", scoop.Architecture["arm64"].Extract_dir)

	brew := render("homebrew")
	for _, tg := range Targets[:4] {
		require.Contains(t, brew, `url "`+url+ArchiveName(version, tg.OS, tg.Arch)+`"`)
		require.Contains(t, brew, `sha256 "`+sha(tg.OS, tg.Arch)+`"`)
	}
	require.Contains(t, brew, `version "1.2.3"`)

	inst := render("winget-installer")
	require.Contains(t, inst, "InstallerSha256: "+strings.ToUpper(sha("windows", "amd64")))
	require.Contains(t, inst, `RelativeFilePath: "tokenbridge_1.2.3_windows_arm64\\tokenbridge.exe"`)
	require.Contains(t, inst, `ReleaseDate: "2026-12-01"`)
	require.Contains(t, render("winget-locale"), `License: "MIT"`)
	require.Contains(t, render("winget-version"), `PackageIdentifier: "TokenBridge.TokenBridge"`)

	nfpm := render("nfpm", "-set", "arch=arm64", "-set", "bin=/b/tokenbridge", "-set", "manifests=/m", "-set", "readme=/r", "-set", "license=/l")
	require.Contains(t, nfpm, `arch: "arm64"`)
	require.Contains(t, nfpm, `src: "/m/firefox/dev.tokenbridge.host.json"`)
	require.Contains(t, nfpm, "dst: /usr/lib64/mozilla/native-messaging-hosts/dev.tokenbridge.host.json\n    file_info: {mode: 0644}\n    packager: rpm")
	require.Contains(t, nfpm, `maintainer: "tokenbridge maintainers <maintainers@tokenbridge.dev>"`)
	require.Contains(t, nfpm, "  - dst: /etc/opt/chrome/native-messaging-hosts\n    type: dir\n    file_info: {mode: 0755}\n    packager: rpm")

	var stderr bytes.Buffer
	require.Equal(t, 1, run([]string{"render", "-meta", "../metadata.json", "-version", version, "-template", "nfpm", "-o", filepath.Join(out, "x")}, io.Discard, &stderr),
		"a template variable that was not set is an error")
	require.Contains(t, stderr.String(), "-set arch=... is required")
}

func TestManifestsAllowTheStoreID(t *testing.T) {
	const store = "abcdefghijklmnopabcdefghijklmnop"
	out := t.TempDir()
	runOK(t, "manifests", "-o", out, "-path", "/usr/bin/tokenbridge", "-extension-id", store)
	var chromium, firefox struct {
		Path              string
		AllowedOrigins    []string `json:"allowed_origins"`
		AllowedExtensions []string `json:"allowed_extensions"`
	}
	b, err := os.ReadFile(filepath.Join(out, "chromium", "dev.tokenbridge.host.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &chromium))
	require.Equal(t, "/usr/bin/tokenbridge", chromium.Path)
	require.Equal(t, []string{"chrome-extension://hodkpdeoebfagkfdfjfhcfnbemcgabcj/", "chrome-extension://" + store + "/"}, chromium.AllowedOrigins)
	b, err = os.ReadFile(filepath.Join(out, "firefox", "dev.tokenbridge.host.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &firefox))
	require.Equal(t, []string{"tokenbridge@tokenbridge.dev"}, firefox.AllowedExtensions, "Firefox allows its own ID only")
	require.Empty(t, firefox.AllowedOrigins)

	var stderr bytes.Buffer
	require.Equal(t, 2, run([]string{"manifests", "-o", out, "-path", "/usr/bin/tokenbridge", "-extension-id", "tokenbridge@tokenbridge.dev"}, io.Discard, &stderr))
	require.Contains(t, stderr.String(), "must be a Chromium ID")
}

func TestVerifySums(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(dist string)
		problem string
	}{
		{"intact", func(string) {}, ""},
		{"tampered file", func(d string) { writeFile(t, filepath.Join(d, "a.zip"), "changed", 0o644) }, "a.zip has sha256"},
		{"unlisted file", func(d string) { writeFile(t, filepath.Join(d, "extra.deb"), "x", 0o644) }, "does not list extra.deb"},
		{"missing file", func(d string) { require.NoError(t, os.Remove(filepath.Join(d, "b.tar.gz"))) }, "b.tar.gz"},
		{"bad line", func(d string) { writeFile(t, filepath.Join(d, "SHA256SUMS"), "nonsense\n", 0o644) }, "bad line"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dist := t.TempDir()
			var sums strings.Builder
			for _, f := range []string{"a.zip", "b.tar.gz"} {
				writeFile(t, filepath.Join(dist, f), f, 0o644)
				s, err := fileSHA256(filepath.Join(dist, f))
				require.NoError(t, err)
				sums.WriteString(s + "  " + f + "\n")
			}
			writeFile(t, filepath.Join(dist, "SHA256SUMS"), sums.String(), 0o644)
			require.NoError(t, os.MkdirAll(filepath.Join(dist, "homebrew"), 0o755))
			tc.mutate(dist)
			n, err := verifySums(dist)
			if tc.problem == "" {
				require.NoError(t, err)
				require.Equal(t, 2, n)
				return
			}
			require.ErrorContains(t, err, tc.problem)
		})
	}
}

func TestVerifyStorePackages(t *testing.T) {
	const version = "1.2.3"
	chromiumOK := `{"manifest_version":3,"background":{"service_worker":"background.js"}}`
	firefoxOK := `{"manifest_version":3,"browser_specific_settings":{"gecko":{"id":"tokenbridge@tokenbridge.dev","strict_min_version":"142.0","data_collection_permissions":{"required":["authenticationInfo"]}}}}`
	tests := []struct {
		name              string
		chromium, firefox string
		extra             string // another file in the Chromium zip
		problem           string
	}{
		{"store-ready", chromiumOK, firefoxOK, "", ""},
		{"chromium with key", `{"key":"MIIB"}`, firefoxOK, "", `has "key"`},
		{"firefox without data collection", chromiumOK, `{"browser_specific_settings":{"gecko":{"id":"tokenbridge@tokenbridge.dev","strict_min_version":"142.0"}}}`, "", "data_collection_permissions"},
		{"tests shipped", chromiumOK, firefoxOK, "test/unit/x.test.js", "not part of the extension"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, dist := t.TempDir(), t.TempDir()
			for name, m := range map[string]string{"chromium": tc.chromium, "firefox": tc.firefox} {
				writeFile(t, filepath.Join(src, name, "manifest.json"), m, 0o644)
			}
			if tc.extra != "" {
				writeFile(t, filepath.Join(src, "chromium", tc.extra), "x", 0o644)
			}
			runOK(t, "archive", "-o", filepath.Join(dist, "tokenbridge-chromium-"+version+".zip"), "-mtime", "1", ".="+filepath.Join(src, "chromium"))
			runOK(t, "archive", "-o", filepath.Join(dist, "tokenbridge-firefox-"+version+".xpi"), "-mtime", "1", ".="+filepath.Join(src, "firefox"))
			err := verifyStorePackages(dist, version)
			if tc.problem == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.problem)
		})
	}
}

func TestExtractRefusesEscapingEntries(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "evil.zip")
	f, err := os.Create(file)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	w, err := zw.Create("../outside")
	require.NoError(t, err)
	_, _ = w.Write([]byte("x"))
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
	var stderr bytes.Buffer
	require.Equal(t, 1, run([]string{"extract", "-o", filepath.Join(dir, "out"), file}, io.Discard, &stderr))
	require.Contains(t, stderr.String(), "leaves the directory")
	require.NoFileExists(t, filepath.Join(dir, "outside"))
}
