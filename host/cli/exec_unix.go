//go:build unix

package cli

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// stopSignals are the signals exec catches and passes to CMD: what systemd, supervisord,
// docker and a terminal send to stop or reload a program. One ignored when tokenbridge
// started (nohup, a background job of a script) stays ignored, so CMD inherits that too.
func stopSignals() []os.Signal {
	var out []os.Signal
	for _, s := range []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT} {
		if !signal.Ignored(s) {
			out = append(out, s)
		}
	}
	return out
}

// forwarder returns the function that passes a caught signal to CMD. ^C and ^\ typed in a
// terminal go to the whole foreground process group, CMD included: when tokenbridge is in the
// terminal's foreground group, SIGINT and SIGQUIT are not sent a second time (a robot that
// takes a second ^C as "quit now" would skip its shutdown).
func forwarder() func(p *os.Process, s os.Signal) {
	fg := terminalForeground()
	return func(p *os.Process, s os.Signal) {
		if skipForward(s, fg) {
			return
		}
		_ = p.Signal(s) // CMD may be exiting already
	}
}

func skipForward(s os.Signal, foreground bool) bool {
	return foreground && (s == syscall.SIGINT || s == syscall.SIGQUIT)
}

// terminalForeground reports whether tokenbridge's process group is the foreground group of
// its controlling terminal (false without one: systemd, supervisord, cron).
func terminalForeground() bool {
	fd, err := unix.Open("/dev/tty", unix.O_RDONLY|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	pg, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP)
	return err == nil && pg == unix.Getpgrp()
}

// exitStatus is CMD's exit code, or 128+N when it died of signal N.
func exitStatus(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}
