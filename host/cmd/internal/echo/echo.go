// Package echo is the loop of the reference hosts scripts/bench.sh times
// tokenbridge against (host/cmd/echohost, host/cmd/echohost-imports): each
// frame is answered with the same bytes.
package echo

import (
	"io"

	"github.com/tokenbridge/tokenbridge/host/frame"
)

// Serve answers every frame from in with the same bytes on out, until in
// ends or out fails.
func Serve(in io.Reader, out io.Writer) {
	for {
		msg, err := frame.Read(in, frame.MaxIncoming)
		if err != nil {
			return
		}
		if frame.Write(out, msg) != nil {
			return
		}
	}
}
