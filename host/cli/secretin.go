package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/tokenbridge/tokenbridge/host/redact"
)

// maxSecretLine bounds one line read from stdin.
const maxSecretLine = 64 << 10

// errNoInput is the end of stdin before an answer.
var errNoInput = errors.New("end of input")

// ReadSecret reads one secret, the only way a command gets one: from a no-echo prompt when
// stdin is a terminal, else the next line of stdin (one secret per line). Secrets never come
// from argv. The value may be empty; it is registered with redact.
func ReadSecret(env *Env, what string) (string, error) {
	if f, ok := env.terminal(); ok {
		fmt.Fprintf(env.Stderr, "%s: ", what)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", fmt.Errorf("read %s from the terminal: %w", what, err)
		}
		redact.Add(string(b))
		return string(b), nil
	}
	s, err := env.readLine(what)
	redact.Add(s)
	return s, err
}

// ReadLine reads one answer that is not a secret: the next line of stdin, which a terminal
// echoes.
func ReadLine(env *Env, what string) (string, error) {
	if _, ok := env.terminal(); ok {
		fmt.Fprintf(env.Stderr, "%s: ", what)
	}
	return env.readLine(what)
}

func (e *Env) terminal() (*os.File, bool) {
	f, ok := e.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, false
	}
	return f, true
}

// readLine reads the next stdin line (bounded), without its line end.
func (e *Env) readLine(what string) (string, error) {
	if e.lines == nil {
		e.lines = bufio.NewReaderSize(e.Stdin, 4096)
	}
	var sb strings.Builder
	for {
		chunk, isPrefix, err := e.lines.ReadLine()
		if err == io.EOF && sb.Len() == 0 {
			return "", fmt.Errorf("expected the %s on stdin (one secret per line), got %w", what, errNoInput)
		}
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("read %s from stdin: %w", what, err)
		}
		sb.Write(chunk)
		if sb.Len() > maxSecretLine {
			return "", fmt.Errorf("the %s line on stdin is longer than %d bytes", what, maxSecretLine)
		}
		if !isPrefix || err == io.EOF {
			break
		}
	}
	return strings.TrimSuffix(sb.String(), "\r"), nil
}
