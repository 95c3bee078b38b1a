package main

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"debug/buildinfo"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// maxEntry bounds one file read out of an archive.
const maxEntry = 64 << 20

// cmdVerify checks a release directory: every host archive holds README.md,
// LICENSE and a binary whose headers and build info match its OS and
// architecture and the release's version, built with -trimpath and
// without symbol tables; the linux/amd64 binary fits -max-size; every
// artifact is listed in SHA256SUMS with the right hash; the store
// packages carry the manifests the stores want.
func cmdVerify(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	dist := fs.String("dist", "", "release directory")
	version := fs.String("version", "", "release version")
	maxSize := fs.Int64("max-size", 10<<20, "largest allowed linux/amd64 binary, in bytes")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("dist", *dist, "version", *version); err != nil {
		return err
	}
	var problems []error
	for _, t := range Targets {
		file := ArchiveName(*version, t.OS, t.Arch)
		size, err := verifyArchive(filepath.Join(*dist, file), *version, t.OS, t.Arch)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", file, err))
			continue
		}
		if t.OS == "linux" && t.Arch == "amd64" && size > *maxSize {
			problems = append(problems, fmt.Errorf("%s: the binary is %d bytes, over the %d-byte budget", file, size, *maxSize))
		}
		fmt.Fprintf(stdout, "ok %s (%s/%s binary, %d bytes)\n", file, t.OS, t.Arch, size)
	}
	if err := verifyStorePackages(*dist, *version); err != nil {
		problems = append(problems, err)
	} else {
		fmt.Fprintln(stdout, "ok store packages (Chromium zip without key, Firefox xpi with gecko settings)")
	}
	n, err := verifySums(*dist)
	if err != nil {
		problems = append(problems, err)
	} else {
		fmt.Fprintf(stdout, "ok SHA256SUMS (%d files)\n", n)
	}
	return errors.Join(problems...)
}

// readArchive returns the files of a .tar.gz or .zip by name.
func readArchive(file string) (map[string][]byte, error) {
	out := map[string][]byte{}
	if strings.HasSuffix(file, ".tar.gz") {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		tr := tar.NewReader(gz)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				return out, nil
			}
			if err != nil {
				return nil, err
			}
			if h.Typeflag != tar.TypeReg {
				return nil, fmt.Errorf("%s is not a regular file", h.Name)
			}
			b, err := io.ReadAll(io.LimitReader(tr, maxEntry+1))
			if err != nil || len(b) > maxEntry {
				return nil, fmt.Errorf("%s: unreadable or over %d bytes", h.Name, maxEntry)
			}
			out[h.Name] = b
		}
	}
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", zf.Name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxEntry+1))
		rc.Close()
		if err != nil || len(b) > maxEntry {
			return nil, fmt.Errorf("%s: unreadable or over %d bytes", zf.Name, maxEntry)
		}
		out[zf.Name] = b
	}
	return out, nil
}

func verifyArchive(file, version, goos, goarch string) (int64, error) {
	files, err := readArchive(file)
	if err != nil {
		return 0, err
	}
	dir := ArchiveDir(version, goos, goarch)
	exe := "tokenbridge"
	if goos == "windows" {
		exe += ".exe"
	}
	want := []string{path.Join(dir, "LICENSE"), path.Join(dir, "README.md"), path.Join(dir, exe)}
	got := make([]string, 0, len(files))
	for name := range files {
		got = append(got, name)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		return 0, fmt.Errorf("holds %v, want exactly %v", got, want)
	}
	bin := files[path.Join(dir, exe)]
	if err := checkBinary(bin, version, goos, goarch); err != nil {
		return 0, fmt.Errorf("%s: %w", exe, err)
	}
	return int64(len(bin)), nil
}

// checkBinary reads the executable's own headers (ELF, Mach-O or PE) and
// its Go build info.
func checkBinary(b []byte, version, goos, goarch string) error {
	osName, arch, stripped, err := headerTarget(b)
	if err != nil {
		return err
	}
	if osName != goos || arch != goarch {
		return fmt.Errorf("its headers say %s/%s, not %s/%s", osName, arch, goos, goarch)
	}
	if !stripped {
		return errors.New("it still has a symbol table (build with -ldflags=-s -w)")
	}
	bi, err := buildinfo.Read(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("no Go build info: %w", err)
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if settings["GOOS"] != goos || settings["GOARCH"] != goarch {
		return fmt.Errorf("build info says GOOS=%s GOARCH=%s", settings["GOOS"], settings["GOARCH"])
	}
	if settings["-trimpath"] != "true" {
		return errors.New("not built with -trimpath")
	}
	// -trimpath keeps -ldflags out of the build info, so look for the
	// stamped value itself (host/buildinfo's default is VERSION-dev).
	if !bytes.Contains(b, []byte(version)) {
		return fmt.Errorf("version %s is not stamped in (-X .../host/buildinfo.Version)", version)
	}
	return nil
}

// headerTarget names the OS and Go architecture an executable's headers
// describe, and whether its symbol table is gone.
func headerTarget(b []byte) (goos, goarch string, stripped bool, err error) {
	r := bytes.NewReader(b)
	if f, err := elf.NewFile(r); err == nil {
		arch := map[elf.Machine]string{elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64"}[f.Machine]
		_, symErr := f.Symbols()
		return "linux", arch, errors.Is(symErr, elf.ErrNoSymbols), nil
	}
	if f, err := macho.NewFile(r); err == nil {
		arch := map[macho.Cpu]string{macho.CpuAmd64: "amd64", macho.CpuArm64: "arm64"}[f.Cpu]
		// A stripped Go Mach-O keeps only the undefined symbols it imports
		// from the system libraries (section 0).
		defined := f.Symtab != nil && slices.ContainsFunc(f.Symtab.Syms, func(s macho.Symbol) bool { return s.Sect != 0 })
		return "darwin", arch, !defined, nil
	}
	if f, err := pe.NewFile(r); err == nil {
		arch := map[uint16]string{pe.IMAGE_FILE_MACHINE_AMD64: "amd64", pe.IMAGE_FILE_MACHINE_ARM64: "arm64"}[f.Machine]
		return "windows", arch, f.NumberOfSymbols == 0, nil
	}
	return "", "", false, errors.New("not an ELF, Mach-O or PE executable")
}

// verifyStorePackages checks the manifests inside the extension packages.
func verifyStorePackages(dist, version string) error {
	var problems []error
	check := func(file string, fn func(m map[string]any) error) {
		files, err := readArchive(filepath.Join(dist, file))
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", file, err))
			return
		}
		var m map[string]any
		if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
			problems = append(problems, fmt.Errorf("%s: manifest.json: %w", file, err))
			return
		}
		for name := range files {
			if strings.HasPrefix(name, "test/") || name == "README.md" {
				problems = append(problems, fmt.Errorf("%s holds %s, which is not part of the extension", file, name))
			}
		}
		if err := fn(m); err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", file, err))
		}
	}
	check("tokenbridge-chromium-"+version+".zip", func(m map[string]any) error {
		if _, ok := m["key"]; ok {
			return errors.New(`manifest.json has "key": the Chrome Web Store rejects it`)
		}
		if _, ok := m["browser_specific_settings"]; ok {
			return errors.New("manifest.json has browser_specific_settings (Firefox only)")
		}
		return nil
	})
	check("tokenbridge-firefox-"+version+".xpi", func(m map[string]any) error {
		bss, _ := m["browser_specific_settings"].(map[string]any)
		gecko, _ := bss["gecko"].(map[string]any)
		dcp, _ := gecko["data_collection_permissions"].(map[string]any)
		req, _ := dcp["required"].([]any)
		if gecko["id"] != "tokenbridge@tokenbridge.dev" || gecko["strict_min_version"] != "142.0" || !slices.Contains(req, any("authenticationInfo")) {
			return fmt.Errorf("browser_specific_settings.gecko is %v, want the ID, strict_min_version 142.0 and data_collection_permissions.required [authenticationInfo]", gecko)
		}
		if _, ok := m["key"]; ok {
			return errors.New(`manifest.json has "key"`)
		}
		return nil
	})
	return errors.Join(problems...)
}

// verifySums checks SHA256SUMS against the files, and that every release
// file (everything in dist but SHA256SUMS and the package-manager folders)
// is listed.
func verifySums(dist string) (int, error) {
	f, err := os.Open(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	listed := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 || strings.ContainsAny(name, `/\`) {
			return 0, fmt.Errorf("SHA256SUMS: bad line %q (want \"<sha256>  <file>\")", sc.Text())
		}
		got, err := fileSHA256(filepath.Join(dist, name))
		if err != nil {
			return 0, fmt.Errorf("SHA256SUMS: %w", err)
		}
		if got != sum {
			return 0, fmt.Errorf("SHA256SUMS: %s has sha256 %s, the list says %s", name, got, sum)
		}
		listed[name] = true
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	entries, err := os.ReadDir(dist)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		if !e.IsDir() && e.Name() != "SHA256SUMS" && !listed[e.Name()] {
			return 0, fmt.Errorf("SHA256SUMS does not list %s", e.Name())
		}
	}
	return len(listed), nil
}
