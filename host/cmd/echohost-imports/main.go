// Command echohost-imports is the echo host of host/cmd/echohost linked with
// every package tokenbridge links (blank imports of host/cli and host/native,
// hence net/http, crypto/tls, godbus, zerolog, …): their package
// initialisation and a binary of the same size, without any of tokenbridge's
// work. scripts/bench.sh times it beside tokenbridge as the floor that
// start-up work behind first use can reach without dropping a dependency.
package main

import (
	"os"

	"github.com/tokenbridge/tokenbridge/host/cmd/internal/echo"

	_ "github.com/tokenbridge/tokenbridge/host/cli"
	_ "github.com/tokenbridge/tokenbridge/host/native"
)

func main() { echo.Serve(os.Stdin, os.Stdout) }
