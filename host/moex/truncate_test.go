package moex

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestTruncateCutsOnRuneBoundary(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"short stays", "abc", 5, "abc"},
		{"exact length stays", "abcde", 5, "abcde"},
		{"ascii cut", "abcdef", 3, "abc…"},
		{"cyrillic cut mid-rune backs off", "профиль", 3, "п…"},
		{"cyrillic cut on boundary", "профиль", 4, "пр…"},
		{"control characters replaced", "a\nb\x7fc", 10, "a?b?c"},
		{"invalid utf-8 replaced", "a\xffb", 10, "a\uFFFDb"},
		{"four-byte rune", "a😀b", 3, "a…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := truncate(tt.in, tt.n)
			require.Equal(t, tt.want, got)
			require.True(t, utf8.ValidString(got))
		})
	}
	for n := 0; n < 30; n++ {
		got := truncate(strings.Repeat("ж", 20), n)
		require.True(t, utf8.ValidString(got), "n=%d", n)
		require.LessOrEqual(t, len(strings.TrimSuffix(got, "…")), n)
	}
}

func TestValidationErrorsHaveNoBrokenRunes(t *testing.T) {
	// 50 bytes falls inside a rune: a byte cut shows up as a \xd0 escape in the quoted name.
	err := ValidateName("a" + strings.Repeat("ж", 40))
	require.Error(t, err)
	require.True(t, utf8.ValidString(err.Error()), err.Error())
	require.NotContains(t, err.Error(), `\x`)
}
