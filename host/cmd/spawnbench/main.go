// Command spawnbench measures what a browser's sendNativeMessage costs:
// start a host process, send one request, read the answer, wait for exit.
// It times tokenbridge (`hello`, which also probes the keyring) against a
// minimal echo host and prints both and their ratio.
//
//	spawnbench -n 200 -host bin/tokenbridge -echo bin/echohost
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"time"

	"github.com/tokenbridge/tokenbridge/host/frame"
)

const origin = "chrome-extension://hodkpdeoebfagkfdfjfhcfnbemcgabcj/"

func once(bin string) (time.Duration, error) {
	var in bytes.Buffer
	if err := frame.Write(&in, []byte(`{"id":"1","cmd":"hello"}`)); err != nil {
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

func measure(bin string, n int) (p50, p95, mean time.Duration, err error) {
	ds := make([]time.Duration, 0, n)
	var sum time.Duration
	for i := 0; i < n; i++ {
		d, err := once(bin)
		if err != nil {
			return 0, 0, 0, err
		}
		ds = append(ds, d)
		sum += d
	}
	slices.Sort(ds)
	return ds[n/2], ds[n*95/100], sum / time.Duration(n), nil
}

func main() {
	n := flag.Int("n", 100, "iterations per host")
	host := flag.String("host", "bin/tokenbridge", "tokenbridge binary")
	echo := flag.String("echo", "bin/echohost", "minimal echo host binary")
	flag.Parse()
	_, _ = once(*host) // warm the page cache
	_, _ = once(*echo)
	hp50, hp95, hmean, err := measure(*host, *n)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ep50, ep95, emean, err := measure(*echo, *n)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("spawn + one message, %d runs each\n", *n)
	fmt.Printf("  %-28s p50 %8s  p95 %8s  mean %8s\n", "tokenbridge hello (keyring)", hp50.Round(time.Microsecond), hp95.Round(time.Microsecond), hmean.Round(time.Microsecond))
	fmt.Printf("  %-28s p50 %8s  p95 %8s  mean %8s\n", "echo host", ep50.Round(time.Microsecond), ep95.Round(time.Microsecond), emean.Round(time.Microsecond))
	fmt.Printf("  ratio (p50): %.2fx\n", float64(hp50)/float64(ep50))
}
