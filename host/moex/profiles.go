package moex

import (
	"context"
	"fmt"

	"github.com/tokenbridge/tokenbridge/host/redact"
)

// The profile path: list, read, add, remove and migrate profiles and
// their stored credentials.

// Credentials are the secrets of a profile, read from a prompt or stdin.
type Credentials struct {
	ClientSecret string
	Password     string
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
	p, err := PrepareProfile(p)
	if err != nil {
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
	p.PublicClient = boolPtr(cred.ClientSecret == "")

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
	if err := WriteRecord(m.Secrets, p); err != nil {
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
	_, unlock, err := m.lockExisting(name)
	if err != nil {
		return err
	}
	defer unlock()
	// Keyring first: if it fails the profile stays listed and the command can be rerun.
	for _, k := range []string{keyAccess(name), keyRefresh(name), keyPassword(name), keyClientSecret(name), keyProfile(name)} {
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
	if err := ValidateSecret("client secret", opt.ClientSecret); err != nil {
		return nil, err
	}
	if err := ValidateOTP(opt.OTP); err != nil {
		return nil, err
	}
	old, unlock, err := m.lockExisting(name)
	if err != nil {
		return nil, err
	}
	defer unlock()
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
	p.PublicClient = boolPtr(opt.ClientSecret == "")
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
