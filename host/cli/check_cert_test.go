package cli

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/tinvest"
	"github.com/tokenbridge/tokenbridge/host/tinvest/tinvestfake"
)

// A T-Invest host whose certificate is not trusted: upstream (certificate), exit 1, and the
// message names the host, the issuer and the CA setting; never invalid.
func TestCheckCertificateError(t *testing.T) {
	f := newCheckFixture(t, nil, "full")
	hs := httptest.NewTLSServer(tinvestfake.New(map[string]tinvestfake.Token{checkTestToken("full"): {Access: tinvestfake.Full}}).Handler())
	defer hs.Close()
	t.Setenv(tinvest.EnvProdURL, hs.URL+"/prod/rest")
	t.Setenv(tinvest.EnvSandboxURL, hs.URL+"/sandbox/rest")
	host := strings.TrimPrefix(hs.URL, "https://")

	code, out, errs := f.run("check", "--all")
	require.Equal(t, ExitFailure, code, "stdout: %s\nstderr: %s", out, errs)
	for _, want := range []string{"upstream (certificate)", "the T-Invest API host " + host + " presented a TLS certificate tokenbridge does not trust",
		`issued by "O=Acme Co"`, `"api_overrides": {"tinvest_ca": "/path/to/ca.pem"}`, tinvest.EnvCA} {
		require.Contains(t, out, want)
	}
	require.NotContains(t, out, "invalid")

	code, out, _ = f.run("check", "--all", "--json")
	require.Equal(t, ExitFailure, code)
	var entries []checkEntry
	require.NoError(t, json.Unmarshal([]byte(out), &entries))
	require.Len(t, entries, 1)
	require.Equal(t, string(tinvest.ResultUpstream), entries[0].Token.Validation.Result)
	require.Equal(t, tinvest.CodeCertificate, entries[0].Token.Validation.Code)
}
