package native

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// Field names match exactly: encoding/json alone matches them
// case-insensitively, so "Token_Id" or "PURPOSE" used to pass.
func TestFieldNamesMatchExactly(t *testing.T) {
	env, mem := testEnv(t)
	id := call(t, env, storeReq(tok1)).Token.ID
	tests := []struct {
		name, req, want string
	}{
		{"exact names", `{"id":"g","cmd":"get","token_id":%q,"purpose":"copy"}`, ""},
		{"Token_Id", `{"id":"g","cmd":"get","Token_Id":%q,"purpose":"copy"}`, `use "token_id"`},
		{"PURPOSE", `{"id":"g","cmd":"get","token_id":%q,"PURPOSE":"copy"}`, `use "purpose"`},
		{"Origin in record_use", `{"id":"r","cmd":"record_use","token_id":%q,"Origin":"https://logos-up.com"}`, `use "origin"`},
		{"TOKEN_ID in delete", `{"id":"d","cmd":"delete","TOKEN_ID":%q}`, `use "token_id"`},
		{"key given twice", `{"id":"g","cmd":"get","token_id":%q,"purpose":"fill","purpose":"copy"}`, "given twice"},
		{"data after the object", `{"id":"g","cmd":"get","token_id":%q,"purpose":"copy"} {}`, "after the JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := call(t, env, fmt.Sprintf(tt.req, id))
			if tt.want == "" {
				require.True(t, a.OK, "%+v", a.Error)
				return
			}
			require.False(t, a.OK)
			require.Equal(t, CodeBadRequest, a.Error.Code)
			require.Contains(t, a.Error.Message, tt.want)
			require.NotContains(t, string(a.Raw), tok1)
		})
	}
	require.Equal(t, 1, mem.Len(), "no bad message deleted the token")

	// Nested objects too, and the envelope's own names.
	for _, req := range []string{
		`{"id":"s","cmd":"store","provider":"tinvest","secret":"` + tok1 + `x","scope":{"ALL_ACCOUNTS":true}}`,
		`{"id":"s","cmd":"store","provider":"tinvest","secret":"` + tok1 + `x","scope":{"all_accounts":true,"Account_Name":"x"}}`,
		`{"id":"s","cmd":"store","Provider":"tinvest","secret":"` + tok1 + `x"}`,
		`{"id":"s","cmd":"list","CMD":"delete"}`,
	} {
		a := call(t, env, req)
		require.False(t, a.OK, req)
		require.Equal(t, CodeBadRequest, a.Error.Code, req)
		require.Contains(t, a.Error.Message, "unknown field", req)
	}
	require.Equal(t, 1, mem.Len(), "nothing was stored")
}
