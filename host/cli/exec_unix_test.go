//go:build unix

package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/secretstore"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

// execHelperEnv makes the test binary run `tokenbridge exec --token robot -- ARGS` as a real
// process (see TestMain), so a test can send it signals.
const execHelperEnv = "TOKENBRIDGE_TEST_EXEC_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(execHelperEnv) == "1" {
		os.Exit(execHelperMain())
	}
	os.Exit(m.Run())
}

// execHelperMain stores the token in a memory keyring and runs exec with the process's own
// standard streams and signals.
func execHelperMain() int {
	mem := secretstore.NewMemory()
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Secrets: mem}
	v, err := env.Vault()
	if err == nil {
		_, _, err = v.Store(vault.StoreInput{Provider: vault.ProviderTInvest, Secret: execTestSecret, Label: "robot"})
	}
	if err != nil {
		os.Stderr.WriteString("helper: " + err.Error() + "\n")
		return 99
	}
	return Run(env, append([]string{"exec", "--token", "robot", "--"}, strings.Fields(os.Getenv(execHelperEnv+"_ARGS"))...))
}

// startExecHelper starts tokenbridge exec running script under sh, in its own process group
// (like a service: no terminal), and waits until the script wrote "ready" to $REC. With
// nohup, tokenbridge starts with SIGHUP ignored.
func startExecHelper(t *testing.T, script string, nohup ...bool) (cmd *exec.Cmd, rec string) {
	t.Helper()
	dir := t.TempDir()
	rec = filepath.Join(dir, "rec")
	scriptFile := filepath.Join(dir, "child.sh")
	require.NoError(t, os.WriteFile(scriptFile, []byte(script), 0o600))
	cmd = exec.Command(os.Args[0], "-test.run=^$")
	if len(nohup) > 0 && nohup[0] {
		cmd = exec.Command("sh", "-c", `trap "" HUP; exec "$0" -test.run='^$'`, os.Args[0])
	}
	cmd.Env = append(os.Environ(), execHelperEnv+"=1", execHelperEnv+"_ARGS=sh "+scriptFile, "TOKENBRIDGE_HOME="+dir, "REC="+rec)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A file, not a pipe: an orphaned child holding a pipe would make Wait hang.
	errf, err := os.Create(filepath.Join(dir, "stderr"))
	require.NoError(t, err)
	defer errf.Close()
	cmd.Stderr = errf
	require.NoError(t, cmd.Start())
	// Whatever happens, kill the process group: tokenbridge and anything it left behind.
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(rec)
		return strings.Contains(string(b), "ready")
	}, 10*time.Second, 10*time.Millisecond, "the child never started")
	return cmd, rec
}

// exitCodeOf waits (at most 10 s) for tokenbridge and returns its exit code; it fails the test
// if tokenbridge died of a signal itself.
func exitCodeOf(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	var err error
	select {
	case err = <-waited:
	case <-time.After(10 * time.Second):
		t.Fatal("tokenbridge did not exit within 10 s of the signal: the child did not get it")
	}
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	require.True(t, errors.As(err, &ee), "%v", err)
	ws := ee.Sys().(syscall.WaitStatus)
	require.False(t, ws.Signaled(), "tokenbridge itself died of %v instead of waiting for the child", ws.Signal())
	return ws.ExitStatus()
}

// TestExecForwardsSignalsAndWaits: a signal to tokenbridge reaches the child, tokenbridge waits
// for the child's shutdown and exits 128+N when the child died of signal N.
func TestExecForwardsSignalsAndWaits(t *testing.T) {
	// The child records its pid, then sleeps in its own process (exec): the signal kills it.
	const dies = `ulimit -c 0; echo "pid $$" >>"$REC"; echo ready >>"$REC"; exec sleep 60` + "\n"
	tests := []struct {
		sig  syscall.Signal
		want int
	}{
		{syscall.SIGTERM, 143},
		{syscall.SIGINT, 130},
		{syscall.SIGHUP, 129},
		{syscall.SIGQUIT, 131},
	}
	for _, tc := range tests {
		t.Run(tc.sig.String(), func(t *testing.T) {
			cmd, rec := startExecHelper(t, dies)
			require.NoError(t, cmd.Process.Signal(tc.sig))
			require.Equal(t, tc.want, exitCodeOf(t, cmd))
			b, err := os.ReadFile(rec)
			require.NoError(t, err)
			var pid int
			_, err = fmt.Sscanf(string(b), "pid %d\n", &pid)
			require.NoError(t, err)
			require.ErrorIs(t, syscall.Kill(pid, 0), syscall.ESRCH, "the child is gone, not left running with PPID 1")
		})
	}

	t.Run("child traps and shuts down", func(t *testing.T) {
		// The child takes its time to shut down and exits with its own code.
		cmd, rec := startExecHelper(t, `trap 'echo "got TERM" >>"$REC"; sleep 0.3; echo "shut down" >>"$REC"; exit 7' TERM
echo ready >>"$REC"
while :; do sleep 0.05; done
`)
		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		require.Equal(t, 7, exitCodeOf(t, cmd))
		b, err := os.ReadFile(rec)
		require.NoError(t, err)
		require.Equal(t, "ready\ngot TERM\nshut down\n", string(b), "tokenbridge waited for the child's shutdown")
	})
}

func TestExecSkipsTerminalKeysInForeground(t *testing.T) {
	tests := []struct {
		sig        syscall.Signal
		foreground bool
		skip       bool
	}{
		{syscall.SIGINT, true, true},
		{syscall.SIGQUIT, true, true},
		{syscall.SIGTERM, true, false},
		{syscall.SIGHUP, true, false},
		{syscall.SIGINT, false, false},
		{syscall.SIGQUIT, false, false},
		{syscall.SIGTERM, false, false},
	}
	for _, tc := range tests {
		require.Equal(t, tc.skip, skipForward(tc.sig, tc.foreground), "%v foreground=%v", tc.sig, tc.foreground)
	}
}

// TestExecSignalBeforeStart: a stop signal while the secret is being fetched cancels the fetch,
// and CMD is never started (exit 128+N).
func TestExecSignalBeforeStart(t *testing.T) {
	r, ctx := startRelay()
	defer r.stop()
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM), "caught by the relay, not fatal")
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the signal did not cancel the fetch")
	}
	marker := filepath.Join(t.TempDir(), "started")
	code, err := r.run(exec.Command("sh", "-c", "touch "+marker))
	require.ErrorIs(t, err, errCaught)
	require.Equal(t, 143, code)
	require.NoFileExists(t, marker, "CMD was not started")
}

// TestExecKeepsIgnoredSignalsIgnored: under nohup (SIGHUP ignored) a hangup neither stops
// tokenbridge nor reaches CMD, which inherits the ignore; SIGTERM still does.
func TestExecKeepsIgnoredSignalsIgnored(t *testing.T) {
	cmd, rec := startExecHelper(t, `trap 'echo "got TERM" >>"$REC"; exit 3' TERM
echo ready >>"$REC"
kill -HUP $$
echo "survived HUP" >>"$REC"
while :; do sleep 0.05; done
`, true)
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(rec)
		return strings.Contains(string(b), "survived HUP")
	}, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	time.Sleep(200 * time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.Equal(t, 3, exitCodeOf(t, cmd))
	b, err := os.ReadFile(rec)
	require.NoError(t, err)
	require.Equal(t, "ready\nsurvived HUP\ngot TERM\n", string(b))
}
