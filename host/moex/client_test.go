package moex

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/trust"
)

// TestTokenRequestTLS runs the real token request (newHTTPClient + fullGrant and refreshGrant)
// against a local HTTPS server whose certificate no built-in pool trusts.
func TestTokenRequestTLS(t *testing.T) {
	hs := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"acc","token_type":"Bearer","expires_in":300}`))
	}))
	defer hs.Close()
	host := strings.TrimPrefix(hs.URL, "https://")
	home := t.TempDir()
	t.Setenv("TOKENBRIDGE_HOME", home)
	cfgPath := filepath.Join(home, "config.json")
	caPath := filepath.Join(home, "test-ca.pem")
	require.NoError(t, os.WriteFile(caPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hs.Certificate().Raw}), 0o600))

	tests := []struct {
		name, envCA, configCA string
		code                  string // "" = the request succeeds
		msg                   []string
	}{
		{name: "unknown CA", code: CodeCertificate, msg: []string{
			"the MOEX token endpoint " + host + " presented a TLS certificate tokenbridge does not trust",
			"signed by an unknown certificate authority", `issued by "O=Acme Co"`,
			"name it in " + cfgPath + ` as "api_overrides": {"tinvest_ca": "/path/to/ca.pem"}`}},
		{name: "an environment-only CA never reaches MOEX", envCA: caPath, code: CodeCertificate, msg: []string{`issued by "O=Acme Co"`}},
		{name: "CA named in config.json", configCA: caPath},
		{name: "CA named in config.json, env agrees", envCA: caPath, configCA: caPath},
		{name: "CA file in config.json missing", configCA: filepath.Join(home, "missing.pem"), code: CodeCertificate,
			msg: []string{"MOEX client: " + cfgPath + " api_overrides.tinvest_ca: cannot open CA file"}},
	}
	p := &Profile{Name: "play", Grant: "password", ClientID: "cid", Username: "u", TokenURL: hs.URL + "/token"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(config.EnvTInvestCA, tc.envCA)
			c := &config.Config{APIOverrides: config.APIOverrides{TInvestCA: tc.configCA}}
			require.NoError(t, c.Save(config.Dirs{Home: home}))
			now := time.Now()
			for _, run := range []func() (*tokenResult, error){
				func() (*tokenResult, error) {
					return fullGrant(context.Background(), newHTTPClient(), p, "sec", "pw", "", now)
				},
				func() (*tokenResult, error) {
					return refreshGrant(context.Background(), newHTTPClient(), p, "sec", "ref", now)
				},
			} {
				res, err := run()
				if tc.code == "" {
					require.NoError(t, err)
					require.Equal(t, "acc", res.access)
					continue
				}
				require.Nil(t, res)
				require.Equal(t, tc.code, ErrorCode(err), "%v", err)
				for _, m := range tc.msg {
					require.Contains(t, err.Error(), m)
				}
				require.NotContains(t, err.Error(), "x509:")
				require.NotContains(t, err.Error(), "sec")
			}
		})
	}
	if tr := http.DefaultTransport.(*http.Transport).TLSClientConfig; tr != nil {
		require.Nil(t, tr.RootCAs, "the process's default transport is never touched")
	}
}

func TestTransportTrustsRussianRoot(t *testing.T) {
	t.Setenv("TOKENBRIDGE_HOME", t.TempDir())
	ct, ok := newTransport().(certTransport)
	require.True(t, ok)
	tr, ok := ct.next.(*http.Transport)
	require.True(t, ok)
	blk, _ := pem.Decode(trust.RussianTrustedRootPEM)
	root, err := x509.ParseCertificate(blk.Bytes)
	require.NoError(t, err)
	_, err = root.Verify(x509.VerifyOptions{Roots: tr.TLSClientConfig.RootCAs, CurrentTime: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err, "a self-signed root verifies only when it is in the pool")
}
