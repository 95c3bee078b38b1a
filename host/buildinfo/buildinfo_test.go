package buildinfo

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestString(t *testing.T) {
	saved := [3]string{Version, Commit, Date}
	t.Cleanup(func() { Version, Commit, Date = saved[0], saved[1], saved[2] })
	cases := []struct {
		name, version, commit, date, want string
	}{
		{"development build", "0.1.0-dev", "", "", "0.1.0-dev"},
		{"release", "0.1.0", "abc1234", "2026-12-01T09:00:00Z", "0.1.0 (commit abc1234, 2026-12-01T09:00:00Z)"},
		{"commit only", "0.2.0", "abc1234", "", "0.2.0 (commit abc1234)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			Version, Commit, Date = tc.version, tc.commit, tc.date
			require.Equal(t, tc.want, String())
		})
	}
}
