// Package vault stores, lists, releases and forgets tokens: the secret in
// the keyring (secretstore), the metadata in the index. The keyring is
// always written before the index and cleared before the index entry goes,
// so a crash leaves at worst an item without metadata or metadata without
// an item — both found and repaired by Doctor.
package vault

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/tokenbridge/tokenbridge/host/ascii"
	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/limits"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// Providers whose tokens the vault keeps.
const (
	ProviderTInvest = "tinvest"
	ProviderGeneric = "generic"
)

// Kinds of token.
const (
	KindFullAccess = "full_access"
	KindReadonly   = "readonly"
	KindSandbox    = "sandbox"
	KindUnknown    = "unknown"
)

// Limits on caller-supplied fields and on the index (host/limits).
const (
	MaxLabel    = limits.MaxLabel
	MaxSecret   = limits.MaxSecret
	MaxUses     = limits.MaxUses
	MaxTokens   = limits.MaxTokens
	MaxAccounts = limits.MaxAccounts
)

var (
	ErrNotFound = errors.New("no such token")
	ErrInvalid  = errors.New("invalid input")
	ErrFull     = errors.New("too many tokens")

	kinds = []string{KindFullAccess, KindReadonly, KindSandbox, KindUnknown}
)

// Vault is the token store.
type Vault struct {
	Secrets secretstore.Store
	Index   *index.File
	Now     func() time.Time

	// migrated is set once this process has migrated the index's generic
	// entries (see read); entries it could not migrate wait for the next
	// process instead of costing every read a keyring call.
	migrated atomic.Bool
}

// New returns a vault over a secret store and an index.
func New(s secretstore.Store, idx *index.File) *Vault {
	return &Vault{Secrets: s, Index: idx, Now: func() time.Time { return time.Now().UTC().Truncate(time.Second) }}
}

// StoreInput is what a caller hands over to store a token.
type StoreInput struct {
	Provider     string
	Secret       string
	Label        string
	Kind         string
	Scope        index.Scope
	SourceOrigin string
}

// SecretKey is the keyring key of a token.
func SecretKey(t index.Token) string { return t.Provider + "/" + t.ID }

// Fingerprint is a T-Invest token's fingerprint: the first 16 hex chars of
// its SHA-256. A bare hash is safe here because a T-Invest token is "t."
// and 60+ random base64url characters (real ones 86, over 350 bits): no
// search can recover it from 64 bits of hash. Keeping it unkeyed lets a
// person (and the e2e suite) check a token against index.json without the
// keyring. Generic secrets may be short and guessable: theirs is keyed
// (see Vault.fingerprint).
func Fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:8])
}

// Mask is a T-Invest token's masked form: the first 4 and last 4
// characters (of 60+ random ones).
func Mask(secret string) string {
	if len(secret) <= 12 {
		return strings.Repeat("•", 8)
	}
	return secret[:4] + "…" + secret[len(secret)-4:]
}

// Generic secrets' fingerprint and masked form.
const (
	// keyedPrefix marks a keyed fingerprint: "k1:" and the first 16 hex
	// chars of HMAC-SHA-256(fingerprint key, secret). An entry of a generic
	// secret without it predates the key and is migrated (Vault.read).
	keyedPrefix = "k1:"
	// FingerprintKeyItem is the keyring item holding the random 32-byte
	// HMAC key (hex), created on first use. Not a token: doctor ignores it.
	FingerprintKeyItem = "meta/fingerprint_key"
	// genericMaskMin is the shortest generic secret whose masked form shows
	// any of it (its last 4 characters).
	genericMaskMin = 20
)

// MaskFor returns the masked form of a provider's secret. A generic
// secret shows at most its last 4 characters, and only when it has at
// least 20: a short password must not be half given away.
func MaskFor(provider, secret string) string {
	if provider != ProviderGeneric {
		return Mask(secret)
	}
	r := []rune(secret)
	if len(r) < genericMaskMin {
		return strings.Repeat("•", 8)
	}
	return "••••…" + string(r[len(r)-4:])
}

func keyedFingerprint(key []byte, secret string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(secret))
	return keyedPrefix + hex.EncodeToString(m.Sum(nil)[:8])
}

// fingerprint returns the fingerprint of a provider's secret: keyed for
// generic secrets, so a short one cannot be found by hashing guesses
// against index.json.
func (v *Vault) fingerprint(provider, secret string) (string, error) {
	if provider != ProviderGeneric {
		return Fingerprint(secret), nil
	}
	key, err := v.fingerprintKey()
	if err != nil {
		return "", err
	}
	return keyedFingerprint(key, secret), nil
}

// fingerprintKey reads the HMAC key from the keyring, creating it on first
// use. Creation happens under the index lock, so two processes never make
// two keys; and because a new key means any keyed fingerprint in the index
// was made with a key that is gone, those are recomputed at once.
func (v *Vault) fingerprintKey() ([]byte, error) {
	key, err := v.readFingerprintKey()
	if err == nil || !errors.Is(err, secretstore.ErrNotFound) {
		return key, err
	}
	err = v.Index.Update(func(d *index.Data) error {
		key, err = v.readFingerprintKey()
		if err == nil || !errors.Is(err, secretstore.ErrNotFound) {
			return err
		}
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return fmt.Errorf("make the fingerprint key: %w", err)
		}
		if err := v.Secrets.Set(FingerprintKeyItem, hex.EncodeToString(key)); err != nil {
			return fmt.Errorf("save the fingerprint key: %w", err)
		}
		v.refingerprint(d, key, true)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return key, nil
}

func (v *Vault) readFingerprintKey() ([]byte, error) {
	s, err := v.Secrets.Get(FingerprintKeyItem)
	if err != nil {
		if errors.Is(err, secretstore.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("read the fingerprint key: %w", err)
	}
	key, derr := hex.DecodeString(s)
	if derr != nil || len(key) != 32 {
		return nil, fmt.Errorf("the keyring item %s (the key of generic secrets' fingerprints) is damaged: delete it (secret-tool clear service %s username %s) and tokenbridge makes a new one",
			FingerprintKeyItem, secretstore.Service, FingerprintKeyItem)
	}
	return key, nil
}

// refingerprint recomputes, from the keyring, the fingerprint and masked
// form of generic entries: all of them, or only those from before keyed
// fingerprints. An entry whose secret cannot be read is left as it is
// (doctor reports a missing one); the next read tries again.
func (v *Vault) refingerprint(d *index.Data, key []byte, all bool) (changed bool) {
	for i := range d.Tokens {
		t := &d.Tokens[i]
		if t.Provider != ProviderGeneric || (!all && strings.HasPrefix(t.Fingerprint, keyedPrefix)) {
			continue
		}
		secret, err := v.Secrets.Get(SecretKey(*t))
		if err != nil {
			continue
		}
		fp, masked := keyedFingerprint(key, secret), MaskFor(t.Provider, secret)
		changed = changed || fp != t.Fingerprint || masked != t.Masked
		t.Fingerprint, t.Masked = fp, masked
	}
	return changed
}

// errUnchanged makes Index.Update skip writing an index nothing changed in.
var errUnchanged = errors.New("index unchanged")

func needsMigration(d *index.Data) bool {
	for _, t := range d.Tokens {
		if t.Provider == ProviderGeneric && !strings.HasPrefix(t.Fingerprint, keyedPrefix) {
			return true
		}
	}
	return false
}

// read returns the index. Entries of generic secrets written before keyed
// fingerprints (a bare SHA-256 prefix that lets a short secret be found by
// brute force, a mask showing 8 characters) are migrated first; when the
// keyring cannot be read that waits for the next process, and the index is
// returned as it is.
func (v *Vault) read() (index.Data, error) {
	d, err := v.Index.Read()
	if err != nil || !needsMigration(&d) || v.migrated.Swap(true) {
		// One try per process: a locked or hung keyring must not cost
		// every later request of this process another keyring wait.
		return d, err
	}
	key, kerr := v.fingerprintKey()
	if kerr != nil {
		return d, nil
	}
	uerr := v.Index.Update(func(d *index.Data) error {
		if !v.refingerprint(d, key, false) {
			return errUnchanged
		}
		return nil
	})
	if uerr != nil && !errors.Is(uerr, errUnchanged) {
		return d, nil
	}
	return v.Index.Read()
}

// ValidID reports whether id has the shape of a token id: "tok_" and 16
// lower-case hex digits.
func ValidID(id string) bool {
	hexPart, ok := strings.CutPrefix(id, "tok_")
	return ok && len(hexPart) == 16 && ascii.All(hexPart, isLowerHex)
}

func isLowerHex(c byte) bool { return ascii.IsDigit(c) || ('a' <= c && c <= 'f') }

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "tok_" + hex.EncodeToString(b[:])
}

// CheckKind validates a kind.
func CheckKind(k string) error {
	if !slices.Contains(kinds, k) {
		return fmt.Errorf("%w: kind must be one of %s", ErrInvalid, strings.Join(kinds, ", "))
	}
	return nil
}

// CheckSecret validates a secret for a provider.
func CheckSecret(provider, s string) error {
	switch provider {
	case ProviderTInvest:
		if utf8.RuneCountInString(s) > limits.MaxTokenLen {
			return fmt.Errorf("%w: a T-Invest token is at most %d characters, this is %d: copy only the token", secretstore.ErrTooLarge, limits.MaxTokenLen, utf8.RuneCountInString(s))
		}
		if body, ok := strings.CutPrefix(s, "t."); !ok || len(body) < 60 || !ascii.All(body, ascii.IsBase64URL) {
			return fmt.Errorf("%w: not a T-Invest token (expected \"t.\" followed by at least 60 letters, digits, _ or -; masked forms with … or * are not tokens)", ErrInvalid)
		}
	case ProviderGeneric:
		if len(s) > MaxSecret {
			return fmt.Errorf("%w: a secret is at most %d bytes, this is %d", secretstore.ErrTooLarge, MaxSecret, len(s))
		}
		if s == "" || !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\r\n") {
			return fmt.Errorf("%w: secret must be 1..%d bytes of UTF-8 on one line", ErrInvalid, MaxSecret)
		}
	default:
		return fmt.Errorf("%w: provider must be %q or %q", ErrInvalid, ProviderTInvest, ProviderGeneric)
	}
	return nil
}

// SourceOrigins lists, per provider, the sites a token may be captured
// from: the provider's own (the extension's capture content scripts run
// only there).
var SourceOrigins = map[string][]string{
	ProviderTInvest: {"https://www.tbank.ru", "https://www.tinkoff.ru"},
}

// CheckSourceOrigin accepts "" (not captured in a browser) or one of the
// provider's own origins.
func CheckSourceOrigin(provider, origin string) error {
	if origin != "" && !slices.Contains(SourceOrigins[provider], origin) {
		return fmt.Errorf("%w: source_origin %q is not a %s site; tokens are captured only on %s", ErrInvalid, origin, provider, strings.Join(SourceOrigins[provider], ", "))
	}
	return nil
}

func (in *StoreInput) check() error {
	if err := CheckSecret(in.Provider, in.Secret); err != nil {
		return err
	}
	if err := CheckSourceOrigin(in.Provider, in.SourceOrigin); err != nil {
		return err
	}
	if in.Kind == "" {
		in.Kind = KindUnknown
	}
	if err := CheckKind(in.Kind); err != nil {
		return err
	}
	if err := CheckLabel(in.Label); err != nil {
		return err
	}
	if err := CheckLabel(in.Scope.AccountName); err != nil {
		return fmt.Errorf("account name: %w", err)
	}
	return nil
}

func defaultLabel(in StoreInput, now time.Time) string {
	switch in.Provider {
	case ProviderTInvest:
		kind := map[string]string{KindFullAccess: "полный доступ", KindReadonly: "только чтение", KindSandbox: "песочница"}[in.Kind]
		if kind == "" {
			kind = "токен"
		}
		return fmt.Sprintf("T-Invest %s %s", kind, now.Format("2006-01-02"))
	default:
		return "token " + now.Format("2006-01-02 15:04")
	}
}

// Store saves a token. The same secret stored again updates the existing
// entry (label, kind, scope when given) instead of adding a second; created
// reports which happened.
func (v *Vault) Store(in StoreInput) (tok index.Token, created bool, err error) {
	if err := in.check(); err != nil {
		return index.Token{}, false, err
	}
	d, err := v.read()
	if err != nil {
		return index.Token{}, false, err
	}
	fp, err := v.fingerprint(in.Provider, in.Secret)
	if err != nil {
		return index.Token{}, false, err
	}
	id := newID()
	if i := findFingerprint(&d, in.Provider, fp); i >= 0 {
		id = d.Tokens[i].ID
	}
	key := in.Provider + "/" + id
	if err := v.Secrets.Set(key, in.Secret); err != nil {
		return index.Token{}, false, fmt.Errorf("save secret: %w", err)
	}
	now := v.Now()
	var orphan string
	err = v.Index.Update(func(d *index.Data) error {
		if i := findFingerprint(d, in.Provider, fp); i >= 0 {
			t := &d.Tokens[i]
			if t.ID != id {
				// Another process stored the same secret meanwhile.
				orphan = key
			}
			if in.Label != "" {
				t.Label = in.Label
			}
			if in.Kind != KindUnknown {
				t.Kind = in.Kind
			}
			if in.Scope != (index.Scope{}) {
				t.Scope = in.Scope
			}
			if t.SourceOrigin == "" {
				t.SourceOrigin = in.SourceOrigin
			}
			tok = *t
			return nil
		}
		if len(d.Tokens) >= MaxTokens {
			// Only a flood gets here (limits.MaxTokens): say what to do.
			return fmt.Errorf("%w: %d tokens are stored, the most tokenbridge keeps; this one was not saved: delete unused ones (see them with `tokenbridge list`, delete each with `tokenbridge rm ID`), then save it again while the bank's page still shows it", ErrFull, len(d.Tokens))
		}
		label := in.Label
		if label == "" {
			label = defaultLabel(in, now)
		}
		tok = index.Token{
			ID: id, Provider: in.Provider, Label: label, Kind: in.Kind, Scope: in.Scope,
			Fingerprint: fp, Masked: MaskFor(in.Provider, in.Secret), CreatedAt: now, LastUsedAt: now,
			SourceOrigin: in.SourceOrigin,
		}
		d.Tokens = append(d.Tokens, tok)
		created = true
		return nil
	})
	if err != nil {
		// The index refused a new entry: take its keyring item back out.
		if _, terr := v.Token(id); errors.Is(terr, ErrNotFound) {
			_ = v.Secrets.Delete(key)
		}
		if errors.Is(err, ErrFull) {
			return index.Token{}, false, err
		}
		return index.Token{}, false, fmt.Errorf("save metadata: %w", err)
	}
	if orphan != "" {
		_ = v.Secrets.Delete(orphan)
	}
	return tok, created, nil
}

func findFingerprint(d *index.Data, provider, fp string) int {
	for i := range d.Tokens {
		if d.Tokens[i].Provider == provider && d.Tokens[i].Fingerprint == fp {
			return i
		}
	}
	return -1
}

// List returns the metadata of every token, or of one provider's.
func (v *Vault) List(provider string) ([]index.Token, error) {
	d, err := v.read()
	if err != nil {
		return nil, err
	}
	out := make([]index.Token, 0, len(d.Tokens))
	for _, t := range d.Tokens {
		if provider == "" || t.Provider == provider {
			out = append(out, t)
		}
	}
	return out, nil
}

// Token returns one token's metadata.
func (v *Vault) Token(id string) (index.Token, error) {
	d, err := v.read()
	if err != nil {
		return index.Token{}, err
	}
	i := d.TokenByID(id)
	if i < 0 {
		return index.Token{}, fmt.Errorf("%w: %q (see `tokenbridge list`)", ErrNotFound, id)
	}
	return d.Tokens[i], nil
}

// Find resolves an id or a label (exact, case-insensitive) to a token.
func (v *Vault) Find(ref string) (index.Token, error) {
	d, err := v.read()
	if err != nil {
		return index.Token{}, err
	}
	if i := d.TokenByID(ref); i >= 0 {
		return d.Tokens[i], nil
	}
	var hits []index.Token
	for _, t := range d.Tokens {
		if strings.EqualFold(t.Label, ref) {
			hits = append(hits, t)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return index.Token{}, fmt.Errorf("%w: no token with id or label %q (see `tokenbridge list`)", ErrNotFound, ref)
	default:
		return index.Token{}, fmt.Errorf("%w: %d tokens are labelled %q: use the id", ErrInvalid, len(hits), ref)
	}
}

// Secret returns a token's secret and metadata.
func (v *Vault) Secret(id string) (string, index.Token, error) {
	t, err := v.Token(id)
	if err != nil {
		return "", index.Token{}, err
	}
	s, err := v.Secrets.Get(SecretKey(t))
	if errors.Is(err, secretstore.ErrNotFound) {
		return "", index.Token{}, fmt.Errorf("%w: the keyring no longer holds token %s: run `tokenbridge doctor` (it removes the stale entry)", ErrNotFound, id)
	}
	if err != nil {
		return "", index.Token{}, err
	}
	return s, t, nil
}

// Patch holds the fields Update may change; nil leaves a field alone.
type Patch struct {
	Label *string
	Kind  *string
}

// Update changes a token's label or kind.
func (v *Vault) Update(id string, p Patch) (index.Token, error) {
	if p.Label != nil {
		if err := CheckLabel(*p.Label); err != nil {
			return index.Token{}, err
		}
		if strings.TrimSpace(*p.Label) == "" {
			return index.Token{}, fmt.Errorf("%w: label is empty", ErrInvalid)
		}
	}
	if p.Kind != nil {
		if err := CheckKind(*p.Kind); err != nil {
			return index.Token{}, err
		}
	}
	return v.modify(id, func(t *index.Token) {
		if p.Label != nil {
			t.Label = *p.Label
		}
		if p.Kind != nil {
			t.Kind = *p.Kind
		}
	})
}

func (v *Vault) modify(id string, fn func(*index.Token)) (index.Token, error) {
	var out index.Token
	err := v.Index.Update(func(d *index.Data) error {
		i := d.TokenByID(id)
		if i < 0 {
			return fmt.Errorf("%w: %q (see `tokenbridge list`)", ErrNotFound, id)
		}
		fn(&d.Tokens[i])
		out = d.Tokens[i]
		return nil
	})
	return out, err
}

// Delete removes a token: the keyring item first, then the metadata, both
// under the index lock, so that of several concurrent deletes of one token
// (in this process or others) exactly one succeeds and the rest find
// nothing (ErrNotFound).
func (v *Vault) Delete(id string) error {
	return v.Index.Update(func(d *index.Data) error {
		i := d.TokenByID(id)
		if i < 0 {
			return fmt.Errorf("%w: %q (see `tokenbridge list`)", ErrNotFound, id)
		}
		if err := v.Secrets.Delete(SecretKey(d.Tokens[i])); err != nil && !errors.Is(err, secretstore.ErrNotFound) {
			return fmt.Errorf("delete secret: %w", err)
		}
		d.Tokens = slices.Delete(d.Tokens, i, i+1)
		return nil
	})
}

// RecordUse notes that origin received the token (keeping the newest
// MaxUses entries) and refreshes last_used_at.
func (v *Vault) RecordUse(id, origin string) (index.Token, error) {
	now := v.Now()
	return v.modify(id, func(t *index.Token) {
		t.UsedBy = append(t.UsedBy, index.Use{Origin: origin, At: now})
		if len(t.UsedBy) > MaxUses {
			t.UsedBy = t.UsedBy[len(t.UsedBy)-MaxUses:]
		}
		t.LastUsedAt = now
	})
}
