package vault

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokenbridge/tokenbridge/host/index"
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
// calls only (see tinvest.Check) and saves the verdict in the token's metadata:
// validation (result, checked_at, message, accounts); kind from the verdict for
// full_access, readonly and sandbox (left alone for invalid and upstream);
// last_used_at when the API accepted the token (the broker keeps a token alive for
// three months from its last use). The secret goes only to the checker.
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
		Message:   verdict.Message,
		Code:      verdict.Code,
	}
	for i, a := range verdict.Accounts {
		if i == MaxAccounts {
			break
		}
		val.Accounts = append(val.Accounts, index.Account{
			ID: a.ID, Name: a.Name, Type: a.Type, Status: a.Status, AccessLevel: a.AccessLevel,
		})
	}
	return v.modify(id, func(t *index.Token) {
		t.Validation = val
		switch verdict.Result {
		case tinvest.ResultFullAccess:
			t.Kind = KindFullAccess
		case tinvest.ResultReadonly:
			t.Kind = KindReadonly
		case tinvest.ResultSandbox:
			t.Kind = KindSandbox
		}
		if verdict.Usable() {
			t.LastUsedAt = now
		}
	})
}
