package moex

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokenbridge/tokenbridge/host/redact"
)

// The token path: hand out the cached access token, refresh it or sign in
// again, save each new token pair, and drop cached tokens.

// DefaultMargin: a cached access token is used only while it has at least this much life left.
const DefaultMargin = 60 * time.Second

// Token is a usable access token and what is known about it.
type Token struct {
	AccessToken      string
	TokenType        string
	Scope            string
	AccessExpiresAt  time.Time
	RefreshExpiresAt time.Time // zero: no refresh token or no expiry (offline)
	// Source is "cache", "refresh" or "grant".
	Source string
	// Warning, when set, is something the user must see although the token is good (the
	// server reported the refresh token as reused): what happened and what to do.
	Warning string
}

func (m *Manager) margin() time.Duration {
	if m.Margin > 0 {
		return m.Margin
	}
	return DefaultMargin
}

// Logout drops the cached tokens of a profile (not its credentials).
func (m *Manager) Logout(name string) error {
	_, unlock, err := m.lockExisting(name)
	if err != nil {
		return err
	}
	defer unlock()
	return m.dropTokens(name)
}

func (m *Manager) dropTokens(name string) error {
	// Metadata first, so a failure below never leaves metadata promising a deleted token.
	if err := updateProfile(m.Profiles, name, func(p *Profile) error { p.clearTokenMeta(); return nil }); err != nil {
		return err
	}
	for _, k := range []string{keyRefresh(name), keyAccess(name)} {
		if err := m.deleteSecret(k); err != nil {
			return err
		}
	}
	return nil
}

// TokenOptions modify Token.
type TokenOptions struct {
	// OTP is a one-time code sent with a password grant, when one is needed.
	OTP string
}

// Token returns a valid access token for the profile: the cached one while it has more than
// the margin left; else the result of a refresh_token grant while the refresh token lives;
// else a full grant with the stored credentials. It all runs under the profile's cross-process
// lock (take lock, re-read the cache, decide, fetch, save, unlock), and every new token,
// including each rotated refresh token, is saved before it is returned, so concurrent callers
// never replay a spent refresh token.
func (m *Manager) Token(ctx context.Context, name string, opt TokenOptions) (*Token, error) {
	if err := ValidateOTP(opt.OTP); err != nil {
		return nil, err
	}
	p, unlock, err := m.lockExisting(name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	now := m.now()
	access, err := m.getCached(keyAccess(name))
	if err != nil {
		return nil, err
	}
	if access != "" && m.fresh(p.ObtainedAt, p.AccessExpiresAt, now) {
		return &Token{
			AccessToken: access, TokenType: p.TokenType, Scope: p.TokenScope,
			AccessExpiresAt: p.AccessExpiresAt, RefreshExpiresAt: p.RefreshExpiresAt, Source: "cache",
		}, nil
	}
	// Read only when the cache cannot answer: one keyring call less per cached token.
	refresh, err := m.getCached(keyRefresh(name))
	if err != nil {
		return nil, err
	}

	secret, err := m.getSecret(keyClientSecret(name))
	if err != nil {
		return nil, err
	}
	if err := checkClientSecret(&p, secret); err != nil {
		return nil, err
	}
	sessionEnded, reused := false, ""
	if refresh != "" {
		if p.RefreshExpiresAt.IsZero() || m.fresh(p.ObtainedAt, p.RefreshExpiresAt, now) {
			res, err := refreshGrant(ctx, m.httpClient(), &p, secret, refresh, now)
			if err == nil {
				m.Log.Info().Str("profile", name).Msg("moex: refreshed access token")
				return m.save(&p, res, "refresh")
			}
			if ErrorCode(err) != CodeSessionEnded {
				return nil, blameMissingSecret(&p, secret, err)
			}
			if refreshReused(err) {
				reused = reusedWarning(&p, err)
				m.Log.Warn().Str("profile", name).Str("reason", err.Error()).Msg("moex: refresh token reported as reused (someone else may hold the session); signing in again")
			} else {
				m.Log.Info().Str("profile", name).Str("reason", err.Error()).Msg("moex: refresh token rejected; signing in again")
			}
		}
		// Expired or rejected: it can never work again; never send it twice.
		sessionEnded = true
		if err := m.forgetRefresh(name); err != nil {
			return nil, afterReuse(reused, err)
		}
	}

	password := ""
	if p.grantType() != GrantClientCredentials {
		password, err = m.getSecret(keyPassword(name))
		if err != nil {
			return nil, afterReuse(reused, err)
		}
		if password == "" {
			if sessionEnded {
				return nil, afterReuse(reused, &Error{Code: CodeSessionEnded, Msg: fmt.Sprintf("the session of MOEX profile %q ended and no password is stored to sign in again: enter it with `%s`", name, addCommand(&p, p.AuthStyle, true))})
			}
			return nil, &Error{Code: CodeNoCredentials, Msg: fmt.Sprintf("no password stored for MOEX profile %q: enter it with `%s`", name, addCommand(&p, p.AuthStyle, true))}
		}
	}
	res, err := fullGrant(ctx, m.httpClient(), &p, secret, password, opt.OTP, now)
	if err != nil {
		if sessionEnded && ErrorCode(err) == CodeBadCredentials {
			err = &Error{Code: CodeSessionEnded, Err: err,
				Msg: fmt.Sprintf("the session of MOEX profile %q ended and signing in again failed: %s", name, err.Error())}
		}
		return nil, afterReuse(reused, blameMissingSecret(&p, secret, err))
	}
	m.Log.Info().Str("profile", name).Str("grant", p.grantType()).Msg("moex: signed in")
	tok, err := m.save(&p, res, "grant")
	if err != nil {
		return nil, afterReuse(reused, err)
	}
	if reused != "" {
		tok.Warning = reused + "; tokenbridge signed in again with the stored credentials"
	}
	return tok, nil
}

// reusedWarning says what a refresh token reported as reused means and what to do.
func reusedWarning(p *Profile, err error) string {
	var ee *endpointError
	desc := ""
	if errors.As(err, &ee) {
		desc = ee.desc
	}
	change := "ask for a new client secret"
	if p.grantType() != GrantClientCredentials {
		change = "change the MOEX Passport password (and ask for a new client secret)"
	}
	return fmt.Sprintf("MOEX reported the saved refresh token of profile %q as already used (%s) and ended that session: someone else may hold a copy of it (a restored backup or a copied keyring looks the same). If you did not expect this, %s, then enter them with `%s`",
		p.Name, desc, change, addCommand(p, p.AuthStyle, true))
}

// afterReuse puts the reuse warning (if any) in front of err: the user sees it although
// the request failed for another reason.
func afterReuse(warning string, err error) error {
	if warning == "" {
		return err
	}
	code := ErrorCode(err)
	if code == "" {
		// A keyring error keeps its own kind (locked, unavailable, ...).
		return fmt.Errorf("%s; signing in again failed: %w", warning, err)
	}
	return &Error{Code: code, Err: err, Msg: warning + "; signing in again failed: " + err.Error()}
}

// fresh reports whether a token obtained at obtained and expiring at exp still has the margin
// left at now. For short-lived tokens the margin shrinks to half the lifetime.
func (m *Manager) fresh(obtained, exp, now time.Time) bool {
	if exp.IsZero() {
		return false
	}
	margin := m.margin()
	if !obtained.IsZero() {
		if life := exp.Sub(obtained); life > 0 && life/2 < margin {
			margin = life / 2
		}
	}
	return now.Add(margin).Before(exp)
}

func (m *Manager) forgetRefresh(name string) error {
	if err := m.deleteSecret(keyRefresh(name)); err != nil {
		return err
	}
	return updateProfile(m.Profiles, name, func(p *Profile) error { p.RefreshExpiresAt = time.Time{}; return nil })
}

// save stores a new token pair (called with the profile lock held). Order matters when a step
// fails: the refresh token first (a rotated one must never be lost), then the access token, then
// the metadata. Every intermediate state is safe: old metadata only under-states the new tokens'
// lifetimes.
func (m *Manager) save(p *Profile, res *tokenResult, source string) (*Token, error) {
	redact.Add(res.access)
	redact.Add(res.refresh)
	if res.refresh != "" {
		if err := m.Secrets.Set(keyRefresh(p.Name), res.refresh); err != nil {
			return nil, m.refreshNotSaved(p.Name, err)
		}
	} else if err := m.deleteSecret(keyRefresh(p.Name)); err != nil {
		return nil, err
	}
	if err := m.Secrets.Set(keyAccess(p.Name), res.access); err != nil {
		return nil, fmt.Errorf("save the new access token of MOEX profile %q in the keyring: %w", p.Name, err)
	}
	var saved Profile
	err := updateProfile(m.Profiles, p.Name, func(q *Profile) error {
		defer func() { saved = *q }()
		q.PublicClient = p.PublicClient
		q.ObtainedAt = res.obtainedAt.UTC()
		q.AccessExpiresAt = res.accessExp.UTC()
		q.RefreshExpiresAt = res.refreshExp.UTC()
		if res.accessExp.IsZero() {
			q.AccessExpiresAt = time.Time{}
		}
		if res.refreshExp.IsZero() {
			q.RefreshExpiresAt = time.Time{}
		}
		q.TokenType = truncate(res.tokenType, 40)
		q.TokenScope = res.scope
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("save token metadata of MOEX profile %q: %w", p.Name, err)
	}
	m.writeRecordLogged(saved) // an older profile gets its settings item here
	return &Token{
		AccessToken: res.access, TokenType: res.tokenType, Scope: res.scope,
		AccessExpiresAt: res.accessExp, RefreshExpiresAt: res.refreshExp, Source: source,
	}, nil
}

// refreshNotSaved handles a failed save of a rotated refresh token. The old refresh token in the
// keyring is spent: sending it again would look like token theft to the server (refresh token
// reuse detection), which ends the whole session. So it is removed (best effort) and the error
// says what happened and what to do.
func (m *Manager) refreshNotSaved(name string, setErr error) error {
	m.Log.Warn().Str("profile", name).Msg("moex: could not save the rotated refresh token; dropping the spent one")
	if err := m.forgetRefresh(name); err != nil {
		return fmt.Errorf("save the new refresh token of MOEX profile %q in the keyring: %w; removing the spent old one failed too (%v): run `tokenbridge moex logout %s` once the keyring works again, before the next `tokenbridge moex token %s`",
			name, setErr, err, name, name)
	}
	return fmt.Errorf("save the new refresh token of MOEX profile %q in the keyring: %w; the spent old one was removed, so the next `tokenbridge moex token %s` signs in again with the stored credentials (check the keyring with `tokenbridge doctor` if this repeats)",
		name, setErr, name)
}

// AccessToken returns the cached access token without contacting the server ("" if none), for
// claims display.
func (m *Manager) AccessToken(name string) (string, error) {
	if _, err := m.Get(name); err != nil {
		return "", err
	}
	return m.getSecret(keyAccess(name))
}
