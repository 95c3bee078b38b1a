package vault

import (
	"time"

	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/tinvest"
)

// The broker deletes a T-Invest token three months after its last use. This is the
// one host-side definition of the estimate (PROTOCOL.md "expires_estimate"); the
// popup's expiryInfo (extension/lib/popup-model.js) computes the same.
const (
	// ExpiryMonths: the estimate is last use (last_used_at, else created_at) plus this
	// many calendar months in UTC, clamped to the month's last day (30 Nov → 28 Feb).
	ExpiryMonths = 3
	// ExpirySoonDays: fewer whole days left than this is a warning.
	ExpirySoonDays = 14
)

// Expiry is the estimate of when a T-Invest token expires.
type Expiry struct {
	ExpiresEstimate time.Time `json:"expires_estimate"`
	// ExpiresInDays is the whole days left (rounded down; negative once passed).
	ExpiresInDays int `json:"expires_in_days"`
	// ExpiresSoon: ExpiresInDays < ExpirySoonDays.
	ExpiresSoon bool `json:"expires_soon"`
}

// ExpiryOf estimates when t expires, as of now. It is nil for tokens the rule does
// not cover: other providers, tokens without dates, and tokens the API already
// called invalid.
func ExpiryOf(t index.Token, now time.Time) *Expiry {
	if t.Provider != ProviderTInvest || (t.Validation != nil && t.Validation.Result == string(tinvest.ResultInvalid)) {
		return nil
	}
	base := t.LastUsedAt
	if base.IsZero() {
		base = t.CreatedAt
	}
	if base.IsZero() {
		return nil
	}
	est := addMonths(base.UTC(), ExpiryMonths)
	left := est.Sub(now)
	days := int(left / (24 * time.Hour))
	if left < 0 && left%(24*time.Hour) != 0 {
		days-- // round down, as Math.floor in the popup
	}
	return &Expiry{ExpiresEstimate: est, ExpiresInDays: days, ExpiresSoon: days < ExpirySoonDays}
}

// addMonths adds n calendar months to a UTC time, clamping the day to the last day of
// the resulting month.
func addMonths(t time.Time, n int) time.Time {
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	last := time.Date(first.Year(), first.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return first.AddDate(0, 0, min(t.Day(), last)-1)
}

// View is a token's metadata as list, check and validate answer it: the stored fields
// plus, for T-Invest tokens, the expiry estimate (expires_estimate, expires_in_days,
// expires_soon; absent when ExpiryOf is nil). Nothing of it is stored.
type View struct {
	index.Token
	*Expiry
}

// ViewOf returns t with its expiry estimate as of now.
func ViewOf(t index.Token, now time.Time) View { return View{Token: t, Expiry: ExpiryOf(t, now)} }

// Views returns ViewOf for every token; never nil.
func Views(toks []index.Token, now time.Time) []View {
	out := make([]View, 0, len(toks))
	for _, t := range toks {
		out = append(out, ViewOf(t, now))
	}
	return out
}
