// Package moex manages OAuth2 tokens for the Moscow Exchange (MOEX) web services: profiles
// (non-secret settings in the index, secrets in the OS keyring), token requests to the new
// Keycloak endpoints and the old "passport" endpoints, caching, refresh-token rotation under a
// cross-process lock, and translation of the server's errors into messages a person can act on.
package moex

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tokenbridge/tokenbridge/host/ascii"
	"github.com/tokenbridge/tokenbridge/host/limits"
)

// Environments.
const (
	EnvPlay       = "play"
	EnvProduction = "production"
)

// Grants.
const (
	GrantPassword          = "password"
	GrantClientCredentials = "client_credentials"
	// grantPassport is what the old endpoints call the password grant.
	grantPassport = "passport"
)

// Client authentication styles (sent exactly one way: no probing).
const (
	AuthParams = "params" // client_id/client_secret as form fields (default)
	AuthBasic  = "basic"  // HTTP Basic header
)

// Default token endpoints (see /work/shared/reference/moex-sso.md).
const (
	PlayTokenURL             = "https://sso2.beta.moex.com/auth/realms/SSO/protocol/openid-connect/token"
	ProductionTokenURL       = "https://sso.moex.com/auth/realms/SSO/protocol/openid-connect/token"
	LegacyPlayTokenURL       = "https://play-api.moex.com/auth/oauth/v2/token"
	LegacyProductionTokenURL = "https://api.moex.com/auth/oauth/v2/token"
)

// Limits on profile fields (host/limits).
const (
	maxClientID = limits.MaxMoexClientID
	maxUsername = limits.MaxMoexUsername
	maxScope    = limits.MaxMoexScope
	maxURL      = limits.MaxMoexURL
	maxSecret   = limits.MaxSecret
	maxOTP      = limits.MaxMoexOTP
)

// Profile is one MOEX account setting plus the non-secret metadata of its cached tokens
// (zero times when there are none; a zero RefreshExpiresAt with a refresh token means an
// offline token without expiry). It is the record kept in the index's "moex" section (see
// IndexProfiles); the JSON names are that file format. Secrets (client secret, password,
// tokens) are never part of it.
type Profile struct {
	Name      string `json:"name"`
	Env       string `json:"env"`
	Grant     string `json:"grant"`
	ClientID  string `json:"client_id"`
	Username  string `json:"username,omitempty"`
	Scope     string `json:"scope,omitempty"`
	TokenURL  string `json:"token_url"`
	Legacy    bool   `json:"legacy,omitempty"`
	AuthStyle string `json:"auth_style,omitempty"`
	// PublicClient: true for a client without a secret, false when the client secret item
	// must exist; nil in a profile from an older tokenbridge (learnt at its next sign-in).
	PublicClient     *bool     `json:"public_client,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
	ObtainedAt       time.Time `json:"obtained_at,omitzero"`
	AccessExpiresAt  time.Time `json:"access_expires_at,omitzero"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at,omitzero"`
	TokenType        string    `json:"token_type,omitempty"`
	TokenScope       string    `json:"token_scope,omitempty"`
}

// ValidateName checks a profile name: 1-40 bytes a-z 0-9 _ -, starting
// with a letter or digit.
func ValidateName(name string) error {
	if name == "" || len(name) > 40 || !isNameStart(name[0]) || !ascii.All(name, isNameByte) {
		return invalidf("invalid profile name %q: use 1-40 characters a-z, 0-9, '_' or '-', starting with a letter or digit", truncate(name, 50))
	}
	return nil
}

func isNameStart(c byte) bool { return ascii.IsLower(c) || ascii.IsDigit(c) }
func isNameByte(c byte) bool  { return isNameStart(c) || c == '_' || c == '-' }

// DefaultTokenURL returns the token endpoint for an environment.
func DefaultTokenURL(env string, legacy bool) (string, error) {
	switch {
	case env == EnvPlay && !legacy:
		return PlayTokenURL, nil
	case env == EnvProduction && !legacy:
		return ProductionTokenURL, nil
	case env == EnvPlay:
		return LegacyPlayTokenURL, nil
	case env == EnvProduction:
		return LegacyProductionTokenURL, nil
	}
	return "", invalidf("invalid environment %q: use play or production", truncate(env, 30))
}

// Validate checks every setting of a profile (not its token metadata).
func (p *Profile) Validate() error {
	if err := ValidateName(p.Name); err != nil {
		return err
	}
	if p.Env != EnvPlay && p.Env != EnvProduction {
		return invalidf("invalid environment %q: use --env play or --env production", truncate(p.Env, 30))
	}
	switch p.Grant {
	case GrantPassword:
		if p.Username == "" {
			return invalidf("the password grant needs --username")
		}
	case GrantClientCredentials:
		if p.Legacy {
			return invalidf("the legacy endpoints support only the passport (password) grant: drop --legacy or use --grant password")
		}
		if p.Username != "" {
			return invalidf("--username is only for --grant password")
		}
	default:
		return invalidf("invalid grant %q: use --grant password or --grant client_credentials", truncate(p.Grant, 30))
	}
	if err := checkText("client_id", p.ClientID, maxClientID, true); err != nil {
		return err
	}
	if err := checkText("username", p.Username, maxUsername, false); err != nil {
		return err
	}
	if err := checkText("scope", p.Scope, maxScope, false); err != nil {
		return err
	}
	switch p.AuthStyle {
	case "", AuthParams, AuthBasic:
	default:
		return invalidf("invalid client authentication %q: use params or basic", truncate(p.AuthStyle, 30))
	}
	return ValidateTokenURL(p.TokenURL)
}

// ValidateSecret checks a client secret or password read from a prompt or stdin.
func ValidateSecret(what, s string) error {
	if len(s) > maxSecret {
		return invalidf("%s is longer than %d bytes", what, maxSecret)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return invalidf("%s contains a control character", what)
		}
	}
	return nil
}

// ValidateOTP checks a one-time code.
func ValidateOTP(otp string) error {
	if len(otp) > maxOTP {
		return invalidf("one-time code is longer than %d characters", maxOTP)
	}
	for _, r := range otp {
		if r <= 0x20 || r == 0x7f {
			return invalidf("one-time code contains a space or control character")
		}
	}
	return nil
}

func checkText(field, v string, max int, required bool) error {
	if required && v == "" {
		return invalidf("%s is required", field)
	}
	if len(v) > max {
		return invalidf("%s is longer than %d characters", field, max)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return invalidf("%s contains a control character", field)
		}
	}
	if strings.TrimSpace(v) != v {
		return invalidf("%s has leading or trailing spaces", field)
	}
	return nil
}

// truncate makes s safe for a message: control characters become '?', invalid UTF-8 becomes
// U+FFFD, and a string longer than n bytes is cut on a rune boundary and ends with "…".
func truncate(s string, n int) string {
	clean := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
	if len(clean) <= n {
		return clean
	}
	for n > 0 && !utf8.RuneStart(clean[n]) {
		n--
	}
	return clean[:n] + "…"
}

// Status of a profile's cached access token.
const (
	StatusOK      = "ok"
	StatusExpired = "expired"
	StatusNoToken = "no_token"
)

// Status reports whether the profile has a cached, unexpired access token at now.
func (p *Profile) Status(now time.Time) string {
	switch {
	case p.AccessExpiresAt.IsZero():
		return StatusNoToken
	case now.Before(p.AccessExpiresAt):
		return StatusOK
	default:
		return StatusExpired
	}
}

func (p *Profile) clearTokenMeta() {
	p.ObtainedAt, p.AccessExpiresAt, p.RefreshExpiresAt = time.Time{}, time.Time{}, time.Time{}
	p.TokenType, p.TokenScope = "", ""
}

func (p *Profile) grantType() string {
	if p.Legacy {
		return grantPassport
	}
	return p.Grant
}

func (p *Profile) String() string {
	return fmt.Sprintf("%s (%s %s)", p.Name, p.Env, p.Grant)
}
