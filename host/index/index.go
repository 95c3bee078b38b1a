// Package index keeps the non-secret metadata of every stored token in one
// JSON file (mode 0600), written atomically (temp file + rename) under a
// cross-process file lock. Other domains (MOEX profiles) keep their own
// records in the same file as named sections whose schema they own: index
// stores a section as it was given and never decodes it. Secrets never
// enter the file.
//
// Every write also writes the same content to a last-good copy beside the
// file (index.last-good.json, mode 0600), first: a damaged index.json is
// repaired from it and from what Salvage can read of the damaged file
// (tokenbridge doctor), not only from the keyring.
package index

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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

// Errors of Read, to tell a damaged file (doctor repairs it) from one
// written by a newer tokenbridge (upgrade, or doctor --force).
var (
	ErrDamaged = errors.New("index damaged")
	ErrNewer   = errors.New("index written by a newer tokenbridge")
)

// File is the index file.
type File struct {
	path string
	lock string
}

// Open returns the index stored at path; the file is created on first write.
func Open(path string) *File { return &File{path: path, lock: path + ".lock"} }

// Path returns the file's path.
func (f *File) Path() string { return f.path }

// BackupPath returns the path of the last-good copy: index.last-good.json
// beside index.json.
func (f *File) BackupPath() string {
	return strings.TrimSuffix(f.path, ".json") + ".last-good.json"
}

// Read returns the current index without locking: writes are atomic
// renames, so a reader always sees a whole file.
func (f *File) Read() (Data, error) {
	b, err := readFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return Data{Version: Version}, nil
	}
	if err != nil {
		return Data{}, fmt.Errorf("read index: %w", err)
	}
	return Parse(f.path, b)
}

// Parse decodes the bytes of an index file read from path (named in errors).
func Parse(path string, b []byte) (Data, error) {
	d, err := parseFast(b)
	if err != nil {
		d = Data{}
		err = json.Unmarshal(b, &d)
	}
	if err != nil {
		return Data{}, fmt.Errorf("%w: %s is not valid (%v): run `tokenbridge doctor` to see what a repair restores from its last-good copy and the keyring", ErrDamaged, path, err)
	}
	if d.Version < 0 {
		return Data{}, fmt.Errorf("%w: %s has version %d: run `tokenbridge doctor` to see what a repair restores", ErrDamaged, path, d.Version)
	}
	if d.Version > Version {
		return Data{}, fmt.Errorf("%w: %s has version %d, this tokenbridge knows %d: upgrade tokenbridge (or `tokenbridge doctor --force` rewrites it as version %d, dropping what only the newer version knows)", ErrNewer, path, d.Version, Version, Version)
	}
	d.Version = Version
	return d, nil
}

// Update runs fn on the current index under the file lock and writes the
// result atomically if fn returns nil.
func (f *File) Update(fn func(*Data) error) error {
	return f.locked(func() error {
		d, err := f.Read()
		if err != nil {
			return err
		}
		if err := fn(&d); err != nil {
			return err
		}
		return f.write(d)
	})
}

// locked runs fn under the cross-process file lock.
func (f *File) locked(fn func() error) error {
	unlock, err := filelock.Lock(f.lock)
	if err != nil {
		return fmt.Errorf("lock index: %w", err)
	}
	defer unlock()
	return fn()
}

// write stores d in the last-good copy, then in the file (the caller holds
// the lock). Should the second write fail, the copy is a whole, newer
// index that doctor restores from.
func (f *File) write(d Data) error {
	d.Version = Version
	b, err := json.MarshalIndent(&d, "", " ")
	if err != nil {
		return fmt.Errorf("encode index: %w", err)
	}
	b = append(b, '\n')
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(f.path), err)
	}
	if err := atomicfile.WriteFile(f.BackupPath(), b, 0o600); err != nil {
		return fmt.Errorf("write the last-good copy of the index: %w", err)
	}
	return atomicfile.WriteFile(f.path, b, 0o600)
}
