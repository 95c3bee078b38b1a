package native

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// A refused fill or record_use names the allowlist in force, the origins the
// user added included, and where to add one.
func TestFillTargetNamesTheAllowlist(t *testing.T) {
	env, _ := testEnv(t)
	env.Config.FillOrigins = map[string][]string{"tinvest": {"https://tracker.example"}}
	id := call(t, env, storeReq(tok1)).Token.ID
	for _, req := range []string{
		fmt.Sprintf(`{"id":"g","cmd":"get","token_id":%q,"purpose":"fill","origin":"https://other.example"}`, id),
		fmt.Sprintf(`{"id":"r","cmd":"record_use","token_id":%q,"origin":"https://other.example"}`, id),
	} {
		a := call(t, env, req)
		require.False(t, a.OK)
		require.Equal(t, CodeTargetDenied, a.Error.Code)
		require.Contains(t, a.Error.Message, "https://logos-up.com")
		require.Contains(t, a.Error.Message, "https://tracker.example", "origins the user allowed are listed too")
		require.Contains(t, a.Error.Message, "popup")
	}
	a := call(t, env, fmt.Sprintf(`{"id":"ok","cmd":"get","token_id":%q,"purpose":"fill","origin":"https://tracker.example"}`, id))
	require.True(t, a.OK, "%+v", a.Error)
}
