// Package trust builds the TLS trust of tokenbridge's own API clients (T-Invest, MOEX):
// the system roots plus the Russian Trusted Root CA and its Sub CA, embedded from
// roots/ (public certificates; roots/README.md says where they come from).
//
// Only the clients that ask for Pool trust them: http.DefaultTransport, the process's
// and the OS's trust are never changed. Nothing below the root is pinned (the bank's
// leaf certificate is rotated yearly).
//
// A TLS verification failure is turned into a *CertificateError that names the host,
// the issuer the server presented and how to add a CA.
package trust

import (
	"crypto/tls"
	"crypto/x509"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"unicode"
)

// The embedded public certificates, byte-for-byte copies of the reference files.
var (
	//go:embed roots/russian-trusted-root-ca.pem
	RussianTrustedRootPEM []byte
	//go:embed roots/russian-trusted-sub-ca.pem
	RussianTrustedSubPEM []byte
)

// MaxCAFile bounds an extra CA file (PEM).
const MaxCAFile = 1 << 20

var (
	once      sync.Once
	base      *x509.CertPool
	systemErr error
)

// build runs once, on the first Pool call (never at package init: loading the system
// roots costs milliseconds that a host start-up must not pay).
func build() {
	p, err := x509.SystemCertPool()
	if err != nil || p == nil {
		if err == nil {
			err = errors.New("no system certificate pool")
		}
		systemErr = err
		p = x509.NewCertPool()
	}
	for _, pem := range [][]byte{RussianTrustedRootPEM, RussianTrustedSubPEM} {
		if !p.AppendCertsFromPEM(pem) {
			panic("trust: an embedded certificate does not parse") // caught by the package's tests
		}
	}
	base = p
}

// Pool returns a new pool: the system roots plus the embedded Russian Trusted Root CA
// and Sub CA. The caller may add to it; other callers are not affected.
func Pool() *x509.CertPool {
	once.Do(build)
	return base.Clone()
}

// SystemRootsErr reports why the system roots could not be loaded (nil when they were):
// Pool then holds only the embedded certificates. Callers log it and mention it in
// certificate errors.
func SystemRootsErr() error {
	once.Do(build)
	return systemErr
}

// PoolWithFile returns Pool plus the PEM certificates in path (at most MaxCAFile bytes).
// setting names the setting that gave the path, for the error messages.
func PoolWithFile(path, setting string) (*x509.CertPool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot open CA file: fix the path or unset it: %w", setting, err)
	}
	defer f.Close()
	pem, err := io.ReadAll(io.LimitReader(f, MaxCAFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read CA file: %w", setting, err)
	}
	if len(pem) > MaxCAFile {
		return nil, fmt.Errorf("%s: CA file is larger than 1 MiB: point it at a PEM certificate", setting)
	}
	pool := Pool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificate found in the CA file: point it at a PEM file", setting)
	}
	return pool, nil
}

// Transport returns a new transport (a clone of http.DefaultTransport's settings, which
// stays untouched) that trusts exactly pool, with TLS 1.2 or later and bounded headers.
func Transport(pool *x509.CertPool) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}
	tr.MaxResponseHeaderBytes = 64 << 10
	return tr
}

// ErrCertificate is matched (errors.Is) by every *CertificateError.
var ErrCertificate = errors.New("server certificate not trusted")

// CertificateError is a TLS certificate verification failure of one of our API clients.
type CertificateError struct {
	Service string // "T-Invest API", "MOEX token endpoint"
	Host    string // host[:port] that was contacted
	Subject string // the presented leaf's subject common name (or full subject)
	Issuer  string // the presented leaf's issuer common name (or full issuer)
	Reason  string // what is wrong, in words
	Fix     string // how to trust another CA (names the exact setting)
	Err     error  // the x509 / tls error
}

func (e *CertificateError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the %s %s presented a TLS certificate tokenbridge does not trust: %s", e.Service, e.Host, e.Reason)
	if e.Subject != "" || e.Issuer != "" {
		fmt.Fprintf(&b, " (certificate %q issued by %q)", e.Subject, e.Issuer)
	}
	if err := SystemRootsErr(); err != nil {
		fmt.Fprintf(&b, "; the system's trusted roots could not be loaded (%v)", err)
	}
	if e.Fix != "" {
		b.WriteString(": ")
		b.WriteString(e.Fix)
	}
	return b.String()
}

func (e *CertificateError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrCertificate) true.
func (e *CertificateError) Is(target error) bool { return target == ErrCertificate }

// AsCertificateError returns a *CertificateError when err (from an HTTP request to
// host) is a certificate verification failure: x509.UnknownAuthorityError,
// x509.CertificateInvalidError, x509.HostnameError or tls.CertificateVerificationError.
// Anything else returns nil, false.
func AsCertificateError(err error, service, host, fix string) (*CertificateError, bool) {
	if err == nil {
		return nil, false
	}
	var (
		ua   x509.UnknownAuthorityError
		ci   x509.CertificateInvalidError
		he   x509.HostnameError
		tv   *tls.CertificateVerificationError
		leaf *x509.Certificate
		why  string
	)
	switch {
	case errors.As(err, &ua):
		leaf, why = ua.Cert, "it is signed by an unknown certificate authority"
	case errors.As(err, &ci):
		leaf, why = ci.Cert, "it is not valid ("+clean(strings.TrimPrefix(ci.Error(), "x509: "), 200)+")"
	case errors.As(err, &he):
		leaf, why = he.Certificate, fmt.Sprintf("it is not valid for the name %q", clean(he.Host, 100))
	case errors.As(err, &tv):
		why = clean(strings.TrimPrefix(tv.Err.Error(), "x509: "), 200)
	default:
		return nil, false
	}
	if errors.As(err, &tv) && len(tv.UnverifiedCertificates) > 0 {
		leaf = tv.UnverifiedCertificates[0]
	}
	ce := &CertificateError{Service: service, Host: host, Reason: why, Fix: fix, Err: err}
	if leaf != nil {
		ce.Subject = name(leaf.Subject.CommonName, leaf.Subject.String())
		ce.Issuer = name(leaf.Issuer.CommonName, leaf.Issuer.String())
	}
	return ce, true
}

func name(cn, full string) string {
	if cn != "" {
		return clean(cn, 200)
	}
	return clean(full, 200)
}

// clean cuts a server-provided string to max runes, control characters turned into spaces.
func clean(s string, max int) string {
	r := []rune(strings.ToValidUTF8(s, "\uFFFD"))
	for i, c := range r {
		if unicode.IsControl(c) {
			r[i] = ' '
		}
	}
	if len(r) > max {
		return string(r[:max]) + "…"
	}
	return string(r)
}
