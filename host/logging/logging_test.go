package logging

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRotates(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state", "x.log")
	r, err := OpenRotating(p, 100)
	require.NoError(t, err)
	for i := 0; i < 5; i++ {
		_, err := r.Write([]byte(strings.Repeat("a", 39) + "\n"))
		require.NoError(t, err)
	}
	require.NoError(t, r.Close())
	st, err := os.Stat(p)
	require.NoError(t, err)
	require.LessOrEqual(t, st.Size(), int64(100))
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	_, err = os.Stat(p + ".1")
	require.NoError(t, err)
}

func TestLevelFromEnv(t *testing.T) {
	tests := []struct {
		level    string
		debug    bool
		warnings bool
	}{{"", false, true}, {"debug", true, true}, {"WARN", false, true}, {"error", false, false}, {"bogus", false, true}}
	for _, tt := range tests {
		p := filepath.Join(t.TempDir(), "l.log")
		t.Setenv("TOKENBRIDGE_LOG_LEVEL", tt.level)
		log, closer := New(p)
		log.Debug().Msg("dbg-line")
		log.Warn().Msg("warn-line")
		require.NoError(t, closer.Close())
		b, err := os.ReadFile(p)
		if !tt.warnings && !tt.debug {
			require.ErrorIs(t, err, os.ErrNotExist, "nothing logged: the file is never created")
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tt.debug, strings.Contains(string(b), "dbg-line"), tt.level)
		require.Equal(t, tt.warnings, strings.Contains(string(b), "warn-line"), tt.level)
	}
}

// Every kind of secret logged through the logger must be absent from the file.
func TestLoggerRedactsSecrets(t *testing.T) {
	secrets := map[string]string{
		"tinvest":       "t.Zx9" + strings.Repeat("Qw_-", 21),
		"jwt":           "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.sig-nature_value",
		"client_secret": "cs-0f1e2d3c4b5a",
		"password":      "correct horse battery",
	}
	p := filepath.Join(t.TempDir(), "h.log")
	t.Setenv("TOKENBRIDGE_LOG_LEVEL", "debug")
	log, closer := New(p)
	log.Info().Str("request", `{"cmd":"store","secret":"`+secrets["tinvest"]+`"}`).Msg("received")
	log.Debug().Msgf("token endpoint answered %s", secrets["jwt"])
	log.Warn().Str("client_secret", secrets["client_secret"]).Msg("auth failed")
	log.Error().Str("password", secrets["password"]).Msg("login failed")
	log.Info().Msg("plain " + secrets["tinvest"])
	require.NoError(t, closer.Close())
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, 5, strings.Count(string(b), "\n"))
	for name, s := range secrets {
		require.NotContains(t, string(b), s, name)
	}
}

// Lines are stamped in UTC whatever the machine's zone (no /etc/localtime read at start-up).
func TestTimestampsAreUTC(t *testing.T) {
	saved := time.Local
	t.Cleanup(func() { time.Local = saved })
	time.Local = time.FixedZone("MSK", 3*60*60)
	for _, level := range []string{"", "debug"} {
		t.Setenv("TOKENBRIDGE_LOG_LEVEL", level)
		p := filepath.Join(t.TempDir(), "l.log")
		log, closer := New(p)
		before := time.Now().Truncate(time.Second)
		log.Info().Str("k", "v").Msg("m")
		sub := log.With().Str("sub", "x").Logger()
		sub.Warn().Msg("w")
		require.NoError(t, closer.Close())
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		require.Len(t, lines, 2)
		for _, l := range lines {
			var line struct {
				Time string `json:"time"`
				PID  int    `json:"pid"`
			}
			require.NoError(t, json.Unmarshal([]byte(l), &line), l)
			require.Equal(t, os.Getpid(), line.PID, l)
			require.True(t, strings.HasSuffix(line.Time, "Z"), l)
			ts, err := time.Parse(time.RFC3339, line.Time)
			require.NoError(t, err, l)
			require.False(t, ts.Before(before), l)
			require.WithinDuration(t, time.Now(), ts, time.Minute, l)
		}
		require.Equal(t, 1, strings.Count(lines[0], `"time"`), "one timestamp per line")
	}
}

// The log file is opened on the first line only; when it cannot be
// opened, lines still go (redacted) to the fallback.
func TestLogFileOpenedOnFirstLine(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "state", "l.log")
	log, closer := New(p)
	_, err := os.Stat(filepath.Dir(p))
	require.ErrorIs(t, err, os.ErrNotExist, "no directory or file before the first line")
	log.Info().Msg("first")
	require.NoError(t, closer.Close())
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Contains(t, string(b), "first")

	blocker := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o600))
	var fallback strings.Builder
	r := &Rotating{path: filepath.Join(blocker, "l.log"), limit: MaxSize, fallback: &fallback}
	_, err = r.Write([]byte("line one\n"))
	require.NoError(t, err)
	_, err = r.Write([]byte("line two\n"))
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.Contains(t, fallback.String(), "cannot open log")
	require.Equal(t, 1, strings.Count(fallback.String(), "cannot open log"), "said once")
	require.Contains(t, fallback.String(), "line two")
}
