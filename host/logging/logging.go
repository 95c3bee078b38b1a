// Package logging sets up the host's zerolog logger: JSON lines to a
// size-rotated file in the state directory, every line passed through the
// redaction layer first. Nothing is ever logged to stdout (it carries
// native-messaging frames only).
package logging

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/tokenbridge/tokenbridge/host/redact"
)

// MaxSize is the size at which the log file is rotated to "<name>.1".
const MaxSize = 1 << 20

// New returns a logger writing to path (rotated at MaxSize, one old file
// kept). The level comes from TOKENBRIDGE_LOG_LEVEL (default info). If the
// file cannot be opened the logger writes to stderr, still redacted.
func New(path string) (zerolog.Logger, io.Closer) {
	level, err := zerolog.ParseLevel(strings.ToLower(os.Getenv("TOKENBRIDGE_LOG_LEVEL")))
	if err != nil || level == zerolog.NoLevel {
		level = zerolog.InfoLevel
	}
	// The file is opened on the first line, not at start-up: a host
	// process that answers one `list` writes nothing (see bench.sh).
	rf := &Rotating{path: path, limit: MaxSize, fallback: os.Stderr}
	// The pid is stamped by the hook, not held as a context field: a
	// context is a 500-byte buffer copied into every event, built at every
	// host start even when nothing is logged.
	return zerolog.New(redact.Writer(rf)).Level(level).Hook(stamp{pid: os.Getpid()}), rf
}

// stamp adds to each line the time in UTC (RFC 3339, "Z": the local zone
// would make the first line read /etc/localtime) and the process ID.
type stamp struct{ pid int }

func (s stamp) Run(e *zerolog.Event, _ zerolog.Level, _ string) {
	e.Time(zerolog.TimestampFieldName, time.Now().UTC()).Int("pid", s.pid)
}

// Rotating is an append-only file that renames itself to "<path>.1" once
// it grows past its limit.
type Rotating struct {
	mu    sync.Mutex
	path  string
	limit int64
	f     *os.File
	size  int64
	// fallback receives the lines when the file cannot be opened (New:
	// stderr, which the browser keeps; still redacted). Nil: Write fails.
	fallback io.Writer
	failed   bool
}

// OpenRotating opens (creating, mode 0600) the log file at path.
func OpenRotating(path string, limit int64) (*Rotating, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	r := &Rotating{path: path, limit: limit}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Rotating) open() error {
	if err := os.MkdirAll(filepath.Dir(r.path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(r.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	r.f, r.size = f, st.Size()
	return nil
}

// Write appends p, rotating first if p would push the file past the limit.
func (r *Rotating) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil && !r.failed {
		if err := r.open(); err != nil {
			if r.fallback == nil {
				return 0, err
			}
			r.failed = true
			fmt.Fprintf(r.fallback, "tokenbridge: cannot open log %s (%v); logging to stderr\n", r.path, err)
		}
	}
	if r.failed {
		return r.fallback.Write(p)
	}
	if r.size > 0 && r.size+int64(len(p)) > r.limit {
		r.f.Close()
		// Several host processes may rotate at once; a failed rename just
		// means another one did it.
		_ = os.Rename(r.path, r.path+".1")
		if err := r.open(); err != nil {
			return 0, err
		}
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

// Close closes the file.
func (r *Rotating) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	return r.f.Close()
}
