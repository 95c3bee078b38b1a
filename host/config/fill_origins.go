package config

import (
	"fmt"
	"slices"
	"sync"

	"github.com/tokenbridge/tokenbridge/host/filelock"
	"github.com/tokenbridge/tokenbridge/host/limits"
)

// fillMu guards every Config's FillOrigins: the host answers requests
// concurrently, and allow/remove change the list while fills read it.
var fillMu sync.RWMutex

// MaxFillOrigins bounds the allowlist of one provider.
const MaxFillOrigins = 200

// FillOriginList is a provider's allowlist: the built-in origins and the
// ones the user added.
type FillOriginList struct {
	Builtin []string `json:"builtin"`
	Added   []string `json:"added"`
}

// FillOriginsOf returns provider's allowlist (copies).
func (c *Config) FillOriginsOf(provider string) FillOriginList {
	fillMu.RLock()
	defer fillMu.RUnlock()
	return FillOriginList{
		Builtin: append([]string{}, DefaultFillOrigins[provider]...),
		Added:   append([]string{}, c.FillOrigins[provider]...),
	}
}

// AllowFillOrigin adds origin (an https origin, normalized) to provider's
// allowlist in config.json under d and in c. The file is re-read under a
// lock first, so what another tokenbridge process wrote meanwhile is kept.
// It returns the normalized origin and whether it was added (false: it was
// already allowed).
func (c *Config) AllowFillOrigin(d Dirs, provider, origin string) (string, bool, error) {
	o, ok := NormalizeOrigin(origin)
	if !ok {
		return "", false, fmt.Errorf("%w: %q is not an https origin like https://example.org (no path, query, user or other scheme; at most %d characters)", ErrBadOrigin, origin, limits.MaxOrigin)
	}
	if c.FillAllowed(provider, o) {
		return o, false, nil
	}
	added := false
	err := c.editFillOrigins(d, provider, func(list []string) ([]string, error) {
		if slices.Contains(list, o) {
			return list, nil
		}
		if len(list) >= MaxFillOrigins {
			return nil, fmt.Errorf("%w: %d origins are already allowed for %s; remove some first", ErrTooManyOrigins, len(list), provider)
		}
		added = true
		return append(list, o), nil
	})
	return o, added, err
}

// RemoveFillOrigin takes origin off provider's added allowlist (built-in
// origins cannot be removed). It returns whether it was there.
func (c *Config) RemoveFillOrigin(d Dirs, provider, origin string) (string, bool, error) {
	o, ok := NormalizeOrigin(origin)
	if !ok {
		return "", false, fmt.Errorf("%w: %q is not an https origin like https://example.org", ErrBadOrigin, origin)
	}
	if slices.Contains(DefaultFillOrigins[provider], o) {
		return o, false, fmt.Errorf("%w: %s is built in for %s", ErrBuiltinOrigin, o, provider)
	}
	removed := false
	err := c.editFillOrigins(d, provider, func(list []string) ([]string, error) {
		i := slices.Index(list, o)
		if i < 0 {
			return list, nil
		}
		removed = true
		return slices.Delete(slices.Clone(list), i, i+1), nil
	})
	return o, removed, err
}

// Errors of the allowlist edits (wrapped with the cause).
var (
	ErrBadOrigin      = fmt.Errorf("not an https origin")
	ErrTooManyOrigins = fmt.Errorf("too many allowed origins")
	ErrBuiltinOrigin  = fmt.Errorf("built-in origin")
)

// editFillOrigins applies edit to provider's list as config.json has it now
// (under a cross-process lock), saves the file and adopts the result in c.
func (c *Config) editFillOrigins(d Dirs, provider string, edit func([]string) ([]string, error)) error {
	unlock, err := filelock.Lock(d.Config() + ".lock")
	if err != nil {
		return fmt.Errorf("lock config: %w", err)
	}
	defer func() { _ = unlock() }()
	disk, err := Load(d)
	if err != nil {
		return err
	}
	next, err := edit(disk.FillOrigins[provider])
	if err != nil {
		return err
	}
	if disk.FillOrigins == nil {
		disk.FillOrigins = map[string][]string{}
	}
	if len(next) == 0 {
		delete(disk.FillOrigins, provider)
	} else {
		disk.FillOrigins[provider] = next
	}
	if err := disk.Save(d); err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	fillMu.Lock()
	c.FillOrigins = disk.FillOrigins
	fillMu.Unlock()
	return nil
}
