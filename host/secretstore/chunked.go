package secretstore

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ChunkSize is the largest piece stored in one keyring item. Windows'
// Credential Manager holds at most 2560 bytes and macOS' security tool
// about 3 KB after encoding, so 1800 bytes fits every backend.
const ChunkSize = 1800

const (
	chunkHeader = "tokenbridge:chunked:v1:"
	chunkSep    = "#chunk-"
)

var errNoList = errors.New("this keyring cannot enumerate its items")

type chunkedStore struct {
	next Store
	size int
}

// WithChunking splits secrets larger than size into numbered items and
// stores a small header under the key itself. Chunks are written first and
// the header last, so a secret is either whole or absent.
func WithChunking(next Store, size int) Store {
	return &chunkedStore{next: next, size: size}
}

// IsChunkKey reports whether key names a chunk rather than a secret.
func IsChunkKey(key string) bool { return strings.Contains(key, chunkSep) }

func chunkKey(key string, i int) string { return key + chunkSep + strconv.Itoa(i) }

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

func (c *chunkedStore) Set(key, secret string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if len(secret) > MaxSecret {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(secret), MaxSecret)
	}
	old := c.chunkCount(key)
	if len(secret) <= c.size && !strings.HasPrefix(secret, chunkHeader) {
		if err := c.next.Set(key, secret); err != nil {
			return err
		}
		c.dropChunks(key, 0, old)
		return nil
	}
	parts := split(secret, c.size)
	n := len(parts)
	for i, part := range parts {
		if err := c.next.Set(chunkKey(key, i), part); err != nil {
			return fmt.Errorf("store chunk %d of %d: %w", i+1, n, err)
		}
	}
	if err := c.next.Set(key, chunkHeader+strconv.Itoa(n)+":"+digest(secret)); err != nil {
		return err
	}
	c.dropChunks(key, n, old)
	return nil
}

// split cuts s into pieces of at most size bytes, never inside a UTF-8
// sequence (backends that treat values as text would mangle half
// characters).
func split(s string, size int) []string {
	var out []string
	for len(s) > size {
		end := size
		for end > size-utf8.UTFMax && !utf8.RuneStart(s[end]) {
			end--
		}
		if !utf8.RuneStart(s[end]) {
			end = size // not UTF-8 here: any cut will do
		}
		out = append(out, s[:end])
		s = s[end:]
	}
	return append(out, s)
}

// chunkCount returns how many chunks the current value of key uses (0 when
// it is stored whole or absent).
func (c *chunkedStore) chunkCount(key string) int {
	v, err := c.next.Get(key)
	if err != nil {
		return 0
	}
	n, _, ok := parseHeader(v)
	if !ok {
		return 0
	}
	return n
}

func (c *chunkedStore) dropChunks(key string, from, to int) {
	for i := from; i < to; i++ {
		_ = c.next.Delete(chunkKey(key, i))
	}
}

func parseHeader(v string) (n int, sum string, ok bool) {
	rest, found := strings.CutPrefix(v, chunkHeader)
	if !found {
		return 0, "", false
	}
	num, sum, found := strings.Cut(rest, ":")
	if !found {
		return 0, "", false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > MaxSecret/ChunkSize+1 {
		return 0, "", false
	}
	return n, sum, true
}

func (c *chunkedStore) Get(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	v, err := c.next.Get(key)
	if err != nil {
		return "", err
	}
	n, sum, ok := parseHeader(v)
	if !ok {
		return v, nil
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		part, err := c.next.Get(chunkKey(key, i))
		if errors.Is(err, ErrNotFound) {
			return "", fmt.Errorf("secret %q: %w: chunk %d of %d is missing", key, ErrDamaged, i+1, n)
		}
		if err != nil {
			return "", fmt.Errorf("read chunk %d of %d: %w", i+1, n, err)
		}
		b.WriteString(part)
	}
	out := b.String()
	if digest(out) != sum {
		return "", fmt.Errorf("secret %q: %w: its chunks do not match their checksum", key, ErrDamaged)
	}
	return out, nil
}

func (c *chunkedStore) Delete(key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	n := c.chunkCount(key)
	if err := c.next.Delete(key); err != nil {
		return err
	}
	c.dropChunks(key, 0, n)
	return nil
}

// rawKeys lists every item of the wrapped store, chunks included.
func (c *chunkedStore) rawKeys() ([]string, error) {
	l, ok := c.next.(Lister)
	if !ok {
		return nil, errNoList
	}
	return l.List()
}

func (c *chunkedStore) List() ([]string, error) {
	keys, err := c.rawKeys()
	if err != nil {
		return nil, err
	}
	out := keys[:0]
	for _, k := range keys {
		if !IsChunkKey(k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// ChunkJanitor finds chunks no secret refers to (left by an interrupted
// store of a large secret).
type ChunkJanitor interface {
	StrayChunks() ([]string, error)
}

// StrayChunks lists chunk items whose secret has no header naming them.
func (c *chunkedStore) StrayChunks() ([]string, error) {
	keys, err := c.rawKeys()
	if err != nil {
		return nil, err
	}
	counts := map[string]int{} // one header read per secret, not per chunk
	var stray []string
	for _, k := range keys {
		base, num, found := strings.Cut(k, chunkSep)
		if !found {
			continue
		}
		n, seen := counts[base]
		if !seen {
			n = c.chunkCount(base)
			counts[base] = n
		}
		if i, err := strconv.Atoi(num); err != nil || i >= n {
			stray = append(stray, k)
		}
	}
	return stray, nil
}
