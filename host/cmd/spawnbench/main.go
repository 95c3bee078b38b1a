// Command spawnbench measures what a browser's sendNativeMessage costs:
// start a host process, send one request, read the answer, wait for exit.
// It times each tokenbridge binary answering one command (-cmd: `list` by
// default; `hello` also probes the keyring) against a minimal echo host,
// interleaving the runs so machine noise hits every binary alike, and
// prints each and its ratio to the echo host. -ref adds reference hosts
// (e.g. bin/echohost-imports: the echo host linked with every package
// tokenbridge links) timed alike but never held to -max-ratio.
//
//	spawnbench -n 200 -cmd list -echo bin/echohost -ref bin/echohost-imports -host bin/tokenbridge -host dist/tokenbridge -max-ratio 1.5
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/tokenbridge/tokenbridge/host/frame"
)

const origin = "chrome-extension://hodkpdeoebfagkfdfjfhcfnbemcgabcj/"

func once(bin, command string) (time.Duration, error) {
	var in bytes.Buffer
	if err := frame.Write(&in, []byte(`{"id":"1","cmd":"`+command+`"}`)); err != nil {
		return 0, err
	}
	start := time.Now()
	cmd := exec.Command(bin, origin)
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", bin, err)
	}
	if _, err := frame.Read(bytes.NewReader(out), frame.MaxOutgoing); err != nil {
		return 0, fmt.Errorf("%s answered no frame: %w", bin, err)
	}
	return time.Since(start), nil
}

type stats struct{ p50, p95, mean time.Duration }

func summarize(ds []time.Duration) stats {
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return stats{p50: s[len(s)/2], p95: s[len(s)*95/100], mean: sum / time.Duration(len(s))}
}

type binList []string

func (b *binList) String() string     { return strings.Join(*b, ",") }
func (b *binList) Set(v string) error { *b = append(*b, v); return nil }

func main() {
	n := flag.Int("n", 100, "iterations per binary")
	var hosts binList
	flag.Var(&hosts, "host", "tokenbridge binary (repeatable; default bin/tokenbridge)")
	var refs binList
	flag.Var(&refs, "ref", "reference host answering like the echo host (repeatable)")
	echo := flag.String("echo", "bin/echohost", "minimal echo host binary")
	cmd := flag.String("cmd", "list", "the command tokenbridge answers (list or hello)")
	maxRatio := flag.Float64("max-ratio", 0, "exit 1 when the last -host's p50 exceeds this multiple of the echo host's (0: no limit)")
	flag.Parse()
	if *cmd != "list" && *cmd != "hello" {
		fmt.Fprintf(os.Stderr, "spawnbench: -cmd %q: use list or hello\n", *cmd)
		os.Exit(2)
	}
	if len(hosts) == 0 {
		hosts = binList{"bin/tokenbridge"}
	}
	bins := append(append([]string{*echo}, refs...), hosts...)
	times := make([][]time.Duration, len(bins))
	for round := -1; round < *n; round++ { // round -1 warms the page cache
		for i, b := range bins {
			d, err := once(b, *cmd)
			if err != nil {
				fmt.Fprintln(os.Stderr, "spawnbench:", err)
				os.Exit(1)
			}
			if round >= 0 {
				times[i] = append(times[i], d)
			}
		}
	}
	fmt.Printf("spawn + one %q, %d interleaved runs each\n", *cmd, *n)
	echoStats := summarize(times[0])
	ratio := 0.0
	for i, b := range bins {
		s := summarize(times[i])
		ratio = float64(s.p50) / float64(echoStats.p50)
		name := "tokenbridge " + b
		switch {
		case i == 0:
			name = "echo host " + b
		case i <= len(refs):
			name = "reference " + b
		}
		fmt.Printf("  %-44s p50 %8s  p95 %8s  mean %8s  ratio (p50) %.2fx\n", name,
			s.p50.Round(time.Microsecond), s.p95.Round(time.Microsecond), s.mean.Round(time.Microsecond), ratio)
	}
	if *maxRatio > 0 && ratio > *maxRatio {
		fmt.Fprintf(os.Stderr, "spawnbench: %s costs %.2fx the echo host, over the %.2fx budget\n", bins[len(bins)-1], ratio, *maxRatio)
		os.Exit(1)
	}
}
