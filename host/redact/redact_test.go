package redact

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	tinvest = "t.Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdEfGh"
	jwt     = "eyJhbGciOiJSUzI1NiIsInR5cCJ9.eyJleHAiOjE2Njk5NzUxNDEsInN1YiI6IngifQ.c2lnbmF0dXJlLXZhbHVl"
)

func TestRedacts(t *testing.T) {
	Add("s3cr3t-client-pass")
	tests := []struct{ name, in, secret string }{
		{"tinvest in text", "stored " + tinvest + " ok", tinvest},
		{"tinvest in json", `{"secret":"` + tinvest + `"}`, tinvest},
		{"jwt", "token=" + jwt, jwt},
		{"bearer", "Authorization: Bearer abcdefgh12345678", "abcdefgh12345678"},
		{"client secret field", `{"client_secret":"anything-here"}`, "anything-here"},
		{"password field", `{"password":"hunter2-long"}`, "hunter2-long"},
		{"registered value", "form client_secret=s3cr3t-client-pass&x=1", "s3cr3t-client-pass"},
		{"escaped quote in field", `{"token":"ab\"cdefgh"}`, `cdefgh`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := String(tt.in)
			require.NotContains(t, out, tt.secret)
			require.Contains(t, out, "[REDACTED]")
		})
	}
	require.Equal(t, "nothing secret here", String("nothing secret here"))
}

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w := Writer(&buf)
	n, err := w.Write([]byte("x " + tinvest + "\n"))
	require.NoError(t, err)
	require.Equal(t, len(tinvest)+3, n)
	require.False(t, strings.Contains(buf.String(), tinvest))
}

func BenchmarkRedactLine(b *testing.B) {
	line := []byte(`{"level":"info","cmd":"store","id":"abc","token_id":"tok_0123456789abcdef","message":"stored token"}`)
	for i := 0; i < b.N; i++ {
		Bytes(line)
	}
}
