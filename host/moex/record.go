package moex

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// Each profile keeps, beside its secrets, one keyring item of its non-secret settings,
// moex/NAME/profile: the JSON of its Profile without token metadata (name, environment,
// grant, client id, username, scope, token URL, legacy, client authentication, whether it is
// a public client). With it `tokenbridge doctor` rebuilds a profile whose index entry is lost.
//
// A separate item rather than attributes on each secret's item: go-keyring gives an item only
// its service and account on every OS (Secret Service attributes "service" and "username",
// a Keychain generic password's service and account, a Credential Manager target name), and
// an account of 128 key characters cannot hold a token URL. The item's value is kept by the
// keyring like any other, so nothing secret ends up in an attribute, and the settings are no
// more exposed than in index.json. Profiles written by an older tokenbridge get the item on
// their next write (add, migrate, a new token) or from `tokenbridge doctor`.

// ErrBadRecord: a profile's settings item exists but cannot be decoded.
var ErrBadRecord = errors.New("not readable")

// recordVersion is the format of the profile item.
const recordVersion = 1

type record struct {
	V       int     `json:"v"`
	Profile Profile `json:"profile"`
}

// Kinds of a profile's keyring items (the last part of the key).
const (
	ItemClientSecret = "client_secret"
	ItemPassword     = "password"
	ItemAccess       = "access_token"
	ItemRefresh      = "refresh_token"
	ItemProfile      = "profile"
)

// ItemKinds lists every kind of keyring item a profile may have.
var ItemKinds = []string{ItemClientSecret, ItemPassword, ItemAccess, ItemRefresh, ItemProfile}

// ItemKey is the keyring key of a profile's item of kind.
func ItemKey(name, kind string) string { return "moex/" + name + "/" + kind }

// ParseItemKey splits a keyring key moex/NAME/KIND; ok is false for any other key.
func ParseItemKey(key string) (name, kind string, ok bool) {
	rest, found := strings.CutPrefix(key, "moex/")
	if !found {
		return "", "", false
	}
	name, kind, found = strings.Cut(rest, "/")
	return name, kind, found && name != "" && kind != ""
}

func keyProfile(name string) string { return ItemKey(name, ItemProfile) }

// encodeRecord is the value of p's profile item.
func encodeRecord(p Profile) (string, error) {
	p.clearTokenMeta()
	b, err := json.Marshal(record{V: recordVersion, Profile: p})
	if err != nil {
		return "", fmt.Errorf("encode the settings of MOEX profile %q: %w", p.Name, err)
	}
	return string(b), nil
}

// WriteRecord stores p's non-secret settings in its profile item.
func WriteRecord(s secretstore.Store, p Profile) error {
	v, err := encodeRecord(p)
	if err != nil {
		return err
	}
	if err := s.Set(keyProfile(p.Name), v); err != nil {
		return fmt.Errorf("save the settings of MOEX profile %q in the keyring: %w", p.Name, err)
	}
	return nil
}

// RecordMatches reports whether stored, the value of p's profile item as read (doctor reads
// every item of a profile once), holds p's current settings.
func RecordMatches(stored string, p Profile) (bool, error) {
	want, err := encodeRecord(p)
	if err != nil {
		return false, err
	}
	return stored == want, nil
}

// ReadRecord rebuilds profile name from its profile item (secretstore.ErrNotFound when it has
// none). The settings are returned as stored, without token metadata; the caller validates.
func ReadRecord(s secretstore.Store, name string) (Profile, error) {
	v, err := s.Get(keyProfile(name))
	if err != nil {
		return Profile{}, err
	}
	var r record
	if err := json.Unmarshal([]byte(v), &r); err != nil || r.V != recordVersion || r.Profile.Name != name {
		return Profile{}, fmt.Errorf("the settings item %s of MOEX profile %q is %w: re-add the profile with `tokenbridge moex add %s --force …`", keyProfile(name), name, ErrBadRecord, name)
	}
	return r.Profile, nil
}

// writeRecordLogged is the best-effort write of the token path: a token is never refused
// because its profile's settings item could not be saved.
func (m *Manager) writeRecordLogged(p Profile) {
	if err := WriteRecord(m.Secrets, p); err != nil {
		m.Log.Warn().Err(err).Str("profile", p.Name).Msg("moex: save profile settings item")
	}
}

// ClientSecretState says what the profile expects of its client secret item.
func (p *Profile) ClientSecretState() (public, known bool) {
	if p.PublicClient == nil {
		return false, false
	}
	return *p.PublicClient, true
}

func boolPtr(b bool) *bool { return &b }

// checkClientSecret refuses to sign in without the client secret of a profile that has one:
// it would be sent as a public client and the server's refusal blamed on the secret. A profile
// from an older tokenbridge does not say; a sign-in that works then tells (saved by save).
func checkClientSecret(p *Profile, secret string) error {
	public, known := p.ClientSecretState()
	switch {
	case known && !public && secret == "":
		return &Error{Code: CodeNoCredentials, Msg: fmt.Sprintf(
			"the client secret of MOEX profile %q is missing from the keyring (item %s): re-enter it with `tokenbridge moex add %s --force ...`",
			p.Name, ItemKey(p.Name, ItemClientSecret), p.Name)}
	case !known:
		p.PublicClient = boolPtr(secret == "")
	}
	return nil
}

// blameMissingSecret rewrites a refusal of the client when no client secret was sent: the
// cause is then the missing item, not a wrong secret.
func blameMissingSecret(p *Profile, secret string, err error) error {
	if secret != "" || ErrorCode(err) != CodeBadClient {
		return err
	}
	return &Error{Code: CodeBadClient, Err: err, Msg: fmt.Sprintf(
		"MOEX rejected client_id %q of profile %q sent without a client secret (no keyring item %s): if this client has a secret, re-enter it with `tokenbridge moex add %s --force ...`",
		p.ClientID, p.Name, ItemKey(p.Name, ItemClientSecret), p.Name)}
}
