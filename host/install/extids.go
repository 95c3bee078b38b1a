package install

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// configFile is the host's config file in the config directory; the
// extension_ids field holds the extra extension IDs the host accepts.
const configFile = "config.json"

const configIDsField = "extension_ids"

const maxConfigSize = 1 << 20

func (e Env) loadExtensionIDs() ([]string, error) {
	if e.LoadExtensionIDs != nil {
		return e.LoadExtensionIDs()
	}
	fields, err := readConfigFields(e)
	if err != nil {
		return nil, err
	}
	raw, ok := fields[configIDsField]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	var ids []string
	if err := json.Unmarshal(raw, &ids); err != nil {
		return nil, fmt.Errorf("%s: field %s is not a list of strings (%w): fix or remove it", filepath.Join(e.ConfigDir, configFile), configIDsField, err)
	}
	return ids, nil
}

// addExtensionIDs merges ids into the persisted list.
func (e Env) addExtensionIDs(ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	current, err := e.loadExtensionIDs()
	if err != nil {
		return err
	}
	merged := append([]string(nil), current...)
	for _, id := range ids {
		merged = appendUnique(merged, id)
	}
	if len(merged) == len(current) {
		return nil
	}
	if e.SaveExtensionIDs != nil {
		return e.SaveExtensionIDs(merged)
	}
	fields, err := readConfigFields(e)
	if err != nil {
		return err
	}
	if fields == nil {
		fields = map[string]json.RawMessage{}
	}
	raw, err := json.Marshal(merged)
	if err != nil {
		return fmt.Errorf("encode extension IDs: %w", err)
	}
	fields[configIDsField] = raw
	data, err := json.MarshalIndent(fields, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", configFile, err)
	}
	if err := os.MkdirAll(e.ConfigDir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", e.ConfigDir, err)
	}
	return writeFileAtomic(filepath.Join(e.ConfigDir, configFile), append(data, '\n'), 0o600)
}

// readConfigFields reads config.json keeping every field it does not know.
func readConfigFields(e Env) (map[string]json.RawMessage, error) {
	if e.ConfigDir == "" {
		return nil, errors.New("no config directory (set $TOKENBRIDGE_HOME)")
	}
	p := filepath.Join(e.ConfigDir, configFile)
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if len(data) > maxConfigSize {
		return nil, fmt.Errorf("%s is larger than %d bytes: fix or move it away", p, maxConfigSize)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, fmt.Errorf("%s is not valid JSON (%w): fix it or move it away", p, err)
	}
	return fields, nil
}
