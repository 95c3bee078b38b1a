package native

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The command table in server.go and the commands table of PROTOCOL.md
// list the same commands.
func TestCommandTableMatchesProtocol(t *testing.T) {
	b, err := os.ReadFile("../PROTOCOL.md")
	require.NoError(t, err)
	doc := string(b)
	start := strings.Index(doc, "\n## Commands\n")
	require.GreaterOrEqual(t, start, 0, "PROTOCOL.md has a Commands section")
	section := doc[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|")
	documented := []string{}
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		documented = append(documented, m[1])
	}
	sort.Strings(documented)
	require.Equal(t, documented, commandNames())
}

func TestUnknownCommandNamesTheTable(t *testing.T) {
	env, _ := testEnv(t)
	a := call(t, env, `{"id":"u","cmd":"nope"}`)
	require.False(t, a.OK)
	require.Equal(t, CodeUnknownCmd, a.Error.Code)
	for _, name := range commandNames() {
		require.Contains(t, a.Error.Message, name)
	}
}
