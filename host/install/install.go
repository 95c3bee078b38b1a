package install

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tokenbridge/tokenbridge/host/atomicfile"
	"github.com/tokenbridge/tokenbridge/host/config"
)

// Options are the flags shared by install and uninstall.
type Options struct {
	// Browser is the --browser value: "" or "all" (every detected
	// browser), one ID, or a comma-separated list of IDs.
	Browser string
	// System installs for all users (system directories, HKLM).
	System bool
	// Dir writes the manifest into exactly this directory; Browser then
	// only picks the manifest flavour (default chromium).
	Dir string
	// ExtensionIDs are raw --extension-id values to allow besides the
	// built-in IDs.
	ExtensionIDs []string
}

// Result says what install or uninstall did.
type Result struct {
	Entries []RecordEntry // manifests written (install) or removed (uninstall)
	Removed []string      // uninstall: files, directories and keys removed
	Skipped []Skip        // uninstall: listed or found, but not provably ours: left in place
	Notices []Notice
}

// Install writes the host manifest for the selected browsers and records
// what it wrote in installed.json. It returns the partial result with an
// error when some browser failed.
func Install(env Env, opts Options) (Result, error) {
	var res Result
	ids, err := NormalizeExtensionIDs(opts.ExtensionIDs)
	if err != nil {
		return res, err
	}
	browsers, all, err := ParseBrowsers(opts.Browser)
	if err != nil {
		return res, err
	}
	if env.Executable == "" {
		return res, errors.New("the path of the tokenbridge binary is unknown: run the installed binary, not `go run`")
	}
	if opts.System && opts.Dir == "" {
		if err := env.checkSystemBinary(); err != nil {
			return res, err
		}
	}
	if strings.Contains(filepath.ToSlash(env.Executable), "/go-build") {
		res.Notices = append(res.Notices, Notice{Browser: "all", Text: fmt.Sprintf(
			"%s is a temporary `go run` binary that Go deletes soon: build it with scripts/install.sh (go build -o bin/tokenbridge ./host/cmd/tokenbridge) and install from bin/tokenbridge", env.Executable)})
	}

	// The manifest allows the IDs saved by earlier installs plus the new ones.
	saved, err := env.loadExtensionIDs()
	if err != nil {
		return res, err
	}
	extra := make([]string, 0, len(saved)+len(ids))
	for _, id := range saved {
		if isExtensionID(id) {
			extra = appendUnique(extra, id)
		} else {
			res.Notices = append(res.Notices, Notice{Browser: "all", Text: fmt.Sprintf("ignoring invalid extension ID %q saved in %s: remove it", id, config.Dirs{Home: env.ConfigDir}.Config())})
		}
	}
	for _, id := range ids {
		extra = appendUnique(extra, id)
	}

	rec, err := LoadRecord(env)
	if err != nil {
		return res, err
	}

	var errs []error
	if opts.Dir != "" {
		e, err := installDir(env, opts, browsers, all, extra)
		if err != nil {
			return res, err
		}
		rec.add(e)
		res.Entries = append(res.Entries, e)
		if env.GOOS == "windows" {
			res.Notices = append(res.Notices, Notice{Browser: "all", Text: "on Windows browsers find host manifests only through the registry, and --dir writes no registry key: " +
				"run install without --dir to register the manifest for your browsers"})
		}
	} else {
		for _, b := range browsers {
			det := Detect(env, b)
			for _, s := range det.Sandboxed {
				res.Notices = append(res.Notices, SandboxNotice(env, b, s))
			}
			if all && !det.Found {
				continue
			}
			locs, err := Locations(env, b, opts.System, true)
			if !all && !det.Found && err == nil {
				res.Notices = append(res.Notices, Notice{Browser: b.Name, Text: fmt.Sprintf("%s was not found on this machine; installing for it anyway because --browser named it", b.Name)})
			}
			if (errors.Is(err, ErrNoSystemPath) || errors.Is(err, ErrNotOnOS)) && all {
				res.Notices = append(res.Notices, Notice{Browser: b.Name, Text: err.Error()})
				continue
			}
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for _, loc := range locs {
				e, err := installAt(env, loc, extra)
				if e.File != "" {
					rec.add(e)
					res.Entries = append(res.Entries, e)
				}
				if err != nil {
					errs = append(errs, err)
				}
			}
		}
	}

	if len(res.Entries) > 0 {
		if err := saveRecord(env, rec); err != nil {
			errs = append(errs, fmt.Errorf("%w (uninstall will fall back to the known locations)", err))
		}
	}
	if err := env.addExtensionIDs(ids); err != nil {
		errs = append(errs, fmt.Errorf("save extension IDs for the host allowlist: %w", err))
	}
	if len(errs) > 0 {
		return res, errors.Join(errs...)
	}
	if len(res.Entries) == 0 {
		return res, fmt.Errorf("%w: looked for %s (profile directories and programs on PATH); name one with --browser %s, or write the manifest into a directory with --dir DIR",
			ErrNoBrowser, strings.Join(BrowserIDs(), ", "), strings.Join(BrowserIDs(), "|"))
	}
	return res, nil
}

// installDir handles --dir: one manifest of the flavour --browser picks.
func installDir(env Env, opts Options, browsers []Browser, all bool, extra []string) (RecordEntry, error) {
	b, _ := LookupBrowser("chromium")
	if !all {
		b = browsers[0]
		for _, o := range browsers[1:] {
			if o.Family != b.Family {
				return RecordEntry{}, fmt.Errorf("%w: with --dir, --browser picks one manifest flavour; %s and %s need different ones: run install once per --dir", ErrUsage, b.ID, o.ID)
			}
		}
	} else if strings.TrimSpace(opts.Browser) != "" {
		return RecordEntry{}, fmt.Errorf("%w: --dir writes one manifest; --browser all is ambiguous there: pass --browser chromium (Chromium family) or --browser firefox", ErrUsage)
	}
	if opts.System {
		return RecordEntry{}, fmt.Errorf("%w: --dir and --system cannot be combined: --dir already names the directory", ErrUsage)
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return RecordEntry{}, fmt.Errorf("%w: --dir %q: %v", ErrUsage, opts.Dir, err)
	}
	loc := Location{Browser: b, Dir: dir, File: filepath.Join(dir, ManifestFile)}
	e, err := installAt(env, loc, extra)
	e.Custom = true
	return e, err
}

// installAt renders and writes one manifest (and on Windows its registry
// key). The returned entry has File set once the file was written.
func installAt(env Env, loc Location, extra []string) (RecordEntry, error) {
	data, err := Render(loc.Browser.Family, env.Executable, extra)
	if err != nil {
		return RecordEntry{}, err
	}
	created, err := mkdirAllTracked(loc.Dir, 0o755)
	if err != nil {
		return RecordEntry{}, fmt.Errorf("%s: create %s: %w%s", loc.Browser.Name, loc.Dir, err, permissionHint(err, loc.System))
	}
	if err := atomicfile.WriteFile(loc.File, data, 0o644); err != nil {
		return RecordEntry{Browser: loc.Browser.ID, Dirs: created}, fmt.Errorf("%s: %w%s", loc.Browser.Name, err, permissionHint(err, loc.System))
	}
	e := RecordEntry{Browser: loc.Browser.ID, Family: loc.Browser.Family, System: loc.System, File: loc.File, Dirs: created}
	if loc.RegKey != "" {
		if env.Registry == nil {
			return e, fmt.Errorf("%s: cannot write %s\\%s: no Windows registry on this system", loc.Browser.Name, loc.RegRoot(), loc.RegKey)
		}
		if err := env.Registry.SetManifestPath(loc.System, loc.RegKey, loc.File); err != nil {
			return e, fmt.Errorf("%s: %w", loc.Browser.Name, err)
		}
		e.RegKey = loc.RegKey
	}
	return e, nil
}

func permissionHint(err error, system bool) string {
	if !errors.Is(err, os.ErrPermission) {
		return ""
	}
	if system {
		return " (--system writes for all users: run it as root/Administrator, e.g. sudo)"
	}
	return " (check the directory's owner and permissions)"
}

// mkdirAllTracked is os.MkdirAll that returns the directories it created,
// deepest first.
func mkdirAllTracked(dir string, perm os.FileMode) ([]string, error) {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, perm); err != nil {
		return nil, err
	}
	return missing, nil
}
