// Package frame reads and writes native-messaging frames: a 4-byte
// little-endian length followed by that many bytes of UTF-8 JSON.
package frame

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/tokenbridge/tokenbridge/host/limits"
)

// Frame caps (host/limits).
const (
	// MaxIncoming caps the length of a frame the host accepts (64 KiB).
	MaxIncoming = limits.MaxFrameIn
	// MaxOutgoing is the browsers' limit for host → browser messages (1 MiB).
	MaxOutgoing = limits.MaxFrameOut
)

var (
	// ErrTooLarge means the announced length exceeds the cap. The body was
	// not read; the stream is no longer in sync and must be closed.
	ErrTooLarge = errors.New("frame too large")
	// ErrEmpty means a zero-length frame. The stream is still in sync.
	ErrEmpty = errors.New("empty frame")
	// ErrTruncated means the stream ended inside a frame.
	ErrTruncated = errors.New("truncated frame")
)

// Read reads one frame of at most limit bytes. It returns io.EOF only when
// the stream ends cleanly between frames.
func Read(r io.Reader, limit uint32) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: header", ErrTruncated)
		}
		return nil, fmt.Errorf("read frame header: %w", err)
	}
	n := binary.LittleEndian.Uint32(hdr[:])
	switch {
	case n == 0:
		return nil, ErrEmpty
	case n > limit:
		return nil, fmt.Errorf("%w: %d bytes announced, limit %d", ErrTooLarge, n, limit)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: body", ErrTruncated)
		}
		return nil, fmt.Errorf("read frame body: %w", err)
	}
	return buf, nil
}

// Write writes msg as one frame with a single Write call, so concurrent
// writers serialised by the caller never interleave partial frames.
func Write(w io.Writer, msg []byte) error {
	if len(msg) > MaxOutgoing {
		return fmt.Errorf("%w: outgoing %d bytes, limit %d", ErrTooLarge, len(msg), MaxOutgoing)
	}
	buf := make([]byte, 4+len(msg))
	binary.LittleEndian.PutUint32(buf, uint32(len(msg)))
	copy(buf[4:], msg)
	_, err := w.Write(buf)
	if err != nil {
		return fmt.Errorf("write frame: %w", err)
	}
	return nil
}
