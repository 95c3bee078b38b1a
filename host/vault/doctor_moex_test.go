package vault

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// Doctor reads the MOEX profiles from their index section: a keyring item
// of a known profile is fine, one of an unknown profile is reported, and a
// damaged section counts as a damaged index.
func TestDoctorMoexProfiles(t *testing.T) {
	tests := []struct {
		name        string
		index       string
		wantOrphan  bool // "MOEX keyring item without a profile"
		wantRebuilt bool // index moved aside
	}{
		{name: "known profile", index: `{"version":1,"tokens":[],"moex":[{"name":"p1"}]}`},
		{name: "no profile", index: `{"version":1,"tokens":[]}`, wantOrphan: true},
		{name: "damaged section", index: `{"version":1,"tokens":[],"moex":{"name":"p1"}}`, wantOrphan: true, wantRebuilt: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, mem := newTestVault(t)
			require.NoError(t, mem.Set("moex/p1/refresh_token", "secret"))
			require.NoError(t, os.WriteFile(v.Index.Path(), []byte(tt.index), 0o600))
			problems, err := v.Doctor(DoctorOptions{Repair: true})
			require.NoError(t, err)
			orphan, rebuilt := false, false
			for _, p := range problems {
				orphan = orphan || p.Problem == "MOEX keyring item without a profile"
				rebuilt = rebuilt || (p.Key == v.Index.Path() && p.Repaired)
			}
			require.Equal(t, tt.wantOrphan, orphan, "%+v", problems)
			require.Equal(t, tt.wantRebuilt, rebuilt, "%+v", problems)
			aside, err := filepath.Glob(v.Index.Path() + ".damaged-*")
			require.NoError(t, err)
			require.Equal(t, tt.wantRebuilt, len(aside) == 1)
		})
	}
}
