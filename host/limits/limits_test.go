package limits

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// host/PROTOCOL.md's "Limits" table states the values of this package.
func TestProtocolStatesTheLimits(t *testing.T) {
	b, err := os.ReadFile("../PROTOCOL.md")
	require.NoError(t, err)
	doc := string(b)
	i := strings.Index(doc, "\n## Limits\n")
	require.GreaterOrEqual(t, i, 0, "PROTOCOL.md has a Limits section")
	section := doc[i:]
	tests := []struct {
		row  string // start of the table row
		want string // the value as the row states it
	}{
		{"| incoming frame |", fmt.Sprintf("%d KiB", MaxFrameIn>>10)},
		{"| outgoing frame |", fmt.Sprintf("%d MiB", MaxFrameOut>>20)},
		{"| T-Invest token |", fmt.Sprintf("%d characters", MaxTokenLen)},
		{"| any `store` secret;", fmt.Sprintf("%d bytes", MaxSecret)},
		{"| one keyring value", fmt.Sprintf("%d KiB", MaxKeyringValue>>10)},
		{"| stored tokens |", fmt.Sprintf("| %d |", MaxTokens)},
		{"| tokens in one `list` answer |", fmt.Sprintf("| %d |", ListPage)},
		{"| label |", fmt.Sprintf("%d characters", MaxLabel)},
		{"| `used_by` entries", fmt.Sprintf("| %d |", MaxUses)},
		{"| accounts kept", fmt.Sprintf("| %d |", MaxAccounts)},
		{"| origin in a request |", fmt.Sprintf("%d bytes", MaxOrigin)},
		{"| verdict message, failure message, account name |", fmt.Sprintf("%d bytes", MaxVerdictText)},
		{"| one keyring operation", fmt.Sprintf("%d s", KeyringTimeout/time.Second)},
		{"| background requests (`validate`, `moex_token`) at once", fmt.Sprintf("| %d |", MaxInFlight)},
		{"| background requests read and not yet answered", fmt.Sprintf("| %d |", MaxQueued)},
		{"| wait for another process's file lock", fmt.Sprintf("%d s", LockWait/time.Second)},
		{"| `validate`", fmt.Sprintf("%d s host-side", ValidateTimeout/time.Second)},
		{"| MOEX `client_id`", fmt.Sprintf("%d / %d / %d / %d bytes", MaxMoexClientID, MaxMoexScope, MaxMoexURL, MaxMoexOTP)},
	}
	for _, tt := range tests {
		t.Run(tt.row, func(t *testing.T) {
			j := strings.Index(section, "\n"+tt.row)
			require.GreaterOrEqual(t, j, 0, "row %q", tt.row)
			line := section[j+1:]
			line = line[:strings.Index(line, "\n")]
			require.Contains(t, line, tt.want)
		})
	}
}

func TestLimitsAgree(t *testing.T) {
	// The extension waits 60 s for `validate`: the host must answer first.
	require.Less(t, ValidateTimeout, 60*time.Second)
	require.Equal(t, MaxMoexClientID, MaxMoexUsername, "the MOEX row states one value for both")
	require.Less(t, MaxSecret, MaxKeyringValue)
	require.Less(t, MaxTokenLen, MaxFrameIn)
	require.LessOrEqual(t, ListPage, MaxTokens)
}
