package native

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/tokenbridge/tokenbridge/host/frame"
	"github.com/tokenbridge/tokenbridge/host/jsonlite"
)

// The request envelope is read (jsonlite.Members in DecodeRequest) and the
// answer written here without encoding/json, whose first use costs each
// host process more than the rest of a `list` (see host/jsonlite).

// encodeAnswer builds the answer's JSON, byte for byte what json.Marshal
// makes of the same map (keys sorted); one over the browsers' limit
// becomes an internal error.
func encodeAnswer(id string, res Result, herr error) []byte {
	var ans Result
	if herr != nil {
		ans = Result{"id": id, "ok": false, "error": codeFor(herr)}
	} else {
		ans = make(Result, len(res)+2)
		for k, v := range res {
			ans[k] = v
		}
		ans["id"], ans["ok"] = id, true
	}
	// One buffer sized for the answer: growing it step by step costs a
	// fresh host process a new allocation class at every step.
	capacity := 256
	if page, ok := res["tokens"].([]json.RawMessage); ok {
		for _, raw := range page {
			capacity += len(raw) + 1
		}
	}
	b, err := appendObject(make([]byte, 0, capacity), ans)
	if err == nil && len(b) > frame.MaxOutgoing {
		err = errors.New("answer too large")
	}
	if err != nil {
		b, _ = appendObject(nil, Result{"id": id, "ok": false, "error": Errorf(CodeInternal, "cannot send the answer: %v", err)})
	}
	return b
}

// appendObject writes m with its keys sorted. Strings, booleans, ints, nil
// and the []json.RawMessage pages handlers build (with json.Marshal or
// vault.View.AppendJSON: compact and HTML-escaped already, so written as
// they are) are written here; any other value by json.Marshal.
func appendObject(b []byte, m Result) ([]byte, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonlite.AppendString(b, k)
		b = append(b, ':')
		var err error
		if b, err = appendValue(b, m[k]); err != nil {
			return nil, fmt.Errorf("field %q: %w", k, err)
		}
	}
	return append(b, '}'), nil
}

func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return jsonlite.AppendString(b, v), nil
	case bool:
		return jsonlite.AppendBool(b, v), nil
	case int:
		return jsonlite.AppendInt(b, v), nil
	case []json.RawMessage:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, raw := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, raw...)
		}
		return append(b, ']'), nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, j...), nil
}
