// Command echohost is the minimal native-messaging host scripts/bench.sh
// compares tokenbridge against: it answers each frame with the same bytes.
package main

import (
	"os"

	"github.com/tokenbridge/tokenbridge/host/cmd/internal/echo"
)

func main() { echo.Serve(os.Stdin, os.Stdout) }
