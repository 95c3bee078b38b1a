package native

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/buildinfo"
)

func TestHelloReportsTheBuild(t *testing.T) {
	saved := [2]string{buildinfo.Commit, buildinfo.Date}
	t.Cleanup(func() { buildinfo.Commit, buildinfo.Date = saved[0], saved[1] })
	buildinfo.Commit, buildinfo.Date = "0123abc", "2026-12-01T09:00:00Z"
	env, _ := testEnv(t)
	a := call(t, env, `{"id":"1","cmd":"hello"}`)
	require.True(t, a.OK)
	require.Contains(t, string(a.Raw), `"version":"`+Version+`"`)
	require.Contains(t, string(a.Raw), `"commit":"0123abc"`)
	require.Contains(t, string(a.Raw), `"date":"2026-12-01T09:00:00Z"`)
}

func TestStoreIDCallerAllowed(t *testing.T) {
	const store = "abcdefghijklmnopabcdefghijklmnop"
	saved := buildinfo.ChromiumStoreID
	t.Cleanup(func() { buildinfo.ChromiumStoreID = saved })
	env, _ := testEnv(t)
	env.Caller = Caller{Browser: "chromium", ExtensionID: store}
	require.Equal(t, CodeOriginDenied, call(t, env, `{"id":"1","cmd":"hello"}`).Error.Code, "unstamped build")
	buildinfo.ChromiumStoreID = store
	require.True(t, call(t, env, `{"id":"1","cmd":"hello"}`).OK, "a release stamped with the store ID")
}
