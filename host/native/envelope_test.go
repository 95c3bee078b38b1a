package native

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// marshalAnswer is the answer writer encodeAnswer replaced (the oracle).
func marshalAnswer(id string, res Result, herr error) []byte {
	resp := map[string]any{"id": id}
	for k, v := range res {
		resp[k] = v
	}
	if herr != nil {
		resp = map[string]any{"id": id, "ok": false, "error": codeFor(herr)}
	} else {
		resp["ok"] = true
	}
	b, err := json.Marshal(resp)
	if err != nil {
		panic(err)
	}
	return b
}

func TestEncodeAnswerMatchesMarshal(t *testing.T) {
	view, err := json.Marshal(map[string]any{"id": "tok_1", "label": "<b>&\u2028", "n": 3})
	require.NoError(t, err)
	type tokenish struct {
		ID    string `json:"id"`
		Label string `json:"label,omitempty"`
	}
	tests := []struct {
		name string
		res  Result
		err  error
	}{
		{"empty list", Result{"tokens": []json.RawMessage{}}, nil},
		{"list page", Result{"tokens": []json.RawMessage{view, view}, "next_offset": 100}, nil},
		{"nil page", Result{"tokens": []json.RawMessage(nil)}, nil},
		{"scalars", Result{"deleted": true, "created": false, "protocol": 1, "version": "1.2.3", "expires_at": nil, "n": -7}, nil},
		{"strings to escape", Result{"s": "a\"b\\c\n\r\t\b\f\x00\x1f<>&\u2028\u2029é中\U0001F600\xff\xc3"}, nil},
		{"structs and maps", Result{"token": tokenish{ID: "tok_1"}, "builtin": []string{"https://a"}, "added": []string(nil), "m": map[string]int{"b": 2, "a": 1}}, nil},
		{"keys sorted", Result{"z": 1, "a": 2, "ok_": 3, "id_": 4, "Z": 5}, nil},
		{"error", nil, Errorf(CodeNotFound, "no token <tok_1> & \"x\"")},
		{"wrapped error", nil, fmt.Errorf("outer: %w", Errorf(CodeKeyringLocked, "keyring locked"))},
		{"plain error", nil, errors.New("boom")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, string(marshalAnswer("req-1", tt.res, tt.err)), string(encodeAnswer("req-1", tt.res, tt.err)))
		})
	}
}

func TestEncodeAnswerTooLarge(t *testing.T) {
	b := encodeAnswer("1", Result{"secret": strings.Repeat("x", 1<<20+1)}, nil)
	var a answer
	require.NoError(t, json.Unmarshal(b, &a))
	require.False(t, a.OK)
	require.Equal(t, CodeInternal, a.Error.Code)
	require.Contains(t, a.Error.Message, "answer too large")
}
