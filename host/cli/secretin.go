package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// maxSecretLine bounds what is read from stdin for one secret.
const maxSecretLine = 64 << 10

// ReadSecret reads one secret: from a no-echo prompt when stdin is a
// terminal, else the first line of stdin. Secrets never come from argv.
func ReadSecret(env *Env, prompt string) (string, error) {
	if f, ok := env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(env.Stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", fmt.Errorf("read secret from terminal: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	r := bufio.NewReaderSize(io.LimitReader(env.Stdin, maxSecretLine+1), 4096)
	line, err := r.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read secret from stdin: %w", err)
	}
	if len(line) > maxSecretLine {
		return "", fmt.Errorf("secret on stdin is longer than %d bytes", maxSecretLine)
	}
	s := strings.TrimSpace(line)
	if s == "" {
		return "", errors.New("no secret given: pipe it on stdin (e.g. `pbpaste | tokenbridge add`) or run in a terminal to be prompted")
	}
	return s, nil
}
