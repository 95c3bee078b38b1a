package vault

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/filelock"
	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/moex/keycloakfake"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

const (
	kcSecret   = "s3cr3t-client-secret"
	kcPassword = "pa55-word"
)

// doctorFixture is a vault and a MOEX manager on one index and one keyring, holding tokens
// with labels, kinds, validation and uses, and MOEX profiles, one with cached tokens.
type doctorFixture struct {
	v      *Vault
	m      *moex.Manager
	tokens []index.Token
	moex   []moex.Profile
}

func newDoctorFixture(t *testing.T, store secretstore.Store) *doctorFixture {
	t.Helper()
	dir := t.TempDir()
	v := New(store, index.Open(filepath.Join(dir, "index.json")))
	kc := keycloakfake.New()
	t.Cleanup(kc.Close)
	kc.AddClient("test_api", keycloakfake.Client{Secret: kcSecret})
	kc.AddUser("trader", keycloakfake.User{Password: kcPassword})
	m := &moex.Manager{Secrets: store, Profiles: moex.IndexProfiles{File: v.Index}, LockDir: filepath.Join(dir, "locks"),
		Lock: filelock.Lock, Log: zerolog.Nop()}
	t.Cleanup(func() {
		for _, n := range []string{"main", "svc", "public"} {
			_ = m.Remove(n)
		}
		toks, _ := v.List("")
		for _, tok := range toks {
			_ = v.Delete(tok.ID)
		}
	})

	salt := time.Now().UnixNano() % 1e6
	for i, in := range []StoreInput{
		{Provider: ProviderTInvest, Secret: testToken(int(salt)*10 + 1), Label: "робот / robot", Kind: KindFullAccess, Scope: index.Scope{AllAccounts: true}, SourceOrigin: "https://www.tbank.ru"},
		{Provider: ProviderTInvest, Secret: testToken(int(salt)*10 + 2), Label: "read only", Kind: KindReadonly},
		{Provider: ProviderGeneric, Secret: fmt.Sprintf("generic-secret-%d-0123456789", salt), Label: "generic", Kind: KindUnknown},
		{Provider: ProviderTInvest, Secret: testToken(int(salt)*10 + 4), Label: "sandbox", Kind: KindSandbox},
	} {
		tok, _, err := v.Store(in)
		require.NoError(t, err, i)
		if i == 0 {
			require.NoError(t, v.Index.Update(func(d *index.Data) error {
				j := d.TokenByID(tok.ID)
				d.Tokens[j].Validation = &index.Validation{Result: "full_access", CheckedAt: time.Unix(1_800_000_000, 0).UTC(), Accounts: []index.Account{{ID: "2000", Name: "ИИС"}}}
				d.Tokens[j].UsedBy = []index.Use{{Origin: "https://www.tbank.ru", At: time.Unix(1_800_000_100, 0).UTC()}}
				return nil
			}))
		}
	}
	for _, a := range []struct {
		p    moex.Profile
		cred moex.Credentials
	}{
		{moex.Profile{Name: "main", Env: moex.EnvPlay, Grant: moex.GrantPassword, ClientID: "test_api", Username: "trader", Scope: "openid", TokenURL: kc.TokenURL()}, moex.Credentials{ClientSecret: kcSecret, Password: kcPassword}},
		{moex.Profile{Name: "svc", Env: moex.EnvProduction, Grant: moex.GrantClientCredentials, ClientID: "test_api", AuthStyle: moex.AuthBasic, TokenURL: kc.TokenURL()}, moex.Credentials{ClientSecret: kcSecret}},
		{moex.Profile{Name: "public", Env: moex.EnvPlay, Grant: moex.GrantPassword, ClientID: "pub", Username: "trader", Legacy: true}, moex.Credentials{Password: kcPassword}},
	} {
		require.NoError(t, m.Add(a.p, a.cred, false))
	}
	_, err := m.Token(context.Background(), "main", moex.TokenOptions{})
	require.NoError(t, err)

	f := &doctorFixture{v: v, m: m}
	f.tokens, err = v.List("")
	require.NoError(t, err)
	require.Len(t, f.tokens, 4)
	f.moex, err = m.List()
	require.NoError(t, err)
	require.Len(t, f.moex, 3)
	require.False(t, f.moex[0].AccessExpiresAt.IsZero(), "main has cached tokens")
	return f
}

// settings is a profile without its token metadata (what its keyring settings item keeps).
func settings(p moex.Profile) moex.Profile {
	p.ObtainedAt, p.AccessExpiresAt, p.RefreshExpiresAt, p.TokenType, p.TokenScope = time.Time{}, time.Time{}, time.Time{}, "", ""
	return p
}

// A damaged index.json is rebuilt without losing anything: from what can be read of it,
// its last-good copy and the keyring. `doctor --check` tells what a repair restores and
// changes nothing; a rebuild that would lose entries waits for --force.
func TestDoctorRebuildsEveryDamage(t *testing.T) {
	runDoctorRebuild(t, func(t *testing.T) secretstore.Store { return secretstore.NewMemory() })
}

// The same through the real Secret Service (scripts/with-keyring.sh). The store only lists the
// items this test made: other packages' tests share the session's keyring.
func TestRealKeyringDoctorRebuildsDamagedIndex(t *testing.T) {
	if os.Getenv("TOKENBRIDGE_TEST_KEYRING") == "" && os.Getenv("CI") == "" {
		t.Skip("real keyring tests run under scripts/with-keyring.sh (TOKENBRIDGE_TEST_KEYRING=1)")
	}
	runDoctorRebuild(t, func(t *testing.T) secretstore.Store {
		s := &ownItems{Store: secretstore.Open(), made: map[string]bool{}}
		probe := fmt.Sprintf("test/doctor-probe-%d", time.Now().UnixNano())
		require.NoError(t, s.Set(probe, "probe"), "a real unlocked Secret Service is required: run via scripts/with-keyring.sh")
		require.NoError(t, s.Delete(probe))
		return s
	})
}

// ownItems is a real keyring whose List shows only the items made through it.
type ownItems struct {
	secretstore.Store
	mu   sync.Mutex
	made map[string]bool
}

func (o *ownItems) Set(k, v string) error {
	o.mu.Lock()
	o.made[k] = true
	o.mu.Unlock()
	return o.Store.Set(k, v)
}

func (o *ownItems) List() ([]string, error) {
	all, err := o.Store.(secretstore.Lister).List()
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, k := range all {
		if o.made[k] {
			out = append(out, k)
		}
	}
	return out, nil
}

func runDoctorRebuild(t *testing.T, newStore func(*testing.T) secretstore.Store) {
	tests := []struct {
		name     string
		damage   func(whole []byte) []byte
		noCopy   bool // the last-good copy is gone too
		force    bool // the rebuild needs --force
		exact    bool // every entry back exactly as it was (else: see below)
		readable int  // without a copy: the tokens the damaged file still holds
	}{
		{name: "truncated", damage: func(b []byte) []byte { return b[:len(b)/2] }, exact: true},
		{name: "truncated to a few bytes", damage: func(b []byte) []byte { return b[:12] }, exact: true},
		{name: "garbage", damage: func([]byte) []byte { return []byte("\x00\xffnot json at all") }, exact: true},
		{name: "empty", damage: func([]byte) []byte { return nil }, exact: true},
		{name: "wrong version type", damage: func(b []byte) []byte { return bytes.Replace(b, []byte(`"version": 1`), []byte(`"version": "1"`), 1) }, exact: true},
		{name: "wrong version type, no copy", damage: func(b []byte) []byte { return bytes.Replace(b, []byte(`"version": 1`), []byte(`"version": "1"`), 1) }, noCopy: true, exact: true},
		{name: "newer version", damage: func(b []byte) []byte { return bytes.Replace(b, []byte(`"version": 1`), []byte(`"version": 99`), 1) }, force: true, exact: true},
		{name: "moex section damaged", damage: func(b []byte) []byte {
			i := bytes.Index(b, []byte(`"moex": [`))
			return append(append([]byte(nil), b[:i]...), []byte(`"moex": {"name": 5}}`)...)
		}, exact: true},
		{name: "truncated, no copy", damage: func(b []byte) []byte {
			i := bytes.Index(b, []byte(`"id": "tok_`))
			i += bytes.Index(b[i+1:], []byte(`"id": "tok_`)) + 1 // cut inside the second token
			return b[:i+10]
		}, noCopy: true, force: true, readable: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDoctorFixture(t, newStore(t))
			whole, err := os.ReadFile(f.v.Index.Path())
			require.NoError(t, err)
			damaged := tt.damage(whole)
			require.NoError(t, os.WriteFile(f.v.Index.Path(), damaged, 0o600))
			if tt.noCopy {
				require.NoError(t, os.Remove(f.v.Index.BackupPath()))
			}
			_, verr := f.v.List("")
			_, merr := f.m.List()
			require.True(t, verr != nil || merr != nil, "the index is damaged")
			unchanged := func() {
				t.Helper()
				b, err := os.ReadFile(f.v.Index.Path())
				require.NoError(t, err)
				require.Equal(t, string(damaged), string(b))
				aside, _ := filepath.Glob(f.v.Index.Path() + ".damaged-*")
				require.Empty(t, aside)
			}

			// --check: says what a repair restores, changes nothing.
			problems, err := f.v.Doctor(DoctorOptions{})
			require.NoError(t, err)
			unchanged()
			head := findProblem(t, problems, f.v.Index.Path())
			require.False(t, head.Repaired)
			require.Contains(t, head.Fix, "a repair")
			if tt.exact {
				for _, tok := range f.tokens {
					require.Contains(t, findProblem(t, problems, tok.ID).Problem, "«"+tok.Label+"»")
				}
				for _, p := range f.moex {
					require.Contains(t, findProblem(t, problems, "moex/"+p.Name).Problem, "a repair restores: MOEX profile "+p.Name)
				}
			}

			if tt.force {
				problems, err = f.v.Doctor(DoctorOptions{Repair: true})
				require.NoError(t, err)
				unchanged()
				require.Contains(t, findProblem(t, problems, f.v.Index.Path()).Fix, "--force")
			}
			problems, err = f.v.Doctor(DoctorOptions{Repair: true, Force: tt.force})
			require.NoError(t, err)
			require.True(t, findProblem(t, problems, f.v.Index.Path()).Repaired, "%+v", problems)
			aside, err := filepath.Glob(f.v.Index.Path() + ".damaged-*")
			require.NoError(t, err)
			require.Len(t, aside, 1)
			kept, err := os.ReadFile(aside[0])
			require.NoError(t, err)
			require.Equal(t, string(damaged), string(kept), "the damaged file is moved aside, not lost")

			toks, err := f.v.List("")
			require.NoError(t, err)
			ps, err := f.m.List()
			require.NoError(t, err)
			if tt.exact {
				require.Equal(t, f.tokens, toks)
				require.Equal(t, f.moex, ps)
			} else {
				// Without a copy: the tokens the damaged file still holds come back whole, the
				// others are adopted from the keyring; every MOEX profile is rebuilt from its
				// settings item (its token status starts again).
				require.Len(t, toks, len(f.tokens))
				for i, want := range f.tokens {
					got, err := f.v.Token(want.ID)
					require.NoError(t, err)
					if i < tt.readable {
						require.Equal(t, want, got)
					} else {
						require.Contains(t, got.Label, "recovered")
					}
				}
				require.Len(t, ps, len(f.moex))
				for _, want := range f.moex {
					got, err := f.m.Get(want.Name)
					require.NoError(t, err)
					require.Equal(t, settings(want), got)
				}
			}
			// Healthy now: a second run finds nothing to repair, and the tokens still work.
			problems, err = f.v.Doctor(DoctorOptions{Repair: true})
			require.NoError(t, err)
			for _, p := range problems {
				require.True(t, p.Note, "%+v", p)
			}
			_, err = f.m.Token(context.Background(), "main", moex.TokenOptions{})
			require.NoError(t, err)
			for _, want := range f.tokens {
				_, _, err := f.v.Secret(want.ID)
				require.NoError(t, err)
			}
		})
	}
}

func findProblem(t *testing.T, problems []Problem, key string) Problem {
	t.Helper()
	for _, p := range problems {
		if p.Key == key {
			return p
		}
	}
	require.Failf(t, "no finding", "for %s in %+v", key, problems)
	return Problem{}
}

func TestDoctorSayWhatIsLost(t *testing.T) {
	f := newDoctorFixture(t, secretstore.NewMemory())
	require.NoError(t, os.WriteFile(f.v.Index.Path(), []byte(`{"version":1,"tokens":[{"id":"tok_`), 0o600))
	require.NoError(t, os.Remove(f.v.Index.BackupPath()))
	problems, err := f.v.Doctor(DoctorOptions{})
	require.NoError(t, err)
	head := findProblem(t, problems, f.v.Index.Path())
	require.Contains(t, head.Fix, "cannot be read (bytes 23 to 34)")
	require.Contains(t, head.Fix, "there is no last-good copy")
	require.Contains(t, head.Fix, "`tokenbridge doctor --force`")
	require.True(t, strings.HasPrefix(head.Problem, index.ErrDamaged.Error()), head.Problem)
	// The rest of what a forced repair does: adopt each token from the keyring, rebuild each
	// MOEX profile from its settings item.
	for _, tok := range f.tokens {
		p := findProblem(t, problems, SecretKey(tok))
		require.False(t, p.Repaired)
		require.Contains(t, p.Fix, "recovered")
	}
	for _, p := range f.moex {
		got := findProblem(t, problems, "moex/"+p.Name)
		require.False(t, got.Repaired)
		require.Contains(t, got.Fix, "rebuilt from its settings item moex/"+p.Name+"/profile")
	}
}

// Two repairs of a damaged index in the same second keep both damaged files.
func TestDoctorKeepsEveryDamagedFile(t *testing.T) {
	v, _ := newTestVault(t)
	now := time.Unix(1_800_000_000, 0).UTC()
	v.Now = func() time.Time { return now }
	_, _, err := v.Store(StoreInput{Provider: ProviderTInvest, Secret: testToken(31)})
	require.NoError(t, err)
	for _, damage := range []string{"first damage", "second damage"} {
		require.NoError(t, os.WriteFile(v.Index.Path(), []byte(damage), 0o600))
		_, err := v.Doctor(DoctorOptions{Repair: true})
		require.NoError(t, err)
	}
	aside, err := filepath.Glob(v.Index.Path() + ".damaged-*")
	require.NoError(t, err)
	require.Len(t, aside, 2)
	var kept []string
	for _, p := range aside {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		kept = append(kept, string(b))
	}
	require.ElementsMatch(t, []string{"first damage", "second damage"}, kept)
}
