package vault

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// shown counts the characters of masked taken from the secret.
func shown(masked string) int {
	return utf8.RuneCountInString(strings.NewReplacer("•", "", "…", "").Replace(masked))
}

func TestMaskForGenericShowsAtMostFour(t *testing.T) {
	tests := []struct {
		secret, want string
	}{
		{"1234", "••••••••"},
		{"hunter2", "••••••••"},
		{strings.Repeat("a", 19), "••••••••"},
		{strings.Repeat("a", 16) + "WXYZ", "••••…WXYZ"},
		{"correct horse battery staple", "••••…aple"},
		{strings.Repeat("ж", 30) + "пароль", "••••…роль"},
	}
	for _, tt := range tests {
		got := MaskFor(ProviderGeneric, tt.secret)
		require.Equal(t, tt.want, got, tt.secret)
		require.LessOrEqual(t, shown(got), 4)
		require.True(t, utf8.ValidString(got))
	}
	require.Equal(t, "t.Fa…0001", MaskFor(ProviderTInvest, testToken(1)), "T-Invest tokens keep 4+4")
}

// keyFrom reads the fingerprint key the vault created.
func keyFrom(t *testing.T, mem *secretstore.Memory) []byte {
	s, err := mem.Get(FingerprintKeyItem)
	require.NoError(t, err, "the key is created on first use")
	key, err := hex.DecodeString(s)
	require.NoError(t, err)
	require.Len(t, key, 32)
	return key
}

func hmacPrefix(key []byte, secret string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(secret))
	return "k1:" + hex.EncodeToString(m.Sum(nil)[:8])
}

// A generic secret's fingerprint is HMAC-SHA-256 under a random key kept
// in the keyring, so index.json gives nothing to test guesses against.
func TestGenericFingerprintIsKeyed(t *testing.T) {
	v, mem := newTestVault(t)
	_, err := mem.Get(FingerprintKeyItem)
	require.ErrorIs(t, err, secretstore.ErrNotFound)

	tok, created, err := v.Store(StoreInput{Provider: ProviderGeneric, Secret: "1234"})
	require.NoError(t, err)
	require.True(t, created)
	key := keyFrom(t, mem)
	require.Equal(t, hmacPrefix(key, "1234"), tok.Fingerprint)

	b, err := os.ReadFile(v.Index.Path())
	require.NoError(t, err)
	require.NotContains(t, string(b), Fingerprint("1234"), "no bare SHA-256 of the secret")
	require.NotContains(t, string(b), "1234")

	// The same secret again (also from another process) is the same entry.
	other := New(mem, index.Open(v.Index.Path()))
	again, created, err := other.Store(StoreInput{Provider: ProviderGeneric, Secret: "1234", Label: "pin"})
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, tok.ID, again.ID)
	require.Equal(t, key, keyFrom(t, mem), "one key")

	// T-Invest tokens keep the bare SHA-256 prefix (high-entropy; e2e checks it).
	ti, _, err := v.Store(StoreInput{Provider: ProviderTInvest, Secret: testToken(1)})
	require.NoError(t, err)
	require.Equal(t, Fingerprint(testToken(1)), ti.Fingerprint)
}

// Entries stored before keyed fingerprints are migrated on the next read:
// fingerprint and mask recomputed from the keyring, T-Invest entries and
// entries whose secret is gone left as they are.
func TestLegacyGenericEntriesMigrate(t *testing.T) {
	v, mem := newTestVault(t)
	now := time.Now().UTC().Truncate(time.Second)
	legacy := []index.Token{
		{ID: "tok_00000000000000a1", Provider: ProviderGeneric, Label: "pin", Kind: KindUnknown,
			Fingerprint: Fingerprint("4321"), Masked: "••••••••", CreatedAt: now, LastUsedAt: now},
		{ID: "tok_00000000000000a2", Provider: ProviderGeneric, Label: "api key", Kind: KindUnknown,
			Fingerprint: Fingerprint("sk-live-0123456789abcdefXYZW"), Masked: "sk-l…XYZW", CreatedAt: now, LastUsedAt: now},
		{ID: "tok_00000000000000a3", Provider: ProviderGeneric, Label: "gone", Kind: KindUnknown,
			Fingerprint: Fingerprint("lost"), Masked: "••••••••", CreatedAt: now, LastUsedAt: now},
		{ID: "tok_00000000000000b1", Provider: ProviderTInvest, Label: "T", Kind: KindFullAccess,
			Fingerprint: Fingerprint(testToken(7)), Masked: Mask(testToken(7)), CreatedAt: now, LastUsedAt: now},
	}
	require.NoError(t, v.Index.Update(func(d *index.Data) error { d.Tokens = legacy; return nil }))
	require.NoError(t, mem.Set("generic/tok_00000000000000a1", "4321"))
	require.NoError(t, mem.Set("generic/tok_00000000000000a2", "sk-live-0123456789abcdefXYZW"))
	require.NoError(t, mem.Set("tinvest/tok_00000000000000b1", testToken(7)))

	list, err := v.List("")
	require.NoError(t, err)
	key := keyFrom(t, mem)
	byID := map[string]index.Token{}
	for _, tk := range list {
		byID[tk.ID] = tk
	}
	require.Equal(t, hmacPrefix(key, "4321"), byID["tok_00000000000000a1"].Fingerprint)
	require.Equal(t, hmacPrefix(key, "sk-live-0123456789abcdefXYZW"), byID["tok_00000000000000a2"].Fingerprint)
	require.Equal(t, "••••…XYZW", byID["tok_00000000000000a2"].Masked)
	require.Equal(t, "pin", byID["tok_00000000000000a1"].Label, "metadata kept")
	require.Equal(t, legacy[2], byID["tok_00000000000000a3"], "no secret: left for doctor")
	require.Equal(t, legacy[3], byID["tok_00000000000000b1"], "T-Invest unchanged")

	b, err := os.ReadFile(v.Index.Path())
	require.NoError(t, err)
	require.NotContains(t, string(b), Fingerprint("4321"), "migrated on disk")
	require.NotContains(t, string(b), "sk-l…")

	// Dedup works against migrated entries.
	tok, created, err := v.Store(StoreInput{Provider: ProviderGeneric, Secret: "4321"})
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, "tok_00000000000000a1", tok.ID)
}

// A locked keyring postpones the migration; reads still answer.
func TestMigrationWaitsForKeyring(t *testing.T) {
	v, mem := newTestVault(t)
	require.NoError(t, v.Index.Update(func(d *index.Data) error {
		d.Tokens = []index.Token{{ID: "tok_00000000000000a1", Provider: ProviderGeneric, Label: "pin", Kind: KindUnknown, Fingerprint: Fingerprint("4321")}}
		return nil
	}))
	require.NoError(t, mem.Set("generic/tok_00000000000000a1", "4321"))
	mem.FailWith = secretstore.ErrLocked
	list, err := v.List("")
	require.NoError(t, err)
	require.Equal(t, Fingerprint("4321"), list[0].Fingerprint)
	mem.FailWith = nil
	list, err = v.List("")
	require.NoError(t, err)
	require.Equal(t, Fingerprint("4321"), list[0].Fingerprint, "one try per process: a locked keyring is not asked again on every request")
	next := New(v.Secrets, v.Index) // the next host process
	list, err = next.List("")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(list[0].Fingerprint, "k1:"))
}

// A lost key is replaced, and every generic entry is fingerprinted again
// with the new one, so duplicates are still recognised.
func TestLostFingerprintKeyRekeys(t *testing.T) {
	v, mem := newTestVault(t)
	first, _, err := v.Store(StoreInput{Provider: ProviderGeneric, Secret: "hunter2"})
	require.NoError(t, err)
	old := keyFrom(t, mem)
	require.NoError(t, mem.Delete(FingerprintKeyItem))

	_, _, err = v.Store(StoreInput{Provider: ProviderGeneric, Secret: "another secret"})
	require.NoError(t, err)
	key := keyFrom(t, mem)
	require.NotEqual(t, old, key)
	got, err := v.Token(first.ID)
	require.NoError(t, err)
	require.Equal(t, hmacPrefix(key, "hunter2"), got.Fingerprint)
	again, created, err := v.Store(StoreInput{Provider: ProviderGeneric, Secret: "hunter2"})
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, first.ID, again.ID)
}

func TestDamagedFingerprintKeyIsNamed(t *testing.T) {
	v, mem := newTestVault(t)
	require.NoError(t, mem.Set(FingerprintKeyItem, "not hex"))
	_, _, err := v.Store(StoreInput{Provider: ProviderGeneric, Secret: "hunter2"})
	require.ErrorContains(t, err, "secret-tool clear service tokenbridge username "+FingerprintKeyItem)
	require.Equal(t, 1, mem.Len(), "nothing stored")
}

// A generic keyring item adopted by doctor ends up with a keyed
// fingerprint and a short mask (by the next read at the latest), and the
// fingerprint key item is never taken for a token.
func TestDoctorAdoptedGenericIsKeyed(t *testing.T) {
	v, mem := newTestVault(t)
	_, _, err := v.Store(StoreInput{Provider: ProviderGeneric, Secret: "first secret"})
	require.NoError(t, err)
	require.NoError(t, mem.Set("generic/tok_00000000000000c1", "orphan-secret-0123456789WXYZ"))
	_, err = v.Doctor(DoctorOptions{Repair: true})
	require.NoError(t, err)
	list, err := v.List(ProviderGeneric)
	require.NoError(t, err)
	require.Len(t, list, 2, "the orphan is adopted, the fingerprint key is not")
	key := keyFrom(t, mem)
	for _, tk := range list {
		require.True(t, strings.HasPrefix(tk.Fingerprint, "k1:"), tk.ID)
		if tk.ID == "tok_00000000000000c1" {
			require.Equal(t, hmacPrefix(key, "orphan-secret-0123456789WXYZ"), tk.Fingerprint)
			require.Equal(t, "••••…WXYZ", tk.Masked)
		}
	}
}

type countingStore struct {
	*secretstore.Memory
	gets int
}

func (c *countingStore) Get(k string) (string, error) { c.gets++; return c.Memory.Get(k) }

// An entry that cannot be migrated (its secret is gone) costs one attempt
// per process, not a keyring call and an index write on every read.
func TestUnmigratableEntryTriedOncePerProcess(t *testing.T) {
	v, mem := newTestVault(t)
	cs := &countingStore{Memory: mem}
	v.Secrets = cs
	require.NoError(t, v.Index.Update(func(d *index.Data) error {
		d.Tokens = []index.Token{{ID: "tok_00000000000000a3", Provider: ProviderGeneric, Label: "gone", Kind: KindUnknown, Fingerprint: Fingerprint("lost")}}
		return nil
	}))
	_, err := v.List("")
	require.NoError(t, err)
	before, err := os.Stat(v.Index.Path())
	require.NoError(t, err)
	gets := cs.gets
	for i := 0; i < 3; i++ {
		list, err := v.List("")
		require.NoError(t, err)
		require.Equal(t, Fingerprint("lost"), list[0].Fingerprint)
	}
	after, err := os.Stat(v.Index.Path())
	require.NoError(t, err)
	require.Equal(t, before.ModTime(), after.ModTime(), "no index rewrite")
	require.Equal(t, gets, cs.gets, "no keyring call")
}
