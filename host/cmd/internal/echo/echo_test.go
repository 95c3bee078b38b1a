package echo

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/frame"
)

func TestServeEchoesEveryFrame(t *testing.T) {
	tests := []struct {
		name string
		msgs []string
	}{
		{"none", nil},
		{"one", []string{`{"id":"1","cmd":"list"}`}},
		{"several", []string{`{"id":"1"}`, `{"id":"2","cmd":"hello"}`, `[]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in, want, out bytes.Buffer
			for _, m := range tt.msgs {
				require.NoError(t, frame.Write(&in, []byte(m)))
			}
			want.Write(in.Bytes())
			Serve(&in, &out)
			require.Equal(t, want.Bytes(), out.Bytes())
		})
	}
}

func TestServeStopsAtATruncatedFrame(t *testing.T) {
	var in, out bytes.Buffer
	require.NoError(t, frame.Write(&in, []byte(`{"id":"1"}`)))
	first := bytes.Clone(in.Bytes())
	in.Write([]byte{9, 0, 0, 0, '{'})
	Serve(&in, &out)
	require.Equal(t, first, out.Bytes())
}
