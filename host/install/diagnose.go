package install

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tokenbridge/tokenbridge/host/config"
)

// Finding is one row of `tokenbridge doctor`'s browser registration table.
type Finding struct {
	Browser string // "Google Chrome", "Firefox (system)", "Chromium (Flatpak)"
	Path    string // the manifest (Windows: key -> manifest)
	OK      bool
	Problem string // cause, when not OK
	Fix     string // what to run or do, when not OK
}

// maxManifestSize bounds a manifest read back for diagnosis.
const maxManifestSize = 1 << 20

// DiagnoseDefault runs Diagnose on the running machine and binary.
func DiagnoseDefault() []Finding {
	env, err := DefaultEnv()
	if err != nil {
		return []Finding{{Browser: "-", Problem: err.Error(), Fix: "fix the environment and run `tokenbridge doctor` again"}}
	}
	return Diagnose(env)
}

// Diagnose checks every manifest location of every browser: those install
// recorded, those that hold a manifest, and those of detected browsers.
// For each it reports whether the manifest is present, valid JSON, named
// right, of type stdio, points at this binary (which must be executable)
// and allows the expected extension IDs. Flatpak and Snap builds are
// reported as problems of their own.
func Diagnose(env Env) []Finding {
	var out []Finding
	rec, err := LoadRecord(env)
	if err != nil {
		out = append(out, Finding{Browser: "-", Path: recordPath(env), Problem: err.Error(),
			Fix: "move the file away; `tokenbridge install` writes a new one"})
	}
	extra, err := env.loadExtensionIDs()
	if err != nil {
		out = append(out, Finding{Browser: "-", Path: config.Dirs{Home: env.ConfigDir}.Config(), Problem: err.Error(),
			Fix: "fix config.json, then run `tokenbridge install` again"})
	}
	recorded := map[string]RecordEntry{}
	for _, e := range rec.Entries {
		recorded[e.File] = e
	}
	checked, reported := map[string]bool{}, map[string]bool{}

	for _, b := range Browsers {
		det := Detect(env, b)
		for _, s := range det.Sandboxed {
			kind := map[string]string{"flatpak": "Flatpak", "snap": "Snap"}[s.Kind]
			out = append(out, Finding{
				Browser: b.Name + " (" + kind + ")", Path: s.Path,
				Problem: fmt.Sprintf("the %s build runs in a sandbox and cannot start the host", kind),
				Fix:     fmt.Sprintf("use a non-%s build of %s; `tokenbridge install --browser %s` prints the details", kind, b.Name, b.ID),
			})
		}
		// A package's all-users manifest serves a user without one.
		packaged := hasSystemManifest(env, b)
		for _, system := range []bool{false, true} {
			locs, err := Locations(env, b, system, false)
			if err != nil {
				continue
			}
			for _, loc := range locs {
				if reported[loc.File] {
					continue // read by several browsers (channels, Opera): one row
				}
				checked[loc.File] = true
				_, inRecord := recorded[loc.File]
				expected := inRecord || (det.Found && !system && !packaged)
				if f, ok := diagnoseLocation(env, loc, expected, extra); ok {
					reported[loc.File] = true
					out = append(out, f)
				}
			}
		}
	}
	// --dir manifests and anything else the record lists.
	for _, e := range rec.Entries {
		if checked[e.File] {
			continue
		}
		checked[e.File] = true
		b, ok := LookupBrowser(e.Browser)
		if !ok {
			b = Browser{ID: e.Browser, Name: e.Browser, Family: e.Family}
		}
		loc := Location{Browser: b, System: e.System, Dir: filepath.Dir(e.File), File: e.File, RegKey: e.RegKey}
		f, _ := diagnoseLocation(env, loc, true, extra)
		if e.Custom {
			f.Browser = b.Name + " (--dir)"
			f.Fix = strings.Replace(f.Fix, "--browser "+b.ID, "--browser "+b.ID+" --dir "+quoteArg(filepath.Dir(e.File)), 1)
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		out = append(out, Finding{Browser: "-", Problem: "no supported browser found and no tokenbridge manifest installed",
			Fix: "install a supported browser (" + strings.Join(browserNames(), ", ") + "), then run `tokenbridge install`; for another Chromium fork pass its NativeMessagingHosts directory with --dir"})
	}
	return out
}

// hasSystemManifest reports whether an all-users manifest for b exists
// (the .deb and .rpm install them), which the browser reads when the user
// has no manifest of their own.
func hasSystemManifest(env Env, b Browser) bool {
	locs, err := Locations(env, b, true, false)
	if err != nil {
		return false
	}
	for _, loc := range locs {
		if exists(loc.File) {
			return true
		}
	}
	return false
}

// diagnoseLocation checks one location; ok is false when there is nothing
// to report (no manifest, and none expected).
func diagnoseLocation(env Env, loc Location, expected bool, extra []string) (Finding, bool) {
	name := loc.Browser.Name
	if loc.System {
		name += " (system)"
	}
	fix := "tokenbridge install --browser " + loc.Browser.ID
	if loc.System {
		fix = "sudo " + fix + " --system"
		if env.GOOS == "windows" {
			fix = strings.TrimPrefix(fix, "sudo ") + " (from an Administrator prompt)"
		}
	}
	f := Finding{Browser: name, Path: loc.File, Fix: "run `" + fix + "`"}
	file := loc.File

	if loc.RegKey != "" && env.Registry != nil {
		keyName := loc.RegRoot() + `\` + loc.RegKey
		f.Path = keyName + " -> " + loc.File
		v, err := env.Registry.ManifestPath(loc.System, loc.RegKey)
		switch {
		case errors.Is(err, ErrKeyNotFound):
			if !expected && !exists(loc.File) {
				return f, false
			}
			f.Problem = "registry key " + keyName + " is missing, so the browser cannot find the host"
			return f, true
		case err != nil:
			f.Problem = err.Error()
			return f, true
		}
		file = v
		f.Path = keyName + " -> " + v
	}

	problems := checkManifest(env, file, loc.Browser.Family, extra)
	if len(problems) == 1 && problems[0] == problemMissing {
		if !expected && loc.RegKey == "" {
			return f, false
		}
		problems[0] = "manifest missing (" + file + "): the browser reports \"Specified native messaging host not found\""
	}
	if len(problems) == 0 {
		return Finding{Browser: name, Path: f.Path, OK: true}, true
	}
	f.Problem = strings.Join(problems, "; ")
	return f, true
}

const problemMissing = "missing"

// checkManifest validates the manifest at file and returns its problems.
func checkManifest(env Env, file string, family Family, extra []string) []string {
	fh, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return []string{problemMissing}
	}
	if err != nil {
		return []string{"cannot read the manifest: " + err.Error()}
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxManifestSize+1))
	if err != nil {
		return []string{"cannot read the manifest: " + err.Error()}
	}
	if len(data) > maxManifestSize {
		return []string{fmt.Sprintf("manifest is larger than %d bytes: not a host manifest", maxManifestSize)}
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return []string{"manifest is not valid JSON: " + err.Error()}
	}
	var p []string
	if m.Name != config.HostName {
		p = append(p, fmt.Sprintf("name is %q, want %q", m.Name, config.HostName))
	}
	if m.Type != "stdio" {
		p = append(p, fmt.Sprintf("type is %q, want \"stdio\"", m.Type))
	}
	p = append(p, checkHostPath(env, m.Path)...)

	origins, gecko := splitIDs(extra)
	switch family {
	case FamilyChromium:
		if len(m.AllowedOrigins) == 0 && len(m.AllowedExtensions) > 0 {
			p = append(p, "this is a Firefox manifest (allowed_extensions) in a Chromium-family location")
			break
		}
		for _, o := range m.AllowedOrigins {
			id, ok := strings.CutPrefix(o, "chrome-extension://")
			if !ok || !strings.HasSuffix(id, "/") || !config.IsChromiumID(strings.TrimSuffix(id, "/")) {
				p = append(p, fmt.Sprintf("allowed_origins entry %q is malformed (want chrome-extension://<32 letters a-p>/)", o))
			}
		}
		p = append(p, missingIDs("allowed_origins", m.AllowedOrigins, origins)...)
	case FamilyFirefox:
		if len(m.AllowedExtensions) == 0 && len(m.AllowedOrigins) > 0 {
			p = append(p, "this is a Chromium-family manifest (allowed_origins) in a Firefox location")
			break
		}
		p = append(p, missingIDs("allowed_extensions", m.AllowedExtensions, gecko)...)
	}
	return p
}

func missingIDs(field string, have, want []string) []string {
	var p []string
	for _, w := range want {
		found := false
		for _, h := range have {
			if h == w {
				found = true
				break
			}
		}
		if !found {
			p = append(p, fmt.Sprintf("%s lacks %s: the browser answers \"Access to the specified native messaging host is forbidden\"", field, w))
		}
	}
	return p
}

func checkHostPath(env Env, p string) []string {
	if p == "" {
		return []string{"path is empty"}
	}
	if !filepath.IsAbs(p) && !isWindowsAbs(p) {
		return []string{fmt.Sprintf("path %q is not absolute", p)}
	}
	fi, err := os.Stat(p)
	if err != nil {
		return []string{fmt.Sprintf("path %s does not exist (was the binary moved or deleted?)", p)}
	}
	var probs []string
	if !fi.Mode().IsRegular() {
		probs = append(probs, fmt.Sprintf("path %s is not a regular file", p))
	} else if env.GOOS != "windows" && fi.Mode().Perm()&0o111 == 0 {
		probs = append(probs, fmt.Sprintf("path %s is not executable (chmod +x it)", p))
	}
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		resolved = p
	}
	same := resolved == env.Executable
	if env.GOOS == "windows" {
		same = strings.EqualFold(resolved, env.Executable)
	}
	if !same {
		probs = append(probs, fmt.Sprintf("path points at %s, not at this binary %s", p, env.Executable))
	}
	return probs
}

func quoteArg(s string) string {
	if strings.ContainsAny(s, " \t'\"\\$") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}
