package trust_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/trust"
)

func parsePEM(t *testing.T, b []byte) *x509.Certificate {
	t.Helper()
	blk, rest := pem.Decode(b)
	require.NotNil(t, blk, "no PEM block")
	require.Equal(t, "CERTIFICATE", blk.Type)
	require.Empty(t, bytes.TrimSpace(rest), "exactly one certificate per file")
	c, err := x509.ParseCertificate(blk.Bytes)
	require.NoError(t, err)
	return c
}

func fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// verifies reports whether c verifies against pool (a self-signed root verifies only
// when it is in the pool itself, so this is a sound membership test for roots).
func verifies(c *x509.Certificate, pool *x509.CertPool, at time.Time) error {
	_, err := c.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	return err
}

var at2026 = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func TestEmbeddedCertificates(t *testing.T) {
	tests := []struct {
		name, file, cn, issuer, sha256 string
		pem                            []byte
		ca                             bool
	}{
		{name: "root", file: "russian-trusted-root-ca.pem", pem: trust.RussianTrustedRootPEM, cn: "Russian Trusted Root CA", issuer: "Russian Trusted Root CA",
			sha256: "D2:6D:2D:02:31:B7:C3:9F:92:CC:73:85:12:BA:54:10:35:19:E4:40:5D:68:B5:BD:70:3E:97:88:CA:8E:CF:31"},
		{name: "sub", file: "russian-trusted-sub-ca.pem", pem: trust.RussianTrustedSubPEM, cn: "Russian Trusted Sub CA", issuer: "Russian Trusted Root CA",
			sha256: "BB:BD:E2:10:3E:79:0B:99:9E:C6:2B:D0:3C:F6:25:A5:A2:E7:C3:16:E1:0A:FE:6A:49:0E:ED:EA:D8:B3:FD:9B"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			onDisk, err := os.ReadFile(filepath.Join("roots", tc.file))
			require.NoError(t, err)
			require.Equal(t, onDisk, tc.pem, "embedded bytes are the file's bytes")
			c := parsePEM(t, tc.pem)
			require.Equal(t, tc.sha256, fingerprint(c))
			require.Equal(t, tc.cn, c.Subject.CommonName)
			require.Equal(t, tc.issuer, c.Issuer.CommonName)
			require.True(t, c.IsCA)
			require.Equal(t, []string{"RU"}, c.Subject.Country)
		})
	}
	// The sub CA is signed by the root.
	root := x509.NewCertPool()
	root.AddCert(parsePEM(t, trust.RussianTrustedRootPEM))
	require.NoError(t, verifies(parsePEM(t, trust.RussianTrustedSubPEM), root, at2026))
}

// systemRoot is a root from the Debian store that the Russian certificates are not.
const systemRoot = "/etc/ssl/certs/ISRG_Root_X1.pem"

func TestPool(t *testing.T) {
	pool := trust.Pool()
	require.NoError(t, trust.SystemRootsErr())
	sys, err := os.ReadFile(systemRoot)
	require.NoError(t, err, "the test machine has Debian's ca-certificates")
	stranger, _ := newCA(t, "Stranger CA", time.Now().Add(time.Hour))

	tests := []struct {
		name string
		cert *x509.Certificate
		ok   bool
	}{
		{name: "russian root", cert: parsePEM(t, trust.RussianTrustedRootPEM), ok: true},
		{name: "russian sub", cert: parsePEM(t, trust.RussianTrustedSubPEM), ok: true},
		{name: "system root", cert: parsePEM(t, sys), ok: true},
		{name: "unknown CA", cert: stranger},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := verifies(tc.cert, pool, at2026)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			var ua x509.UnknownAuthorityError
			require.ErrorAs(t, err, &ua)
		})
	}

	// Each call is a fresh pool: adding to one leaves the others alone.
	pool.AddCert(stranger)
	require.NoError(t, verifies(stranger, pool, at2026))
	require.Error(t, verifies(stranger, trust.Pool(), at2026))
	requireDefaultTransportUntouched(t)
}

// requireDefaultTransportUntouched: http.DefaultTransport trusts only the system roots.
// (Cloning it lets net/http fill in its HTTP/2 NextProtos, never its trust.)
func requireDefaultTransportUntouched(t *testing.T) {
	t.Helper()
	if cfg := http.DefaultTransport.(*http.Transport).TLSClientConfig; cfg != nil {
		require.Nil(t, cfg.RootCAs)
		require.False(t, cfg.InsecureSkipVerify)
		require.Nil(t, cfg.VerifyPeerCertificate)
	}
}

func TestPoolWithFile(t *testing.T) {
	dir := t.TempDir()
	ca, _ := newCA(t, "Test CA", time.Now().Add(time.Hour))
	good := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(good, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}), 0o600))
	notPEM := filepath.Join(dir, "bad.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("not pem"), 0o600))
	huge := filepath.Join(dir, "huge.pem")
	require.NoError(t, os.WriteFile(huge, bytes.Repeat([]byte("a"), trust.MaxCAFile+1), 0o600))

	tests := []struct {
		name, path, err string
	}{
		{name: "ok", path: good},
		{name: "missing", path: filepath.Join(dir, "missing.pem"), err: "SETTING: cannot open CA file"},
		{name: "not pem", path: notPEM, err: "SETTING: no PEM certificate"},
		{name: "too large", path: huge, err: "SETTING: CA file is larger than 1 MiB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pool, err := trust.PoolWithFile(tc.path, "SETTING")
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.NoError(t, verifies(ca, pool, at2026))
			require.NoError(t, verifies(parsePEM(t, trust.RussianTrustedRootPEM), pool, at2026), "the embedded roots stay")
		})
	}
}

func TestAsCertificateError(t *testing.T) {
	unknown := httptest.NewTLSServer(http.NotFoundHandler())
	defer unknown.Close()

	// A server whose certificate expired, from a CA the client trusts.
	ca, caKey := newCA(t, "Expired Test CA", time.Now().Add(time.Hour))
	expired := httptest.NewUnstartedServer(http.NotFoundHandler())
	expired.TLS = &tls.Config{Certificates: []tls.Certificate{leaf(t, ca, caKey, time.Now().Add(-time.Hour))}}
	expired.StartTLS()
	defer expired.Close()
	expiredPool := trust.Pool()
	expiredPool.AddCert(ca)

	// httptest's certificate is for 127.0.0.1, ::1 and example.com, not "localhost".
	trusted := trust.Pool()
	trusted.AddCert(unknown.Certificate())
	byName := strings.Replace(unknown.URL, "127.0.0.1", "localhost", 1)

	refused := httptest.NewServer(http.NotFoundHandler())
	refusedURL := refused.URL
	refused.Close()

	tests := []struct {
		name, url, reason, subject, issuer string
		pool                               *x509.CertPool
		cert                               bool
	}{
		{name: "unknown authority", url: unknown.URL, pool: trust.Pool(), cert: true,
			reason: "signed by an unknown certificate authority", subject: "", issuer: "O=Acme Co"},
		{name: "expired", url: expired.URL, pool: expiredPool, cert: true, reason: "it is not valid (certificate has expired", subject: "127.0.0.1", issuer: "Expired Test CA"},
		{name: "hostname", url: byName, pool: trusted, cert: true, reason: `not valid for the name "localhost"`, issuer: "O=Acme Co"},
		{name: "connection refused is no certificate error", url: refusedURL, pool: trust.Pool()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hc := &http.Client{Transport: trust.Transport(tc.pool), Timeout: 5 * time.Second}
			resp, err := hc.Get(tc.url)
			if err == nil {
				resp.Body.Close()
			}
			require.Error(t, err)
			u, _ := url.Parse(tc.url)
			ce, ok := trust.AsCertificateError(err, "Test API", u.Host, "set THE_SETTING=/path/ca.pem")
			require.Equal(t, tc.cert, ok, "%v", err)
			if !tc.cert {
				require.Nil(t, ce)
				return
			}
			require.ErrorIs(t, ce, trust.ErrCertificate)
			require.True(t, errors.Is(ce, trust.ErrCertificate))
			msg := ce.Error()
			require.Contains(t, msg, "the Test API "+u.Host+" presented a TLS certificate tokenbridge does not trust")
			require.Contains(t, msg, tc.reason)
			require.Contains(t, msg, fmt.Sprintf("issued by %q", tc.issuer))
			require.Equal(t, tc.issuer, ce.Issuer)
			if tc.subject != "" {
				require.Equal(t, tc.subject, ce.Subject)
			}
			require.True(t, strings.HasSuffix(msg, ": set THE_SETTING=/path/ca.pem"), msg)
			require.NotContains(t, msg, "x509:")
		})
	}
	requireDefaultTransportUntouched(t)
}

func newCA(t *testing.T, cn string, notAfter time.Time) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: notAfter,
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return c, key
}

func leaf(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, notAfter time.Time) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC), NotAfter: notAfter,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
