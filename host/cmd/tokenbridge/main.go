// Command tokenbridge is both the native-messaging host (when a browser
// starts it) and the command line.
package main

import (
	"os"

	"github.com/tokenbridge/tokenbridge/host/cli"
	"github.com/tokenbridge/tokenbridge/host/native"
)

func main() {
	if caller, ok := native.CallerFromArgs(os.Args[1:]); ok {
		os.Exit(native.Run(caller, os.Stdin, os.Stdout))
	}
	os.Exit(cli.Run(cli.NewEnv(), os.Args[1:]))
}
