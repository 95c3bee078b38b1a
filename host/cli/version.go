package cli

import (
	"fmt"

	"github.com/tokenbridge/tokenbridge/host/buildinfo"
	"github.com/tokenbridge/tokenbridge/host/native"
)

var versionCmd = &Command{Name: "version", Aliases: []string{"--version"}, Summary: "print the version", Usage: `
Usage: tokenbridge version

Prints the version of tokenbridge (with the commit and date of a release
build) and of its native-messaging protocol.`,
	Flags: noFlags(func(env *Env, _ []string) int {
		fmt.Fprintf(env.Stdout, "tokenbridge %s (protocol %d)\n", buildinfo.String(), native.ProtocolVersion)
		return ExitOK
	})}
