// Command tinvest-fake runs the local fake of the T-Invest REST API
// (package host/tinvest/tinvestfake) for browser end-to-end runs. It is a test tool:
// it listens on a loopback address only and never contacts the network.
//
// Usage:
//
//	tinvest-fake [-addr 127.0.0.1:0] [-tokens tokens.json] [-unknown invalid|full|readonly|sandbox]
//	             [-tls-cert leaf.pem -tls-key leaf.key] [-print-addr]
//
// Production is served under /prod/rest and the sandbox under /sandbox/rest on one
// port. With -print-addr the REST bases are printed on stdout, one per line, in a
// form ready for the environment of the host under test:
//
//	TOKENBRIDGE_TINVEST_URL=http://127.0.0.1:41234/prod/rest
//	TOKENBRIDGE_TINVEST_SANDBOX_URL=http://127.0.0.1:41234/sandbox/rest
//
// (https:// with -tls-cert/-tls-key; then point TOKENBRIDGE_TINVEST_CA at the CA PEM.)
// Everything else (one line per request, without tokens) goes to stderr.
//
// The token table is a JSON file (tokens are test fixtures; they are never taken from
// argv):
//
//	{"tokens": {
//	  "t.full...":     {"access": "full"},
//	  "t.readonly...": {"access": "readonly"},
//	  "t.scoped...":   {"access": "full", "account_id": "2000654321"},
//	  "t.noaccess...": {"access": "no_access"},
//	  "t.sandbox...":  {"sandbox": true},
//	  "t.fresh...":    {"access": "full", "fault": "40003", "fault_times": 2},
//	  "t.limited...":  {"fault": "80002", "fault_times": 1, "rate_reset": 2},
//	  "t.broken...":   {"fault": "500"},
//	  "t.slow...":     {"delay_ms": 15000}
//	}}
//
// Faults: 40003, 40003_numeric, 40002, 80002, 429, 500, malformed, html. Other keys:
// "accounts" ([{id,name,type,status}], replaces the default two accounts).
// Tokens missing from the table answer 40003 on both hosts unless -unknown names a
// default behaviour. At run time the harness may add tokens with
// POST /_fake/tokens {"<token>": {…}} and read the recorded requests (token
// fingerprints only) from GET /_fake/calls and GET /_fake/violations; the latter must
// stay [] — it lists every request that was not a well-formed read-only call.
//
// The process runs until SIGINT/SIGTERM or until stdin closes when -stdin-close is set.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tokenbridge/tokenbridge/host/tinvest/tinvestfake"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

type tableFile struct {
	Tokens map[string]tinvestfake.Token `json:"tokens"`
}

func loadTable(path string) (map[string]tinvestfake.Token, error) {
	if path == "" {
		return map[string]tinvestfake.Token{}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open token table: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(io.LimitReader(f, 4<<20))
	dec.DisallowUnknownFields()
	var t tableFile
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("token table %s: %w (want {\"tokens\": {\"<token>\": {…}}})", path, err)
	}
	if t.Tokens == nil {
		t.Tokens = map[string]tinvestfake.Token{}
	}
	return t.Tokens, nil
}

func unknownBehaviour(name string) (*tinvestfake.Token, error) {
	switch name {
	case "", "invalid":
		return nil, nil
	case "full":
		return &tinvestfake.Token{Access: tinvestfake.Full}, nil
	case "readonly":
		return &tinvestfake.Token{Access: tinvestfake.ReadOnly}, nil
	case "sandbox":
		return &tinvestfake.Token{Sandbox: true}, nil
	}
	return nil, fmt.Errorf("-unknown %q: want invalid, full, readonly or sandbox", name)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tinvest-fake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback `host:port` to listen on (port 0 picks a free one)")
	tokens := fs.String("tokens", "", "JSON `file` with the token table {\"tokens\": {...}}")
	unknown := fs.String("unknown", "invalid", "behaviour of tokens missing from the table: invalid, full, readonly or sandbox")
	printAddr := fs.Bool("print-addr", false, "print TOKENBRIDGE_TINVEST_URL=… and TOKENBRIDGE_TINVEST_SANDBOX_URL=… on stdout")
	certFile := fs.String("tls-cert", "", "PEM certificate `file`: serve HTTPS")
	keyFile := fs.String("tls-key", "", "PEM private key `file` for -tls-cert")
	stdinClose := fs.Bool("stdin-close", false, "exit when stdin closes (lets a harness stop it by closing the pipe)")
	quiet := fs.Bool("quiet", false, "do not log requests to stderr")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tinvest-fake: unexpected argument %q (tokens go in the -tokens file)\n", fs.Arg(0))
		return 2
	}
	if (*certFile == "") != (*keyFile == "") {
		fmt.Fprintln(stderr, "tinvest-fake: -tls-cert and -tls-key go together")
		return 2
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "tinvest-fake: -addr: %v\n", err)
		return 2
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(stderr, "tinvest-fake: -addr %s is not a loopback address: use 127.0.0.1 or [::1]\n", *addr)
		return 2
	}
	table, err := loadTable(*tokens)
	if err != nil {
		fmt.Fprintf(stderr, "tinvest-fake: %v\n", err)
		return 1
	}
	def, err := unknownBehaviour(*unknown)
	if err != nil {
		fmt.Fprintf(stderr, "tinvest-fake: %v\n", err)
		return 2
	}

	fake := tinvestfake.New(table)
	fake.SetUnknown(def)
	handler := fake.Handler()
	if !*quiet {
		handler = logRequests(handler, stderr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "tinvest-fake: listen: %v\n", err)
		return 1
	}
	scheme := "http"
	if *certFile != "" {
		scheme = "https"
	}
	base := fmt.Sprintf("%s://%s", scheme, ln.Addr().String())
	if *printAddr {
		fmt.Fprintf(stdout, "TOKENBRIDGE_TINVEST_URL=%s/prod/rest\nTOKENBRIDGE_TINVEST_SANDBOX_URL=%s/sandbox/rest\n", base, base)
		if f, ok := stdout.(*os.File); ok {
			_ = f.Sync()
		}
	}
	fmt.Fprintf(stderr, "tinvest-fake: serving %d tokens on %s (prod %s/prod/rest, sandbox %s/sandbox/rest)\n", len(table), base, base, base)

	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() {
		if *certFile != "" {
			errc <- srv.ServeTLS(ln, *certFile, *keyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *stdinClose {
		go func() {
			_, _ = io.Copy(io.Discard, stdin)
			stop()
		}()
	}
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "tinvest-fake: %v\n", err)
			return 1
		}
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	fmt.Fprintln(stderr, "tinvest-fake: stopped")
	return 0
}

// logRequests writes one line per request to w: method, path, status. Never headers.
func logRequests(h http.Handler, w io.Writer) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: rw, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		fmt.Fprintf(w, "tinvest-fake: %s %s -> %d (%s)\n", r.Method, r.URL.Path, sw.status, time.Since(start).Round(time.Millisecond))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
