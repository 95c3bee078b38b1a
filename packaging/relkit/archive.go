package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// entry is one file of an archive: its name inside and where it comes from.
type entry struct {
	Name string // slash-separated, relative
	Src  string // path on disk
	Mode int64  // 0755 for executables, else 0644
}

// cmdArchive writes a reproducible archive: entries sorted by name, every
// mtime set to -mtime (SOURCE_DATE_EPOCH), owner 0/0, modes 0644 or 0755,
// no other metadata. A source that is a directory adds its files.
func cmdArchive(args []string, _ io.Writer) error {
	fset := flag.NewFlagSet("archive", flag.ContinueOnError)
	out := fset.String("o", "", "archive to write (.tar.gz, .zip or .xpi)")
	mtime := fset.String("mtime", "", "Unix time for every entry (SOURCE_DATE_EPOCH)")
	prefix := fset.String("prefix", "", "directory every entry is put under")
	if err := parse(fset, args); err != nil {
		return err
	}
	if err := required("o", *out, "mtime", *mtime); err != nil {
		return err
	}
	epoch, err := strconv.ParseInt(*mtime, 10, 64)
	if err != nil || epoch <= 0 {
		return fmt.Errorf("%w: -mtime %q is not a positive Unix time", errUsage, *mtime)
	}
	var entries []entry
	for _, a := range fset.Args() {
		name, src, ok := strings.Cut(a, "=")
		if !ok || name == "" || src == "" {
			return fmt.Errorf("%w: %q: give NAME=PATH (NAME inside the archive, PATH on disk)", errUsage, a)
		}
		es, err := collect(name, src)
		if err != nil {
			return err
		}
		entries = append(entries, es...)
	}
	if len(entries) == 0 {
		return fmt.Errorf("%w: no NAME=PATH given", errUsage)
	}
	for i := range entries {
		entries[i].Name = path.Join(*prefix, entries[i].Name)
	}
	return writeArchive(*out, entries, time.Unix(epoch, 0).UTC())
}

// collect expands src (a file or a directory tree) into entries under name.
func collect(name, src string) ([]entry, error) {
	st, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []entry{{Name: name, Src: src, Mode: fileMode(st.Mode())}}, nil
	}
	var out []entry
	err = fs.WalkDir(os.DirFS(src), ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s/%s is not a regular file: archives hold files only", src, rel)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, entry{Name: path.Join(name, rel), Src: filepath.Join(src, filepath.FromSlash(rel)), Mode: fileMode(info.Mode())})
		return nil
	})
	return out, err
}

// fileMode keeps only "is executable".
func fileMode(m os.FileMode) int64 {
	if m&0o111 != 0 {
		return 0o755
	}
	return 0o644
}

func writeArchive(out string, entries []entry, mtime time.Time) error {
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.Name, b.Name) })
	for i := 1; i < len(entries); i++ {
		if entries[i].Name == entries[i-1].Name {
			return fmt.Errorf("%s is given twice", entries[i].Name)
		}
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	switch {
	case strings.HasSuffix(out, ".tar.gz"):
		err = writeTarGz(f, entries, mtime)
	case strings.HasSuffix(out, ".zip"), strings.HasSuffix(out, ".xpi"):
		err = writeZip(f, entries, mtime)
	default:
		err = fmt.Errorf("%w: %s: the name must end in .tar.gz, .zip or .xpi", errUsage, out)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(out)
		return fmt.Errorf("%s: %w", out, err)
	}
	return nil
}

func writeTarGz(w io.Writer, entries []entry, mtime time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	gz.ModTime = mtime // the gzip header carries no name and this fixed time
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		b, err := os.ReadFile(e.Src)
		if err != nil {
			return err
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: e.Name, Mode: e.Mode, Size: int64(len(b)),
			ModTime: mtime, Uname: "root", Gname: "root", Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("%s: %w", e.Name, err)
		}
		if _, err := tw.Write(b); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, entries []entry, mtime time.Time) error {
	zw := zip.NewWriter(w)
	for _, e := range entries {
		b, err := os.ReadFile(e.Src)
		if err != nil {
			return err
		}
		hdr := &zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: mtime}
		hdr.SetMode(os.FileMode(e.Mode))
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return fmt.Errorf("%s: %w", e.Name, err)
		}
		if _, err := fw.Write(b); err != nil {
			return err
		}
	}
	return zw.Close()
}

// cmdExtract unpacks a .tar.gz, .zip or .xpi into a directory (the tests
// load the store packages from their unpacked contents).
func cmdExtract(args []string, _ io.Writer) error {
	fset := flag.NewFlagSet("extract", flag.ContinueOnError)
	out := fset.String("o", "", "directory to unpack into")
	if err := parse(fset, args); err != nil {
		return err
	}
	if err := required("o", *out); err != nil {
		return err
	}
	if fset.NArg() != 1 {
		return fmt.Errorf("%w: give exactly one archive", errUsage)
	}
	files, err := readArchive(fset.Arg(0))
	if err != nil {
		return fmt.Errorf("%s: %w", fset.Arg(0), err)
	}
	for name, b := range files {
		clean := path.Clean(name)
		if !fs.ValidPath(clean) {
			return fmt.Errorf("%s: entry %q leaves the directory", fset.Arg(0), name)
		}
		dst := filepath.Join(*out, filepath.FromSlash(clean))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
