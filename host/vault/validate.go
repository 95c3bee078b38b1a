package vault

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/limits"
	"github.com/tokenbridge/tokenbridge/host/tinvest"
)

// Checker classifies a T-Invest token (tinvest.Client in production, a fake in
// tests). capturedAt is when the token was captured (zero if unknown): a token
// captured within the fresh window is retried before being called invalid.
type Checker interface {
	Check(ctx context.Context, token string, capturedAt time.Time) tinvest.Verdict
}

var _ Checker = (*tinvest.Client)(nil)

// ErrNoChecker is returned by Validate when no checker is given (a wiring bug).
var ErrNoChecker = errors.New("no T-Invest checker configured")

// Validate checks a stored T-Invest token against the broker's API with read-only
// calls only (see tinvest.Check) and saves the outcome in the token's metadata.
//
// A definite verdict (full_access, readonly, sandbox, no_access, invalid) replaces
// validation (result, checked_at, message, accounts) and clears last_failure; kind
// follows it for full_access, readonly and sandbox (left alone for no_access and
// invalid: the API does not say which kind of token it is); last_used_at moves when the
// API accepted the token (the broker keeps a token alive for three months from its last
// use). A failed check (upstream: network, server, rate limit, certificate) never
// overwrites a definite verdict or its accounts: it is recorded beside them as
// validation.last_failure {at, code, message}; with no definite verdict yet, the
// validation is upstream with that failure. The secret goes only to the checker.
func (v *Vault) Validate(ctx context.Context, id string, checker Checker) (index.Token, error) {
	if checker == nil {
		return index.Token{}, ErrNoChecker
	}
	secret, tok, err := v.Secret(id)
	if err != nil {
		return index.Token{}, err
	}
	if tok.Provider != ProviderTInvest {
		return index.Token{}, fmt.Errorf("%w: token %s is a %q token; only T-Invest tokens can be checked", ErrInvalid, id, tok.Provider)
	}
	verdict := checker.Check(ctx, secret, tok.CreatedAt)

	now := v.Now()
	checkedAt := verdict.CheckedAt
	if checkedAt.IsZero() {
		checkedAt = now
	}
	val := &index.Validation{
		Result:    string(verdict.Result),
		CheckedAt: checkedAt.UTC(),
		Message:   clip(verdict.Message),
		Code:      verdict.Code,
	}
	for i, a := range verdict.Accounts {
		if i == MaxAccounts {
			break
		}
		val.Accounts = append(val.Accounts, index.Account{
			ID: a.ID, Name: clip(a.Name), Type: a.Type, Status: a.Status, AccessLevel: a.AccessLevel,
		})
	}
	return v.modify(id, func(t *index.Token) {
		if !verdict.Definite() {
			fail := &index.Failure{At: val.CheckedAt, Code: val.Code, Message: val.Message}
			if HasVerdict(t.Validation) {
				kept := *t.Validation
				kept.LastFailure = fail
				t.Validation = &kept
				return
			}
			val.LastFailure = fail
			t.Validation = val
			return
		}
		t.Validation = val
		switch verdict.Result {
		case tinvest.ResultFullAccess:
			t.Kind = KindFullAccess
		case tinvest.ResultReadonly:
			t.Kind = KindReadonly
		case tinvest.ResultSandbox:
			t.Kind = KindSandbox
		}
		if verdict.Accepted() {
			t.LastUsedAt = now
		}
	})
}

// HasVerdict reports whether val holds a definite verdict of the API (anything but
// upstream), which only another definite verdict replaces.
func HasVerdict(val *index.Validation) bool {
	return val != nil && val.Result != "" && val.Result != string(tinvest.ResultUpstream)
}

// clip bounds server text kept in the index (limits.MaxVerdictText), cut at
// a character boundary.
func clip(s string) string {
	if len(s) <= limits.MaxVerdictText {
		return s
	}
	cut := limits.MaxVerdictText - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
