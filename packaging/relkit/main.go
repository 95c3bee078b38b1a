// Command relkit is the Go half of scripts/release.sh: the steps that must
// be byte-for-byte reproducible or that read binary headers.
//
//	relkit archive  -o FILE -mtime EPOCH [-prefix DIR] NAME=PATH...   tar.gz or zip (by FILE's suffix)
//	relkit manifests -o DIR -path /usr/bin/tokenbridge [-extension-id ID]
//	relkit render   -meta packaging/metadata.json -version V -dist DIR -template NAME -o FILE
//	relkit verify   -dist DIR -version V [-max-size BYTES]
//	relkit extract  -o DIR ARCHIVE
//
// Every subcommand exits 0 on success, 1 on a problem, 2 on a usage error,
// and names the file it could not handle.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

var errUsage = errors.New("usage")

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	cmds := map[string]func([]string, io.Writer) error{
		"archive":   cmdArchive,
		"manifests": cmdManifests,
		"render":    cmdRender,
		"verify":    cmdVerify,
		"extract":   cmdExtract,
	}
	if len(args) == 0 || cmds[args[0]] == nil {
		fmt.Fprintln(stderr, "usage: relkit archive|manifests|render|verify|extract [flags] (see packaging/relkit/main.go)")
		return 2
	}
	if err := cmds[args[0]](args[1:], stdout); err != nil {
		fmt.Fprintf(stderr, "relkit %s: %v\n", args[0], err)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

// parse parses flags; a bad flag is a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

func required(pairs ...string) error {
	var missing []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			missing = append(missing, "-"+pairs[i])
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s required", errUsage, strings.Join(missing, ", "))
	}
	return nil
}
