package install

import (
	"fmt"

	"github.com/tokenbridge/tokenbridge/host/config"
)

// loadExtensionIDs returns the extra extension IDs saved in config.json.
func (e Env) loadExtensionIDs() ([]string, error) {
	if e.LoadExtensionIDs != nil {
		return e.LoadExtensionIDs()
	}
	c, err := config.Load(config.Dirs{Home: e.ConfigDir})
	if err != nil {
		return nil, err
	}
	return c.ExtensionIDs, nil
}

// addExtensionIDs saves ids in config.json so the host's allowlist accepts
// them.
func (e Env) addExtensionIDs(ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if e.SaveExtensionIDs != nil {
		current, err := e.loadExtensionIDs()
		if err != nil {
			return err
		}
		merged := append([]string(nil), current...)
		for _, id := range ids {
			merged = appendUnique(merged, id)
		}
		return e.SaveExtensionIDs(merged)
	}
	d := config.Dirs{Home: e.ConfigDir}
	c, err := config.Load(d)
	if err != nil {
		return err
	}
	before := len(c.ExtensionIDs)
	for _, id := range ids {
		if err := c.AddExtensionID(id); err != nil {
			return fmt.Errorf("save extension ID: %w", err)
		}
	}
	if len(c.ExtensionIDs) == before {
		return nil
	}
	if err := c.Save(d); err != nil {
		return fmt.Errorf("save %s: %w", d.Config(), err)
	}
	return nil
}

// AllowedExtensions lists the extensions the manifests allow: the Chromium origins, then the
// Firefox IDs, built-in ones first, then the ones saved in config.json.
func (e Env) AllowedExtensions() ([]string, error) {
	saved, err := e.loadExtensionIDs()
	if err != nil {
		return nil, err
	}
	origins, gecko := splitIDs(saved)
	return append(origins, gecko...), nil
}
