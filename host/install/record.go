package install

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tokenbridge/tokenbridge/host/atomicfile"
)

// RecordFile is the name of the record of what install wrote, kept in the
// config directory.
const RecordFile = "installed.json"

const recordVersion = 1

// maxRecordSize bounds installed.json when reading it back.
const maxRecordSize = 1 << 20

// Record lists every file, directory and registry key install wrote.
type Record struct {
	Version int           `json:"version"`
	Entries []RecordEntry `json:"entries"`
}

// RecordEntry is one manifest install wrote.
type RecordEntry struct {
	Browser string `json:"browser"`          // browser ID ("chrome", ...)
	Family  Family `json:"family"`           // manifest flavour
	System  bool   `json:"system,omitempty"` // system scope (HKLM on Windows)
	Custom  bool   `json:"custom,omitempty"` // written with --dir
	File    string `json:"file"`
	// Dirs are the directories install created for File, deepest first;
	// uninstall removes them when they are empty.
	Dirs   []string `json:"dirs,omitempty"`
	RegKey string   `json:"reg_key,omitempty"` // Windows key (under HKCU or HKLM)
}

func (e RecordEntry) same(o RecordEntry) bool {
	return e.File == o.File && e.RegKey == o.RegKey && e.System == o.System
}

func recordPath(env Env) string { return filepath.Join(env.ConfigDir, RecordFile) }

// LoadRecord reads installed.json; a missing file is an empty record.
func LoadRecord(env Env) (Record, error) {
	if env.ConfigDir == "" {
		return Record{Version: recordVersion}, nil
	}
	f, err := os.Open(recordPath(env))
	if errors.Is(err, os.ErrNotExist) {
		return Record{Version: recordVersion}, nil
	}
	if err != nil {
		return Record{}, fmt.Errorf("read %s: %w", recordPath(env), err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRecordSize+1))
	if err != nil {
		return Record{}, fmt.Errorf("read %s: %w", recordPath(env), err)
	}
	if len(data) > maxRecordSize {
		return Record{}, fmt.Errorf("%s is larger than %d bytes: it is not tokenbridge's record; move it away and retry", recordPath(env), maxRecordSize)
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return Record{}, fmt.Errorf("%s is not valid JSON (%w): move it away and retry; uninstall then removes the known locations", recordPath(env), err)
	}
	if r.Version != recordVersion {
		return Record{}, fmt.Errorf("%s has version %d, this tokenbridge understands %d: use the tokenbridge that wrote it", recordPath(env), r.Version, recordVersion)
	}
	return r, nil
}

// saveRecord writes installed.json atomically (0600), or removes it when
// the record is empty.
func saveRecord(env Env, r Record) error {
	if env.ConfigDir == "" {
		return errors.New("no config directory to keep installed.json in (set $TOKENBRIDGE_HOME)")
	}
	p := recordPath(env)
	if len(r.Entries) == 0 {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", p, err)
		}
		return nil
	}
	r.Version = recordVersion
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", p, err)
	}
	if err := os.MkdirAll(env.ConfigDir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", env.ConfigDir, err)
	}
	return atomicfile.WriteFile(p, append(data, '\n'), 0o600)
}

// add merges e into the record, replacing an entry for the same place.
func (r *Record) add(e RecordEntry) {
	for i, old := range r.Entries {
		if old.same(e) {
			// Keep directories an earlier install created.
			if len(e.Dirs) == 0 {
				e.Dirs = old.Dirs
			}
			r.Entries[i] = e
			return
		}
	}
	r.Entries = append(r.Entries, e)
}
