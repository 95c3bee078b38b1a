package tinvest_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/tinvest"
	"github.com/tokenbridge/tokenbridge/host/tinvest/tinvestfake"
	"github.com/tokenbridge/tokenbridge/host/trust"
)

func TestConfigBaseURLs(t *testing.T) {
	tests := []struct {
		name, prod, want, err string
	}{
		{name: "default", prod: "", want: tinvest.DefaultProdURL},
		{name: "https custom, trailing slash trimmed", prod: "https://example.test/rest/", want: "https://example.test/rest"},
		{name: "http loopback v4", prod: "http://127.0.0.1:8080/prod/rest", want: "http://127.0.0.1:8080/prod/rest"},
		{name: "http loopback v6", prod: "http://[::1]:8080/rest", want: "http://[::1]:8080/rest"},
		{name: "http localhost", prod: "http://localhost:1/rest", want: "http://localhost:1/rest"},
		{name: "http remote refused", prod: "http://invest-public-api.tbank.ru/rest", err: "plain http is allowed only"},
		{name: "ftp refused", prod: "ftp://x/rest", err: "must use https"},
		{name: "userinfo refused", prod: "https://u:p@x/rest", err: "no user info"},
		{name: "query refused", prod: "https://x/rest?a=1", err: "no user info, query"},
		{name: "no host refused", prod: "/rest", err: "must look like"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tinvest.New(tinvest.Config{ProdURL: tc.prod})
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				require.ErrorContains(t, err, tinvest.EnvProdURL)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, c.ProdURL)
			require.Equal(t, tinvest.DefaultSandboxURL, c.SandboxURL)
		})
	}
}

func TestConfigFromEnv(t *testing.T) {
	home := t.TempDir()
	t.Setenv("TOKENBRIDGE_HOME", home)
	tests := []struct {
		name, prod, sandbox, ca, config string
		want                            []string // ProdURL, SandboxURL
		err                             []string
	}{
		{name: "defaults", want: []string{tinvest.DefaultProdURL, tinvest.DefaultSandboxURL}},
		{name: "loopback fake", prod: "http://127.0.0.1:1/prod/rest", sandbox: "http://127.0.0.1:1/sandbox/rest",
			want: []string{"http://127.0.0.1:1/prod/rest", "http://127.0.0.1:1/sandbox/rest"}},
		{name: "old bank host", prod: "https://invest-public-api.tinkoff.ru/rest", want: []string{"https://invest-public-api.tinkoff.ru/rest", tinvest.DefaultSandboxURL}},
		{name: "http to a private address refused by the scheme rule", sandbox: "http://10.0.0.1/rest",
			config: `{"api_overrides": {"tinvest_sandbox_url": "http://10.0.0.1/rest"}}`, err: []string{tinvest.EnvSandboxURL, "plain http is allowed only"}},
		{name: "foreign host refused", prod: "https://collector.example/rest",
			err: []string{tinvest.EnvProdURL, "nor a T-Invest API host", filepath.Join(home, "config.json"), `"tinvest_url"`}},
		{name: "foreign host allowed by config.json", prod: "https://proxy.example/rest",
			config: `{"api_overrides": {"tinvest_url": "https://proxy.example/rest"}}`, want: []string{"https://proxy.example/rest", tinvest.DefaultSandboxURL}},
		{name: "CA for the bank's hosts refused", ca: filepath.Join(home, "ca.pem"), err: []string{tinvest.EnvCA, `"tinvest_ca"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(tinvest.EnvProdURL, tc.prod)
			t.Setenv(tinvest.EnvSandboxURL, tc.sandbox)
			t.Setenv(tinvest.EnvCA, tc.ca)
			cfgPath := filepath.Join(home, "config.json")
			require.NoError(t, os.RemoveAll(cfgPath))
			if tc.config != "" {
				require.NoError(t, os.WriteFile(cfgPath, []byte(tc.config), 0o600))
			}
			c, err := tinvest.NewFromEnv()
			if len(tc.err) > 0 {
				for _, e := range tc.err {
					require.ErrorContains(t, err, e)
				}
				require.Nil(t, c, "a refused override never falls back to another address")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, []string{c.ProdURL, c.SandboxURL})
			require.Equal(t, 10*time.Second, c.Timeout)
		})
	}
}

// unknownCAServer is a local HTTPS fake whose certificate no pool of ours trusts.
func unknownCAServer(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	srv := tinvestfake.New(map[string]tinvestfake.Token{tokFull: {}})
	hs := httptest.NewTLSServer(srv.Handler())
	t.Cleanup(hs.Close)
	caPath := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hs.Certificate().Raw}), 0o600))
	return hs, caPath
}

func TestCAFile(t *testing.T) {
	hs, caPath := unknownCAServer(t)
	c, err := tinvest.New(tinvest.Config{ProdURL: hs.URL + "/prod/rest", SandboxURL: hs.URL + "/sandbox/rest", CAFile: caPath})
	require.NoError(t, err)
	v := c.Check(context.Background(), tokFull, time.Time{})
	require.Equal(t, tinvest.ResultFullAccess, v.Result, v.Message)
	require.Empty(t, v.Code)

	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pem")
	require.NoError(t, os.WriteFile(bad, []byte("not pem"), 0o600))
	_, err = tinvest.New(tinvest.Config{CAFile: bad})
	require.ErrorContains(t, err, "no PEM certificate")
	require.ErrorContains(t, err, tinvest.EnvCA)
	_, err = tinvest.New(tinvest.Config{CAFile: filepath.Join(dir, "missing.pem")})
	require.ErrorContains(t, err, "cannot open CA file")
}

func TestCertificateError(t *testing.T) {
	hs, _ := unknownCAServer(t)
	host := strings.TrimPrefix(hs.URL, "https://")
	// An extra CA file that holds some other CA.
	caPath := filepath.Join(t.TempDir(), "other-ca.pem")
	require.NoError(t, os.WriteFile(caPath, trust.RussianTrustedRootPEM, 0o600))
	tests := []struct {
		name string
		cfg  tinvest.Config
		want []string
	}{
		{name: "unknown CA",
			cfg:  tinvest.Config{ConfigPath: "/home/u/.config/tokenbridge/config.json"},
			want: []string{"/home/u/.config/tokenbridge/config.json", `"api_overrides": {"tinvest_ca": "/path/to/ca.pem"}`}},
		{name: "unknown CA, config path unknown", want: []string{"config.json (`tokenbridge doctor` shows where)"}},
		{name: "extra CA file that does not cover it", cfg: tinvest.Config{CAFile: caPath},
			want: []string{"the extra CA file " + caPath + " does not cover this certificate"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.ProdURL, cfg.SandboxURL, cfg.Timeout = hs.URL+"/prod/rest", hs.URL+"/sandbox/rest", 2*time.Second
			c, err := tinvest.New(cfg)
			require.NoError(t, err)

			_, err = c.GetAccounts(context.Background(), tokFull)
			require.ErrorIs(t, err, tinvest.ErrCertificate)
			var ce *trust.CertificateError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, "O=Acme Co", ce.Issuer)

			v := c.Check(context.Background(), tokFull, time.Time{})
			require.Equal(t, tinvest.ResultUpstream, v.Result, "never invalid")
			require.Equal(t, tinvest.CodeCertificate, v.Code)
			for _, w := range append([]string{
				"could not check the token: the T-Invest API host " + host + " presented a TLS certificate tokenbridge does not trust",
				"signed by an unknown certificate authority", `issued by "O=Acme Co"`, tinvest.EnvCA,
			}, tc.want...) {
				require.Contains(t, v.Message, w)
			}
			require.NotContains(t, v.Message, "x509:")
			require.NotContains(t, v.Message, tokFull)
		})
	}
}

func TestClientTrustPool(t *testing.T) {
	c, err := tinvest.New(tinvest.Config{})
	require.NoError(t, err)
	tr, ok := c.HTTP.Transport.(*http.Transport)
	require.True(t, ok)
	require.NotSame(t, http.DefaultTransport, tr)
	pool := tr.TLSClientConfig.RootCAs
	require.NotNil(t, pool)
	sys, err := os.ReadFile("/etc/ssl/certs/ISRG_Root_X1.pem")
	require.NoError(t, err, "the test machine has Debian's ca-certificates")
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for name, b := range map[string][]byte{"russian root": trust.RussianTrustedRootPEM, "russian sub": trust.RussianTrustedSubPEM, "system root": sys} {
		blk, _ := pem.Decode(b)
		require.NotNil(t, blk, name)
		cert, err := x509.ParseCertificate(blk.Bytes)
		require.NoError(t, err, name)
		// A self-signed root verifies only when it is in the pool.
		_, err = cert.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		require.NoError(t, err, name)
	}
	require.Equal(t, uint16(tls.VersionTLS12), tr.TLSClientConfig.MinVersion)
	// The process's default transport keeps the system trust only.
	if cfg := http.DefaultTransport.(*http.Transport).TLSClientConfig; cfg != nil {
		require.Nil(t, cfg.RootCAs)
		require.False(t, cfg.InsecureSkipVerify)
	}
}

func TestGetInfo(t *testing.T) {
	srv := tinvestfake.NewServer(table())
	defer srv.Close()
	c, _ := newTestClient(t, srv.ProdURL, srv.SandboxURL)

	info, err := c.GetInfo(context.Background(), tokRO)
	require.NoError(t, err)
	require.Equal(t, "investor", info.Tariff)
	require.NotEmpty(t, info.UserID)

	_, err = c.GetInfo(context.Background(), tokSandbox)
	require.ErrorIs(t, err, tinvest.ErrUnauthenticated, "a sandbox token answers 40003 on production")
	require.NotContains(t, err.Error(), tokSandbox)
	require.Empty(t, srv.Violations())
	require.Equal(t, 2, srv.CountRPC("prod", tinvest.RPCGetInfo))
}

func TestErrorBodyParsing(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		header     map[string]string
		is         error
		desc       int
		upstream   bool
	}{
		{name: "string description", status: 401, body: `{"code":16,"message":"authentication token is missing or invalid","description":"40003"}`, is: tinvest.ErrUnauthenticated, desc: 40003},
		{name: "numeric description", status: 401, body: `{"code":16,"message":"Authentication token is missing or invalid","description":40003}`, is: tinvest.ErrUnauthenticated, desc: 40003},
		{name: "code only", status: 401, body: `{"code":16,"message":"x"}`, is: tinvest.ErrUnauthenticated},
		{name: "40002", status: 403, body: `{"code":7,"message":"no","description":"40002"}`, is: tinvest.ErrPermissionDenied, desc: 40002},
		{name: "50004 plain api error", status: 404, body: `{"code":5,"message":"account not found","description":"50004"}`, desc: 50004},
		{name: "500 with body", status: 500, body: `{"code":13,"message":"internal","description":"70001"}`, upstream: true},
		{name: "401 not json", status: 401, body: `Unauthorized`, upstream: true},
		{name: "junk description", status: 400, body: `{"code":3,"message":"bad","description":"oops"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("x-tracking-id", "trk-1")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer hs.Close()
			c, _ := newTestClient(t, hs.URL, hs.URL)
			_, err := c.GetAccounts(context.Background(), tokFull)
			require.Error(t, err)
			var ue *tinvest.UpstreamError
			require.Equal(t, tc.upstream, errors.As(err, &ue), err.Error())
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
			}
			var ae *tinvest.APIError
			if !tc.upstream {
				require.ErrorAs(t, err, &ae)
				require.Equal(t, tc.desc, ae.Description)
				require.Equal(t, "trk-1", ae.TrackingID)
				require.Equal(t, tc.status, ae.HTTPStatus)
			}
			require.NotContains(t, err.Error(), tokFull)
		})
	}
}

func TestParseReset(t *testing.T) {
	require.Equal(t, 7*time.Second, tinvest.ParseReset("7"))
	require.Equal(t, 1500*time.Millisecond, tinvest.ParseReset(" 1.5 "))
	require.Zero(t, tinvest.ParseReset(""))
	require.Zero(t, tinvest.ParseReset("-1"))
	require.Zero(t, tinvest.ParseReset("soon"))
	require.Zero(t, tinvest.ParseReset("1e99"))
}

func TestCleanBoundsServerStrings(t *testing.T) {
	require.Equal(t, "ab", tinvest.Clean("a\x00\nb", 10))
	require.Equal(t, "\uFFFD", tinvest.Clean("\xff", 10))
	s := tinvest.Clean(strings.Repeat("я", 10), 5)
	require.True(t, strings.HasSuffix(s, "…"))
	require.LessOrEqual(t, len(s), 5+len("…"))
}

func TestAccountsBoundedAndSnakeCase(t *testing.T) {
	var accs []map[string]string
	for i := 0; i < tinvest.MaxAccounts+20; i++ {
		accs = append(accs, map[string]string{"id": "1", "access_level": tinvest.AccessReadOnly, "name": strings.Repeat("n", 500)})
	}
	body, err := json.Marshal(map[string]any{"accounts": accs})
	require.NoError(t, err)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) }))
	defer hs.Close()
	c, _ := newTestClient(t, hs.URL, hs.URL)
	got, err := c.GetAccounts(context.Background(), tokFull)
	require.NoError(t, err)
	require.Len(t, got, tinvest.MaxAccounts)
	require.Equal(t, tinvest.AccessReadOnly, got[0].AccessLevel)
	require.LessOrEqual(t, len(got[0].Name), 200+len("…"))
}

func TestTokenNeverLogged(t *testing.T) {
	srv := tinvestfake.NewServer(table())
	defer srv.Close()
	c, _ := newTestClient(t, srv.ProdURL, srv.SandboxURL)
	var buf bytes.Buffer
	c.Log = zerolog.New(&buf).Level(zerolog.DebugLevel)
	for _, tok := range []string{tokFull, tokSandbox, tokExpired, tokRate, tok500} {
		_ = c.Check(context.Background(), tok, time.Time{})
		require.NotContains(t, buf.String(), tok)
		require.NotContains(t, buf.String(), strings.TrimPrefix(tok, "t."))
	}
	require.Contains(t, buf.String(), "tinvest call")
}

func BenchmarkCheckFullAccess(b *testing.B) {
	srv := tinvestfake.NewServer(table())
	defer srv.Close()
	c, err := tinvest.New(tinvest.Config{ProdURL: srv.ProdURL, SandboxURL: srv.SandboxURL})
	require.NoError(b, err)
	for b.Loop() {
		if v := c.Check(context.Background(), tokFull, time.Time{}); v.Result != tinvest.ResultFullAccess {
			b.Fatal(v.Message)
		}
	}
}
