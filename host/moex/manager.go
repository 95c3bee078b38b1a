package moex

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/filelock"
	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/redact"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// DefaultMargin: a cached access token is used only while it has at least this much life left.
const DefaultMargin = 60 * time.Second

// Keyring item names for a profile. Each secret has its own item.
func keyClientSecret(name string) string { return "moex/" + name + "/client_secret" }
func keyPassword(name string) string     { return "moex/" + name + "/password" }
func keyAccess(name string) string       { return "moex/" + name + "/access_token" }
func keyRefresh(name string) string      { return "moex/" + name + "/refresh_token" }

// LockFunc takes a cross-process lock on path and returns its release function.
type LockFunc func(path string) (unlock func() error, err error)

// Manager runs every profile operation.
type Manager struct {
	Secrets  secretstore.Store
	Profiles ProfileStore
	// LockDir holds the per-profile lock files (the state directory).
	LockDir string
	Lock    LockFunc
	HTTP    *http.Client
	Now     func() time.Time
	Margin  time.Duration
	Log     zerolog.Logger
}

// Token is a usable access token and what is known about it.
type Token struct {
	AccessToken      string
	TokenType        string
	Scope            string
	AccessExpiresAt  time.Time
	RefreshExpiresAt time.Time // zero: no refresh token or no expiry (offline)
	HasRefresh       bool
	// Source is "cache", "refresh" or "grant".
	Source string
}

// Credentials are the secrets of a profile, read from a prompt or stdin.
type Credentials struct {
	ClientSecret string
	Password     string
}

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *Manager) httpClient() *http.Client {
	if m.HTTP != nil {
		return m.HTTP
	}
	return newHTTPClient()
}

func (m *Manager) margin() time.Duration {
	if m.Margin > 0 {
		return m.Margin
	}
	return DefaultMargin
}

// lock takes the per-profile cross-process lock.
func (m *Manager) lock(name string) (func(), error) {
	if m.Lock == nil || m.LockDir == "" {
		return nil, errors.New("moex: no lock configured (internal error)")
	}
	if err := os.MkdirAll(m.LockDir, 0o700); err != nil {
		return nil, fmt.Errorf("create lock directory %s: %w", m.LockDir, err)
	}
	unlock, err := m.Lock(filepath.Join(m.LockDir, "moex-"+name+".lock"))
	if err != nil {
		return nil, fmt.Errorf("lock MOEX profile %q: %w", name, err)
	}
	return func() {
		if err := unlock(); err != nil {
			m.Log.Warn().Err(err).Str("profile", name).Msg("moex: release profile lock")
		}
	}, nil
}

// getSecret returns "" for a missing item.
func (m *Manager) getSecret(key string) (string, error) {
	v, err := m.Secrets.Get(key)
	if errors.Is(err, secretstore.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s from the keyring: %w", key, err)
	}
	redact.Add(v) // scrub it from any log line or error text in this process
	return v, nil
}

func (m *Manager) deleteSecret(key string) error {
	err := m.Secrets.Delete(key)
	if err != nil && !errors.Is(err, secretstore.ErrNotFound) {
		return fmt.Errorf("delete %s from the keyring: %w", key, err)
	}
	return nil
}

// List returns all profiles.
func (m *Manager) List() ([]Profile, error) {
	return m.Profiles.Load()
}

// Get returns one profile.
func (m *Manager) Get(name string) (Profile, error) {
	if err := ValidateName(name); err != nil {
		return Profile{}, err
	}
	return getProfile(m.Profiles, name)
}

// Add creates a profile (or replaces it when replace is set) and stores its secrets.
// An empty ClientSecret is allowed (public client); the password grant needs a Password.
func (m *Manager) Add(p Profile, cred Credentials, replace bool) error {
	if p.AuthStyle == "" {
		p.AuthStyle = AuthParams
	}
	if p.TokenURL == "" {
		u, err := DefaultTokenURL(p.Env, p.Legacy)
		if err != nil {
			return err
		}
		p.TokenURL = u
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if err := ValidateSecret("client secret", cred.ClientSecret); err != nil {
		return err
	}
	if err := ValidateSecret("password", cred.Password); err != nil {
		return err
	}
	if p.Grant == GrantPassword && cred.Password == "" {
		return invalidf("the password grant needs a password (entered at the prompt or as the second line on stdin)")
	}
	if p.Grant != GrantPassword && cred.Password != "" {
		return invalidf("a password is only used with --grant password")
	}
	p.clearTokenMeta()
	p.CreatedAt = m.now().UTC()

	unlock, err := m.lock(p.Name)
	if err != nil {
		return err
	}
	defer unlock()
	if !replace {
		if _, err := getProfile(m.Profiles, p.Name); err == nil {
			return &Error{Code: CodeExists, Msg: fmt.Sprintf("MOEX profile %q already exists: add --force to replace it, or remove it with `tokenbridge moex rm %s`", p.Name, p.Name)}
		} else if ErrorCode(err) != CodeNotFound {
			return err
		}
	}
	// Old cached tokens belong to the old settings.
	for _, k := range []string{keyAccess(p.Name), keyRefresh(p.Name)} {
		if err := m.deleteSecret(k); err != nil {
			return err
		}
	}
	if err := m.putOrDelete(keyClientSecret(p.Name), cred.ClientSecret); err != nil {
		return err
	}
	if err := m.putOrDelete(keyPassword(p.Name), cred.Password); err != nil {
		return err
	}
	return m.Profiles.Modify(func(ps []Profile) ([]Profile, error) {
		if i := find(ps, p.Name); i >= 0 {
			ps[i] = p
			return ps, nil
		}
		return append(ps, p), nil
	})
}

func (m *Manager) putOrDelete(key, v string) error {
	redact.Add(v)
	if v == "" {
		return m.deleteSecret(key)
	}
	if err := m.Secrets.Set(key, v); err != nil {
		return fmt.Errorf("save %s in the keyring: %w", key, err)
	}
	return nil
}

// Remove deletes the profile and all its keyring items.
func (m *Manager) Remove(name string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	unlock, err := m.lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := getProfile(m.Profiles, name); err != nil {
		return err
	}
	// Keyring first: if it fails the profile stays listed and the command can be rerun.
	for _, k := range []string{keyAccess(name), keyRefresh(name), keyPassword(name), keyClientSecret(name)} {
		if err := m.deleteSecret(k); err != nil {
			return err
		}
	}
	return m.Profiles.Modify(func(ps []Profile) ([]Profile, error) {
		if i := find(ps, name); i >= 0 {
			ps = append(ps[:i], ps[i+1:]...)
		}
		return ps, nil
	})
}

// Logout drops the cached tokens of a profile (not its credentials).
func (m *Manager) Logout(name string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	unlock, err := m.lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := getProfile(m.Profiles, name); err != nil {
		return err
	}
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
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	if err := ValidateOTP(opt.OTP); err != nil {
		return nil, err
	}
	unlock, err := m.lock(name)
	if err != nil {
		return nil, err
	}
	defer unlock()

	p, err := getProfile(m.Profiles, name)
	if err != nil {
		return nil, err
	}
	now := m.now()
	access, err := m.getSecret(keyAccess(name))
	if err != nil {
		return nil, err
	}
	refresh, err := m.getSecret(keyRefresh(name))
	if err != nil {
		return nil, err
	}
	if access != "" && m.fresh(p.ObtainedAt, p.AccessExpiresAt, now) {
		return &Token{
			AccessToken: access, TokenType: p.TokenType, Scope: p.TokenScope,
			AccessExpiresAt: p.AccessExpiresAt, RefreshExpiresAt: p.RefreshExpiresAt,
			HasRefresh: refresh != "", Source: "cache",
		}, nil
	}

	secret, err := m.getSecret(keyClientSecret(name))
	if err != nil {
		return nil, err
	}
	sessionEnded := false
	if refresh != "" {
		if p.RefreshExpiresAt.IsZero() || m.fresh(p.ObtainedAt, p.RefreshExpiresAt, now) {
			res, err := refreshGrant(ctx, m.httpClient(), &p, secret, refresh, now)
			if err == nil {
				m.Log.Info().Str("profile", name).Msg("moex: refreshed access token")
				return m.save(&p, res, "refresh")
			}
			if ErrorCode(err) != CodeSessionEnded {
				return nil, err
			}
			m.Log.Info().Str("profile", name).Str("reason", err.Error()).Msg("moex: refresh token rejected; signing in again")
		}
		// Expired or rejected: it can never work again; never send it twice.
		sessionEnded = true
		if err := m.forgetRefresh(name); err != nil {
			return nil, err
		}
	}

	password := ""
	if p.grantType() != GrantClientCredentials {
		password, err = m.getSecret(keyPassword(name))
		if err != nil {
			return nil, err
		}
		if password == "" {
			if sessionEnded {
				return nil, &Error{Code: CodeSessionEnded, Msg: fmt.Sprintf("session ended: run `tokenbridge moex token %s` again with credentials (no password is stored: re-enter it with `tokenbridge moex add %s --force ...`)", name, name)}
			}
			return nil, &Error{Code: CodeNoCredentials, Msg: fmt.Sprintf("no password stored for MOEX profile %q: re-enter it with `tokenbridge moex add %s --force ...`", name, name)}
		}
	}
	res, err := fullGrant(ctx, m.httpClient(), &p, secret, password, opt.OTP, now)
	if err != nil {
		if sessionEnded && ErrorCode(err) == CodeBadCredentials {
			return nil, &Error{Code: CodeSessionEnded, Err: err,
				Msg: fmt.Sprintf("session ended: run `tokenbridge moex token %s` again with credentials: signing in again failed: %s", name, err.Error())}
		}
		return nil, err
	}
	m.Log.Info().Str("profile", name).Str("grant", p.grantType()).Msg("moex: signed in")
	return m.save(&p, res, "grant")
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
	err := updateProfile(m.Profiles, p.Name, func(q *Profile) error {
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
	return &Token{
		AccessToken: res.access, TokenType: res.tokenType, Scope: res.scope,
		AccessExpiresAt: res.accessExp, RefreshExpiresAt: res.refreshExp,
		HasRefresh: res.refresh != "", Source: source,
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

// MigrateOptions are the inputs of Migrate.
type MigrateOptions struct {
	ClientID     string
	ClientSecret string
	TokenURL     string // empty: the new default endpoint for the profile's environment
	OTP          string
}

// Migrate moves a legacy profile to the new SSO endpoint with a new client_id/client_secret
// pair. It signs in with the new settings first and changes nothing unless that works.
func (m *Manager) Migrate(ctx context.Context, name string, opt MigrateOptions) (*Token, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	if err := ValidateSecret("client secret", opt.ClientSecret); err != nil {
		return nil, err
	}
	if err := ValidateOTP(opt.OTP); err != nil {
		return nil, err
	}
	unlock, err := m.lock(name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	old, err := getProfile(m.Profiles, name)
	if err != nil {
		return nil, err
	}
	if !old.Legacy {
		return nil, invalidf("MOEX profile %q already uses the new endpoint %s: nothing to migrate", name, hostOf(old.TokenURL))
	}
	p := old
	p.Legacy = false
	p.ClientID = opt.ClientID
	p.TokenURL = opt.TokenURL
	if p.TokenURL == "" {
		p.TokenURL, _ = DefaultTokenURL(p.Env, false)
	}
	p.clearTokenMeta()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	password, err := m.getSecret(keyPassword(name))
	if err != nil {
		return nil, err
	}
	if p.Grant == GrantPassword && password == "" {
		return nil, &Error{Code: CodeNoCredentials, Msg: fmt.Sprintf("no password stored for MOEX profile %q: re-add it with `tokenbridge moex add %s --force ...`", name, name)}
	}
	now := m.now()
	res, err := fullGrant(ctx, m.httpClient(), &p, opt.ClientSecret, password, opt.OTP, now)
	if err != nil {
		if ErrorCode(err) == CodeBadClient {
			return nil, &Error{Code: CodeBadClient, Err: err, Msg: fmt.Sprintf(
				"the new endpoint %s rejected client_id %q (unauthorized_client): the old legacy client_id/client_secret pair does not work there; get a new pair (play: write to help@moex.com naming the old pair; production: ask your personal client manager), then rerun `tokenbridge moex migrate %s`; the profile is unchanged",
				hostOf(p.TokenURL), p.ClientID, name)}
		}
		return nil, fmt.Errorf("migration of MOEX profile %q not done (the profile is unchanged): %w", name, err)
	}
	// It works: switch the profile, then save the first tokens.
	if err := m.putOrDelete(keyClientSecret(name), opt.ClientSecret); err != nil {
		return nil, fmt.Errorf("MOEX profile %q is unchanged: %w", name, err)
	}
	if err := m.Profiles.Modify(func(ps []Profile) ([]Profile, error) {
		i := find(ps, name)
		if i < 0 {
			return nil, notFound(name)
		}
		ps[i] = p
		return ps, nil
	}); err != nil {
		return nil, err
	}
	return m.save(&p, res, "grant")
}

// AccessToken returns the cached access token without contacting the server ("" if none), for
// claims display.
func (m *Manager) AccessToken(name string) (string, error) {
	if _, err := m.Get(name); err != nil {
		return "", err
	}
	return m.getSecret(keyAccess(name))
}

// New returns a Manager over the index and state directory of dirs.
func New(dirs config.Dirs, secrets secretstore.Store, log zerolog.Logger) *Manager {
	return &Manager{
		Secrets:  secrets,
		Profiles: IndexProfiles{File: index.Open(dirs.Index())},
		LockDir:  filepath.Join(dirs.State(), "locks"),
		Lock:     filelock.Lock,
		Log:      log,
	}
}
