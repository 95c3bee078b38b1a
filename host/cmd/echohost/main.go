// Command echohost is the minimal native-messaging host scripts/bench.sh
// compares tokenbridge against: it answers each frame with the same bytes.
package main

import (
	"os"

	"github.com/tokenbridge/tokenbridge/host/frame"
)

func main() {
	for {
		msg, err := frame.Read(os.Stdin, frame.MaxIncoming)
		if err != nil {
			return
		}
		if frame.Write(os.Stdout, msg) != nil {
			return
		}
	}
}
