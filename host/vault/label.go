package vault

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// CheckLabel validates a label (or an account name): at most MaxLabel
// characters, valid UTF-8, no control characters, and no invisible format
// characters (Unicode Cf: bidi controls, zero-width space, soft hyphen, BOM…)
// except where they are part of what is shown: the joiners U+200C/U+200D
// between two visible characters (emoji ZWJ sequences, Persian and Indic
// text) and the tag characters U+E0020..U+E007F right after U+1F3F4 or
// another tag (subdivision flags). The extension cleans labels with the same
// rule (extension/lib/label.js), so what it sends is accepted.
func CheckLabel(l string) error {
	if !utf8.ValidString(l) {
		return fmt.Errorf("%w: label is not valid UTF-8", ErrInvalid)
	}
	if utf8.RuneCountInString(l) > MaxLabel {
		return fmt.Errorf("%w: label longer than %d characters", ErrInvalid, MaxLabel)
	}
	rs := []rune(l)
	for i, r := range rs {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return fmt.Errorf("%w: label contains control characters", ErrInvalid)
		}
		if unicode.Is(unicode.Cf, r) && !shownFormat(rs, i) {
			return fmt.Errorf("%w: label contains an invisible format character (U+%04X)", ErrInvalid, r)
		}
	}
	return nil
}

// shownFormat reports whether the format character rs[i] belongs to visible
// text: a joiner between two joinable characters, or an emoji tag after 🏴 or
// another tag.
func shownFormat(rs []rune, i int) bool {
	r := rs[i]
	switch {
	case r == '\u200c' || r == '\u200d':
		return i > 0 && i+1 < len(rs) && joinable(rs[i-1]) && joinable(rs[i+1])
	case r >= 0xE0020 && r <= 0xE007F:
		return i > 0 && (rs[i-1] == 0x1F3F4 || (rs[i-1] >= 0xE0020 && rs[i-1] <= 0xE007F))
	}
	return false
}

// joinable: anything but a space, a control or a format character.
func joinable(r rune) bool {
	return !unicode.IsSpace(r) && !unicode.IsControl(r) && !unicode.Is(unicode.Z, r) && !unicode.Is(unicode.Cf, r)
}
