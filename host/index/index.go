// Package index keeps the non-secret metadata of every stored token in one
// JSON file (mode 0600), written atomically (temp file + rename) under a
// cross-process file lock. Other domains (MOEX profiles) keep their own
// records in the same file as named sections whose schema they own: index
// stores a section as it was given and never decodes it. Secrets never
// enter the file.
package index

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/tokenbridge/tokenbridge/host/atomicfile"
	"github.com/tokenbridge/tokenbridge/host/filelock"
)

// Version is the index file format version.
const Version = 1

// Data is the whole index. On disk it is one JSON object: "version",
// "tokens", and one top-level key per section.
type Data struct {
	Version int
	Tokens  []Token
	// Sections holds every other top-level key of the file (e.g. "moex")
	// as the owning domain encoded it; keys nobody here knows are kept, so
	// an older or newer tokenbridge never drops them.
	Sections map[string]json.RawMessage
}

// Token is a stored token's metadata.
type Token struct {
	ID           string      `json:"id"`
	Provider     string      `json:"provider"`
	Label        string      `json:"label"`
	Kind         string      `json:"kind"`
	Scope        Scope       `json:"scope"`
	Fingerprint  string      `json:"fingerprint"`
	Masked       string      `json:"masked"`
	CreatedAt    time.Time   `json:"created_at"`
	LastUsedAt   time.Time   `json:"last_used_at"`
	SourceOrigin string      `json:"source_origin,omitempty"`
	Validation   *Validation `json:"validation,omitempty"`
	UsedBy       []Use       `json:"used_by,omitempty"`
}

// Scope is the account scope chosen when the token was issued.
type Scope struct {
	AllAccounts bool   `json:"all_accounts"`
	AccountName string `json:"account_name,omitempty"`
}

// Validation is the last verdict of the broker's API on a token.
type Validation struct {
	Result    string    `json:"result"`
	CheckedAt time.Time `json:"checked_at"`
	Message   string    `json:"message,omitempty"`
	Accounts  []Account `json:"accounts,omitempty"`
	// Code refines an "upstream" result: certificate, rate_limited, network or server.
	Code string `json:"code,omitempty"`
	// LastFailure is the latest check that got no verdict (upstream), kept beside the
	// last definite verdict above; nil once a check gets a verdict again.
	LastFailure *Failure `json:"last_failure,omitempty"`
}

// Failure is a check that could not reach a verdict.
type Failure struct {
	At      time.Time `json:"at"`
	Code    string    `json:"code,omitempty"`
	Message string    `json:"message"`
}

// Account is one broker account a token reaches.
type Account struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	Status      string `json:"status"`
	AccessLevel string `json:"access_level"`
}

// Use records a consumer the token was handed to.
type Use struct {
	Origin string    `json:"origin"`
	At     time.Time `json:"at"`
}

// TokenByID returns the index of the token with id, or -1.
func (d *Data) TokenByID(id string) int {
	for i := range d.Tokens {
		if d.Tokens[i].ID == id {
			return i
		}
	}
	return -1
}

// File is the index file.
type File struct {
	path string
	lock string
}

// Open returns the index stored at path; the file is created on first write.
func Open(path string) *File { return &File{path: path, lock: path + ".lock"} }

// Path returns the file's path.
func (f *File) Path() string { return f.path }

// Read returns the current index without locking: writes are atomic
// renames, so a reader always sees a whole file.
func (f *File) Read() (Data, error) {
	b, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return Data{Version: Version}, nil
	}
	if err != nil {
		return Data{}, fmt.Errorf("read index: %w", err)
	}
	var d Data
	if err := json.Unmarshal(b, &d); err != nil {
		return Data{}, fmt.Errorf("index %s is damaged (%v): run `tokenbridge doctor` to move it aside and rebuild it from the keyring", f.path, err)
	}
	if d.Version > Version {
		return Data{}, fmt.Errorf("index %s has version %d, this tokenbridge knows %d: upgrade tokenbridge", f.path, d.Version, Version)
	}
	d.Version = Version
	return d, nil
}

// Update runs fn on the current index under the file lock and writes the
// result atomically if fn returns nil.
func (f *File) Update(fn func(*Data) error) error {
	unlock, err := filelock.Lock(f.lock)
	if err != nil {
		return fmt.Errorf("lock index: %w", err)
	}
	defer unlock()
	d, err := f.Read()
	if err != nil {
		return err
	}
	if err := fn(&d); err != nil {
		return err
	}
	b, err := json.MarshalIndent(&d, "", " ")
	if err != nil {
		return fmt.Errorf("encode index: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(f.path), err)
	}
	return atomicfile.WriteFile(f.path, append(b, '\n'), 0o600)
}
