package frame

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func lenPrefix(n uint32) []byte {
	b := make([]byte, 4)
	binary.LittleEndian.PutUint32(b, n)
	return b
}

func TestRead(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    []byte
		wantErr error
	}{
		{"ok", append(lenPrefix(2), '{', '}'), []byte("{}"), nil},
		{"clean eof", nil, nil, io.EOF},
		{"zero length", lenPrefix(0), nil, ErrEmpty},
		{"above cap", lenPrefix(MaxIncoming + 1), nil, ErrTooLarge},
		{"max uint32", lenPrefix(0xFFFFFFFF), nil, ErrTooLarge},
		{"truncated header", []byte{1, 0}, nil, ErrTruncated},
		{"truncated body", append(lenPrefix(10), '{'), nil, ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(bytes.NewReader(tt.in), MaxIncoming)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestWriteRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, []byte(`{"a":1}`)))
	require.NoError(t, Write(&buf, []byte(`{"b":2}`)))
	a, err := Read(&buf, MaxIncoming)
	require.NoError(t, err)
	require.Equal(t, `{"a":1}`, string(a))
	b, err := Read(&buf, MaxIncoming)
	require.NoError(t, err)
	require.Equal(t, `{"b":2}`, string(b))
	_, err = Read(&buf, MaxIncoming)
	require.ErrorIs(t, err, io.EOF)
}

func TestWriteRefusesOversize(t *testing.T) {
	var buf bytes.Buffer
	require.ErrorIs(t, Write(&buf, make([]byte, MaxOutgoing+1)), ErrTooLarge)
	require.Zero(t, buf.Len())
}

// An announced length far above the cap must not allocate it.
func TestReadDoesNotAllocateAnnouncedLength(t *testing.T) {
	in := lenPrefix(0xFFFFFFFF)
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = Read(bytes.NewReader(in), MaxIncoming)
	})
	require.Less(t, allocs, 10.0)
}

func FuzzRead(f *testing.F) {
	f.Add(append(lenPrefix(2), '{', '}'))
	f.Add(lenPrefix(0))
	f.Add(lenPrefix(0xFFFFFFFF))
	f.Add([]byte{1})
	f.Add(append(lenPrefix(5), 'a', 'b'))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		for {
			msg, err := Read(r, 1024)
			if err != nil {
				return
			}
			if len(msg) == 0 || len(msg) > 1024 {
				t.Fatalf("frame of %d bytes escaped the limit", len(msg))
			}
		}
	})
}

func BenchmarkRoundTrip(b *testing.B) {
	msg := []byte(`{"id":"1","cmd":"list"}`)
	var buf bytes.Buffer
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := Write(&buf, msg); err != nil {
			b.Fatal(err)
		}
		if _, err := Read(&buf, MaxIncoming); err != nil {
			b.Fatal(err)
		}
	}
}
