package install

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tokenbridge/tokenbridge/host/config"
)

// Uninstall removes the manifests and registry keys install wrote: every
// matching entry of installed.json, plus the known locations of the
// selected browsers (so it also works when the record is gone). Without
// --browser it removes everything of the chosen scope, including --dir
// manifests. Removing nothing is not an error.
//
// The record only says where to look. A file goes only when it is a
// tokenbridge manifest (see inspectManifest), a registry key only when it
// is <browser key>\dev.tokenbridge.host, a directory only when it is
// empty and on the manifest's own path below the home directory; anything
// else is left in place and reported in Result.Skipped and a notice.
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
	known, knownFile := knownLocations(env, browsers, opts.System, dir)

	rec, recErr := LoadRecord(env)
	if recErr != nil {
		res.Notices = append(res.Notices, Notice{Browser: "all", Text: recErr.Error() + " (removing the known locations only)"})
	}

	u := &remover{env: env, res: &res, removed: map[string]bool{}, skipped: map[string]bool{}}
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
			// A location the selected browsers read, whoever was recorded
			// for it (browsers that share a location share its entry).
			match = e.System == opts.System && (all || selected[e.Browser] || knownFile[e.File])
			if !match && e.System != opts.System && (all || selected[e.Browser]) {
				otherScope++
			}
		}
		if !match {
			keep = append(keep, e)
			continue
		}
		own, err := u.entry(e)
		if err != nil {
			errs = append(errs, err)
			keep = append(keep, e)
			continue
		}
		if !own {
			continue // not ours: dropped from the record, reported as skipped
		}
		res.Entries = append(res.Entries, e)
		for _, d := range e.Dirs {
			if reason := dirSkipReason(env, e.File, d); reason != "" {
				u.skip(d, reason)
				continue
			}
			dirs = append(dirs, d)
		}
	}
	removeEmptyDirs(dirs, &res)

	// Known locations, for a lost or partial record.
	for _, loc := range known {
		if _, err := u.file(loc.File); err != nil {
			errs = append(errs, err)
		}
		if loc.RegKey != "" && env.Registry != nil {
			if err := u.key(loc.System, loc.RegKey); err != nil {
				errs = append(errs, err)
			}
		}
	}

	if !all && dir == "" {
		res.Notices = append(res.Notices, sharedNotices(env, selected, opts.System, u.removed)...)
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
	if len(res.Removed) == 0 && len(res.Skipped) == 0 && len(errs) == 0 {
		res.Notices = append(res.Notices, Notice{Browser: "all", Text: "nothing to remove: no tokenbridge manifest found for the selected browsers and scope"})
	}
	return res, errors.Join(errs...)
}

// knownLocations lists where the selected browsers read the manifest in
// the scope, each place once (or only --dir's manifest).
func knownLocations(env Env, browsers []Browser, system bool, dir string) ([]Location, map[string]bool) {
	if dir != "" {
		f := filepath.Join(dir, ManifestFile)
		return []Location{{Dir: dir, File: f}}, map[string]bool{}
	}
	var known []Location
	files := map[string]bool{}
	for _, b := range browsers {
		locs, err := Locations(env, b, system, false)
		if err != nil {
			continue // no such location for this browser/scope: nothing to remove
		}
		for _, loc := range locs {
			if !files[loc.File] {
				files[loc.File] = true
				known = append(known, loc)
			}
		}
	}
	return known, files
}

// sharedNotices names the browsers that were not selected but read a
// manifest uninstall removed (Chrome's channels and Opera share places).
func sharedNotices(env Env, selected map[string]bool, system bool, removed map[string]bool) []Notice {
	var out []Notice
	for _, b := range Browsers {
		if selected[b.ID] {
			continue
		}
		locs, err := Locations(env, b, system, false)
		if err != nil {
			continue
		}
		for _, loc := range locs {
			if removed[loc.File] {
				out = append(out, Notice{Browser: b.Name, Text: fmt.Sprintf(
					"%s reads the same manifest (%s), so it no longer finds the host either; if you use it, run `tokenbridge install --browser %s` (this registers the browsers that share the place again)",
					b.Name, loc.File, b.ID)})
				break
			}
		}
	}
	return out
}

// remover deletes what it can prove is tokenbridge's and reports the rest.
type remover struct {
	env     Env
	res     *Result
	removed map[string]bool
	skipped map[string]bool
}

// entry removes one record entry's key and manifest. own is false when the
// file is not a tokenbridge manifest (it was left in place).
func (u *remover) entry(e RecordEntry) (own bool, err error) {
	if e.RegKey != "" {
		if u.env.Registry == nil {
			return false, fmt.Errorf("cannot delete registry key %s: no Windows registry on this system (run uninstall on Windows)", e.RegKey)
		}
		if err := u.key(e.System, e.RegKey); err != nil {
			return false, err
		}
	}
	v, err := u.file(e.File)
	return v != notOurs, err
}

func (u *remover) skip(what, reason string) {
	if u.skipped[what] {
		return
	}
	u.skipped[what] = true
	u.res.Skipped = append(u.res.Skipped, Skip{Path: what, Reason: reason})
	u.res.Notices = append(u.res.Notices, Notice{Browser: "all", Text: fmt.Sprintf(
		"left %s in place: %s. uninstall removes only tokenbridge's own manifests and registry keys; delete it yourself if you know it is a leftover", what, reason)})
}

// file removes p when it is a tokenbridge manifest.
func (u *remover) file(p string) (verdict, error) {
	if u.removed[p] {
		return ours, nil
	}
	v, reason, err := inspectManifest(p)
	if err != nil {
		return v, err
	}
	switch v {
	case absent:
		return v, nil
	case notOurs:
		u.skip(p, reason)
		return v, nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		hint := ""
		if errors.Is(err, os.ErrPermission) {
			hint = " (a system-wide manifest: run `sudo tokenbridge uninstall --system`)"
		}
		return v, fmt.Errorf("remove %s: %w%s", p, err, hint)
	}
	u.removed[p] = true
	u.res.Removed = append(u.res.Removed, p)
	return v, nil
}

// key deletes a registry key install writes; any other key is skipped.
func (u *remover) key(system bool, key string) error {
	root := "HKCU"
	if system {
		root = "HKLM"
	}
	full := root + `\` + key
	if u.removed[full] {
		return nil
	}
	if !isOwnKey(key) {
		u.skip(full, "it is not a key tokenbridge writes (<browser>\\NativeMessagingHosts\\"+config.HostName+")")
		return nil
	}
	if _, err := u.env.Registry.ManifestPath(system, key); errors.Is(err, ErrKeyNotFound) {
		return nil
	}
	if err := u.env.Registry.DeleteKey(system, key); err != nil {
		if system && strings.Contains(strings.ToLower(err.Error()), "access") {
			return fmt.Errorf("%w (run uninstall --system from an Administrator prompt)", err)
		}
		return err
	}
	u.removed[full] = true
	u.res.Removed = append(u.res.Removed, full)
	return nil
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
