package vault

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/index"
)

func TestCheckLabelFormatCharacters(t *testing.T) {
	tests := []struct {
		name  string
		label string
		ok    bool
	}{
		{"plain", "Брокерский счёт", true},
		{"emoji", "ИИС 🚀", true},
		{"ZWJ family", "👨\u200d👩\u200d👧", true},
		{"rainbow flag", "🏳\ufe0f\u200d🌈", true},
		{"Persian ZWNJ", "می\u200cخواهم", true},
		{"subdivision flag", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", true},
		{"100 characters", strings.Repeat("я", 100), true},
		{"bidi override", "a\u202eb", false},
		{"zero-width space", "a\u200bb", false},
		{"BOM", "\ufeffa", false},
		{"soft hyphen", "a\u00adb", false},
		{"leading joiner", "\u200d🚀", false},
		{"trailing joiner", "🚀\u200d", false},
		{"joiner next to a space", "a \u200db", false},
		{"two joiners", "a\u200d\u200db", false},
		{"tag without a flag", "a\U000E0067", false},
		{"escape", "a\x1b[31m", false},
		{"line separator", "a\u2028b", false},
		{"101 characters", strings.Repeat("я", 101), false},
		{"invalid UTF-8", "a\xffb", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckLabel(tt.label)
			if tt.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, ErrInvalid)
			}
		})
	}
}

// Every label the extension sends (its cleaned form, extension/lib/label.js) is accepted.
func TestCheckLabelAcceptsTheExtensionsCleanedLabels(t *testing.T) {
	raw, err := os.ReadFile("../../extension/test/fixtures/labels.json")
	require.NoError(t, err)
	var fx struct {
		Cases []struct {
			Name  string `json:"name"`
			Raw   string `json:"raw"`
			Clean string `json:"clean"`
		} `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(raw, &fx))
	require.NotEmpty(t, fx.Cases)
	for _, c := range fx.Cases {
		t.Run(c.Name, func(t *testing.T) {
			require.NoError(t, CheckLabel(c.Clean))
		})
	}
}

func TestStoreKeepsEmojiLabelAndAccountName(t *testing.T) {
	v, _ := newTestVault(t)
	label := "T-Invest · полный доступ · счёт «Семья 👨\u200d👩\u200d👧»"
	tok, _, err := v.Store(StoreInput{Provider: ProviderTInvest, Secret: testToken(41), Label: label,
		Scope: index.Scope{AccountName: "Семья 👨\u200d👩\u200d👧"}})
	require.NoError(t, err)
	require.Equal(t, label, tok.Label)
	require.Equal(t, "Семья 👨\u200d👩\u200d👧", tok.Scope.AccountName)
}
