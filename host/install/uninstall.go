package install

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Uninstall removes the manifests and registry keys install wrote: every
// matching entry of installed.json, plus the known locations of the
// selected browsers (so it also works when the record is gone). Without
// --browser it removes everything of the chosen scope, including --dir
// manifests. Removing nothing is not an error.
func Uninstall(env Env, opts Options) (Result, error) {
	var res Result
	browsers, all, err := ParseBrowsers(opts.Browser)
	if err != nil {
		return res, err
	}
	if opts.Dir != "" && opts.System {
		return res, fmt.Errorf("%w: --dir and --system cannot be combined: --dir already names the directory", ErrUsage)
	}
	dir := ""
	if opts.Dir != "" {
		if dir, err = filepath.Abs(opts.Dir); err != nil {
			return res, fmt.Errorf("%w: --dir %q: %v", ErrUsage, opts.Dir, err)
		}
	}
	selected := map[string]bool{}
	for _, b := range browsers {
		selected[b.ID] = true
	}

	rec, recErr := LoadRecord(env)
	if recErr != nil {
		res.Notices = append(res.Notices, Notice{Browser: "all", Text: recErr.Error() + " (removing the known locations only)"})
	}

	removed := map[string]bool{}
	var errs []error
	var keep []RecordEntry
	otherScope := 0
	var dirs []string
	for _, e := range rec.Entries {
		match := false
		switch {
		case dir != "":
			match = e.Custom && filepath.Dir(e.File) == dir
		case e.Custom:
			match = all && !opts.System
		default:
			match = e.System == opts.System && (all || selected[e.Browser])
			if !match && e.System != opts.System && (all || selected[e.Browser]) {
				otherScope++
			}
		}
		if !match {
			keep = append(keep, e)
			continue
		}
		if err := removeEntry(env, e, removed, &res); err != nil {
			errs = append(errs, err)
			keep = append(keep, e)
			continue
		}
		res.Entries = append(res.Entries, e)
		dirs = append(dirs, e.Dirs...)
	}
	removeEmptyDirs(dirs, &res)

	// Known locations, for a lost or partial record.
	if dir != "" {
		if err := removeFile(filepath.Join(dir, ManifestFile), removed, &res); err != nil {
			errs = append(errs, err)
		}
	} else {
		for _, b := range browsers {
			locs, err := Locations(env, b, opts.System, false)
			if err != nil {
				continue // no such location for this browser/scope: nothing to remove
			}
			for _, loc := range locs {
				if err := removeFile(loc.File, removed, &res); err != nil {
					errs = append(errs, err)
				}
				if loc.RegKey != "" && env.Registry != nil {
					if err := removeKey(env, loc.System, loc.RegKey, removed, &res); err != nil {
						errs = append(errs, err)
					}
				}
			}
		}
	}

	if recErr == nil && len(keep) != len(rec.Entries) {
		rec.Entries = keep
		if err := saveRecord(env, rec); err != nil {
			errs = append(errs, err)
		}
	}
	if otherScope > 0 {
		other := "sudo tokenbridge uninstall --system"
		if opts.System {
			other = "tokenbridge uninstall (without --system, as that user)"
		}
		res.Notices = append(res.Notices, Notice{Browser: "all", Text: fmt.Sprintf("%d manifest(s) of the other scope remain; remove them with: %s", otherScope, other)})
	}
	if len(res.Removed) == 0 && len(errs) == 0 {
		res.Notices = append(res.Notices, Notice{Browser: "all", Text: "nothing to remove: no tokenbridge manifest found for the selected browsers and scope"})
	}
	return res, errors.Join(errs...)
}

func removeEntry(env Env, e RecordEntry, removed map[string]bool, res *Result) error {
	if e.RegKey != "" {
		if env.Registry == nil {
			return fmt.Errorf("cannot delete registry key %s: no Windows registry on this system (run uninstall on Windows)", e.RegKey)
		}
		if err := removeKey(env, e.System, e.RegKey, removed, res); err != nil {
			return err
		}
	}
	return removeFile(e.File, removed, res)
}

// removeEmptyDirs removes the directories install created, deepest first.
// Only empty ones go: a directory the browser or the user filled stays.
func removeEmptyDirs(dirs []string, res *Result) {
	sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
	seen := map[string]bool{}
	for _, d := range dirs {
		if seen[d] {
			continue
		}
		seen[d] = true
		if err := os.Remove(d); err == nil {
			res.Removed = append(res.Removed, d)
		}
	}
}

func removeFile(p string, removed map[string]bool, res *Result) error {
	if removed[p] {
		return nil
	}
	fi, err := os.Lstat(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove %s: %w", p, err)
	}
	if fi.IsDir() {
		return fmt.Errorf("remove %s: it is a directory, not a manifest: remove it by hand if it is yours", p)
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		hint := ""
		if errors.Is(err, os.ErrPermission) {
			hint = " (a system-wide manifest: run `sudo tokenbridge uninstall --system`)"
		}
		return fmt.Errorf("remove %s: %w%s", p, err, hint)
	}
	removed[p] = true
	res.Removed = append(res.Removed, p)
	return nil
}

func removeKey(env Env, system bool, key string, removed map[string]bool, res *Result) error {
	root := "HKCU"
	if system {
		root = "HKLM"
	}
	full := root + `\` + key
	if removed[full] {
		return nil
	}
	if _, err := env.Registry.ManifestPath(system, key); errors.Is(err, ErrKeyNotFound) {
		return nil
	}
	if err := env.Registry.DeleteKey(system, key); err != nil {
		if system && strings.Contains(strings.ToLower(err.Error()), "access") {
			return fmt.Errorf("%w (run uninstall --system from an Administrator prompt)", err)
		}
		return err
	}
	removed[full] = true
	res.Removed = append(res.Removed, full)
	return nil
}
