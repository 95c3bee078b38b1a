//go:build windows

package cli

import "os"

// stopSignals: Windows has no signals to pass on. Ctrl+C and Ctrl+Break (os.Interrupt) reach
// every process of the console, CMD included; exec catches them so that tokenbridge itself
// does not die and waits for CMD. Closing the console or logging off ends both processes.
// A tokenbridge killed from outside (Task Manager, TerminateProcess) leaves CMD running: a
// service manager should stop the whole process tree.
func stopSignals() []os.Signal { return []os.Signal{os.Interrupt} }

// forwarder: CMD already got the console event itself.
func forwarder() func(p *os.Process, s os.Signal) {
	return func(*os.Process, os.Signal) {}
}

// exitStatus is CMD's exit code.
func exitStatus(ps *os.ProcessState) int { return ps.ExitCode() }
