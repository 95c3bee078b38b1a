package index

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// Keys of the file's own fields; no section may take them.
const (
	keyVersion = "version"
	keyTokens  = "tokens"
)

// Section decodes the section key into v. found is false (and v untouched)
// when the index has no such section.
func (d *Data) Section(key string, v any) (found bool, err error) {
	raw, ok := d.Sections[key]
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("%w: its %q section is not valid (%v): run `tokenbridge doctor` to see what a repair restores from its last-good copy and the keyring", ErrDamaged, key, err)
	}
	return true, nil
}

// SetSection stores v, encoded as JSON, as the section key; a nil v removes
// the section.
func (d *Data) SetSection(key string, v any) error {
	if key == keyVersion || key == keyTokens || key == "" {
		return fmt.Errorf("index section name %q is reserved", key)
	}
	if v == nil {
		delete(d.Sections, key)
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode index section %q: %w", key, err)
	}
	if d.Sections == nil {
		d.Sections = map[string]json.RawMessage{}
	}
	d.Sections[key] = raw
	return nil
}

// MarshalJSON writes "version", "tokens", then the sections by name.
func (d Data) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	field := func(key string, v any) error {
		raw, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode index %q: %w", key, err)
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(raw)
		return nil
	}
	if err := field(keyVersion, d.Version); err != nil {
		return nil, err
	}
	if err := field(keyTokens, d.Tokens); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(d.Sections))
	for k := range d.Sections {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k == keyVersion || k == keyTokens {
			continue
		}
		if err := field(k, d.Sections[k]); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads "version" and "tokens" and keeps every other key as
// a section.
func (d *Data) UnmarshalJSON(b []byte) error {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	out := Data{}
	if raw, ok := all[keyVersion]; ok {
		if err := json.Unmarshal(raw, &out.Version); err != nil {
			return fmt.Errorf("version: %w", err)
		}
		delete(all, keyVersion)
	}
	if raw, ok := all[keyTokens]; ok {
		if err := json.Unmarshal(raw, &out.Tokens); err != nil {
			return fmt.Errorf("tokens: %w", err)
		}
		delete(all, keyTokens)
	}
	if len(all) > 0 {
		out.Sections = all
	}
	*d = out
	return nil
}
