package moex

import "fmt"

// The operations the command line needs besides Manager's own methods: each takes what the
// user gave and returns data or an error whose text names the cause and the fix.

// PrepareProfile fills a new profile's defaulted token URL and validates it as Add will, so
// a caller can refuse bad settings before it asks for the secrets.
func PrepareProfile(p Profile) (Profile, error) {
	if p.TokenURL == "" {
		u, err := DefaultTokenURL(p.Env, p.Legacy)
		if err != nil {
			return p, err
		}
		p.TokenURL = u
	}
	return p, p.Validate()
}

// CheckMigratable says whether profile name can be migrated (it uses the legacy endpoint),
// before the caller asks for the new client secret.
func (m *Manager) CheckMigratable(name string) error {
	p, err := m.Get(name)
	if err != nil {
		return err
	}
	if !p.Legacy {
		return fmt.Errorf("MOEX profile %q already uses the new endpoint: nothing to migrate", name)
	}
	return nil
}

// Entries lists the profiles with their token status at the manager's clock (no secrets).
func (m *Manager) Entries() ([]ListEntry, error) {
	return ListEntries(m, m.now())
}

// CachedClaims decodes, without verifying, the JWT claims of the profile's cached access token.
func (m *Manager) CachedClaims(name string) (Claims, error) {
	tok, err := m.AccessToken(name)
	if err != nil {
		return nil, err
	}
	if tok == "" {
		return nil, fmt.Errorf("MOEX profile %q has no cached access token: run `tokenbridge moex token %s` first", name, name)
	}
	return DecodeClaims(tok)
}

// TokenJSON is a token as `tokenbridge moex token --json` prints it (RFC 3339 times, null
// when unknown).
type TokenJSON struct {
	AccessToken      string  `json:"access_token"`
	TokenType        string  `json:"token_type"`
	Scope            string  `json:"scope"`
	AccessExpiresAt  *string `json:"access_expires_at"`
	RefreshExpiresAt *string `json:"refresh_expires_at"`
}

// JSON returns t's TokenJSON.
func (t *Token) JSON() TokenJSON {
	return TokenJSON{
		AccessToken: t.AccessToken, TokenType: t.TokenType, Scope: t.Scope,
		AccessExpiresAt: timePtr(t.AccessExpiresAt), RefreshExpiresAt: timePtr(t.RefreshExpiresAt),
	}
}
