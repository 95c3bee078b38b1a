package main

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/template"
)

// Meta is packaging/metadata.json: what every package manager's manifest
// says about tokenbridge.
type Meta struct {
	Name        string `json:"name"`
	Summary     string `json:"summary"`
	Description string `json:"description"`
	Homepage    string `json:"homepage"`
	License     string `json:"license"`
	Maintainer  string `json:"maintainer"`
	Publisher   string `json:"publisher"`
	WingetID    string `json:"winget_id"`
	ReleaseURL  string `json:"release_url"` // a template: {{.Version}}
}

// Archive is one released host archive.
type Archive struct {
	OS, Arch string
	File     string // tokenbridge_0.1.0_linux_amd64.tar.gz
	Dir      string // the directory inside: tokenbridge_0.1.0_linux_amd64
	URL      string // where the release will serve it
	SHA256   string // lower-case hex
}

// Data is what the templates in templates/ are rendered with.
type Data struct {
	Meta
	Version  string
	Date     string // YYYY-MM-DD, the commit date
	Archives map[string]Archive
	Vars     map[string]string // -set NAME=VALUE
}

// Var is the value given with -set NAME=VALUE; a template that needs one
// that was not set fails.
func (d Data) Var(name string) (string, error) {
	v, ok := d.Vars[name]
	if !ok {
		return "", fmt.Errorf("-set %s=... is required by this template", name)
	}
	return v, nil
}

// Targets are the OS/architecture pairs every release builds.
var Targets = []struct{ OS, Arch string }{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

// ArchiveName is the file name of the host archive for os/arch.
func ArchiveName(version, goos, goarch string) string {
	ext := ".tar.gz"
	if goos == "windows" {
		ext = ".zip"
	}
	return ArchiveDir(version, goos, goarch) + ext
}

// ArchiveDir is the directory inside that archive.
func ArchiveDir(version, goos, goarch string) string {
	return fmt.Sprintf("tokenbridge_%s_%s_%s", version, goos, goarch)
}

//go:embed templates/*.tmpl
var templateFS embed.FS

var funcs = template.FuncMap{
	// json quotes a string for JSON, YAML (a JSON string is a YAML
	// double-quoted scalar) and Ruby (no interpolation: # is escaped).
	"json": func(s string) (string, error) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		err := enc.Encode(s)
		return strings.ReplaceAll(strings.TrimSuffix(buf.String(), "\n"), "#", `\u0023`), err
	},
	"upper": strings.ToUpper,
	"list":  func(s ...string) []string { return s },
}

// cmdRender renders one template of templates/ with the metadata, the
// version and (when -dist is given) the archives' checksums.
func cmdRender(args []string, _ io.Writer) error {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	metaPath := fs.String("meta", "", "packaging/metadata.json")
	version := fs.String("version", "", "release version")
	date := fs.String("date", "", "release date YYYY-MM-DD")
	dist := fs.String("dist", "", "directory holding the host archives (for their URLs and checksums)")
	name := fs.String("template", "", "homebrew, scoop, winget-version, winget-installer, winget-locale or nfpm")
	out := fs.String("o", "", "file to write")
	vars := map[string]string{}
	fs.Func("set", "NAME=VALUE for the template's .Vars (repeatable)", func(v string) error {
		name, value, ok := strings.Cut(v, "=")
		if !ok || name == "" {
			return fmt.Errorf("%q: give NAME=VALUE", v)
		}
		vars[name] = value
		return nil
	})
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("meta", *metaPath, "version", *version, "template", *name, "o", *out); err != nil {
		return err
	}
	data, err := loadData(*metaPath, *version, *date, *dist)
	if err != nil {
		return err
	}
	data.Vars = vars
	b, err := render(*name, data)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(*out, b, 0o644)
}

func loadData(metaPath, version, date, dist string) (Data, error) {
	d := Data{Version: version, Date: date}
	b, err := os.ReadFile(metaPath)
	if err != nil {
		return d, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d.Meta); err != nil {
		return d, fmt.Errorf("%s: %w", metaPath, err)
	}
	var url bytes.Buffer
	if err := template.Must(template.New("url").Parse(d.ReleaseURL)).Execute(&url, d); err != nil {
		return d, fmt.Errorf("%s: release_url: %w", metaPath, err)
	}
	if dist == "" {
		return d, nil
	}
	d.Archives = map[string]Archive{}
	for _, t := range Targets {
		a := Archive{OS: t.OS, Arch: t.Arch, File: ArchiveName(version, t.OS, t.Arch), Dir: ArchiveDir(version, t.OS, t.Arch)}
		a.URL = url.String() + a.File
		if a.SHA256, err = fileSHA256(filepath.Join(dist, a.File)); err != nil {
			return d, err
		}
		d.Archives[t.OS+"_"+t.Arch] = a
	}
	return d, nil
}

func render(name string, d Data) ([]byte, error) {
	t, err := template.New(name+".tmpl").Option("missingkey=error").Funcs(funcs).ParseFS(templateFS, "templates/"+name+".tmpl")
	if err != nil {
		return nil, fmt.Errorf("%w: template %q: %v", errUsage, name, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
