package moex

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/filelock"
	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/moex/keycloakfake"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

const (
	testSecret   = "s3cr3t-client-secret"
	testPassword = "pa55-word"
)

// memLock is an in-process stand-in for filelock in unit tests.
type memLock struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (l *memLock) Lock(path string) (func() error, error) {
	l.mu.Lock()
	if l.locks == nil {
		l.locks = map[string]*sync.Mutex{}
	}
	mu := l.locks[path]
	if mu == nil {
		mu = &sync.Mutex{}
		l.locks[path] = mu
	}
	l.mu.Unlock()
	mu.Lock()
	return func() error { mu.Unlock(); return nil }, nil
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	kc    *keycloakfake.Server
	m     *Manager
	store *secretstore.Memory
	clock *clock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	kc := keycloakfake.New()
	t.Cleanup(kc.Close)
	kc.AddClient("test_api", keycloakfake.Client{Secret: testSecret})
	kc.AddUser("trader", keycloakfake.User{Password: testPassword, Name: "Ivan Petrov"})
	kc.SetTTL(300*time.Second, 3600*time.Second)
	c := &clock{t: time.Now()}
	store := secretstore.NewMemory()
	m := &Manager{
		Secrets:  store,
		Profiles: &MemoryProfiles{},
		LockDir:  t.TempDir(),
		Lock:     (&memLock{}).Lock,
		Now:      c.Now,
		Log:      zerolog.Nop(),
	}
	return &fixture{kc: kc, m: m, store: store, clock: c}
}

func (f *fixture) addPassword(t *testing.T, name string, mod func(*Profile)) {
	t.Helper()
	p := Profile{Name: name, Env: EnvPlay, Grant: GrantPassword, ClientID: "test_api", Username: "trader", TokenURL: f.kc.TokenURL()}
	if mod != nil {
		mod(&p)
	}
	require.NoError(t, f.m.Add(p, Credentials{ClientSecret: testSecret, Password: testPassword}, false))
}

func (f *fixture) secret(t *testing.T, key string) string {
	t.Helper()
	v, err := f.store.Get(key)
	if err == secretstore.ErrNotFound {
		return ""
	}
	require.NoError(t, err)
	return v
}

func TestPasswordGrantSendsExactFieldsAndCaches(t *testing.T) {
	f := newFixture(t)
	f.addPassword(t, "main", func(p *Profile) { p.Scope = "openid profile" })

	tok, err := f.m.Token(context.Background(), "main", TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, "grant", tok.Source)
	require.NotEmpty(t, f.secret(t, "moex/main/refresh_token"), "the grant's refresh token is kept")
	require.Equal(t, "Bearer", tok.TokenType)

	reqs := f.kc.Requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, "POST", r.Method)
	require.Equal(t, keycloakfake.TokenPath, r.Path)
	require.False(t, r.HasBasic)
	require.Equal(t, map[string][]string{
		"grant_type": {"password"}, "username": {"trader"}, "password": {testPassword},
		"scope": {"openid profile"}, "client_id": {"test_api"}, "client_secret": {testSecret},
	}, map[string][]string(r.Form))

	// Each secret in its own keyring item.
	require.Equal(t, tok.AccessToken, f.secret(t, "moex/main/access_token"))
	require.NotEmpty(t, f.secret(t, "moex/main/refresh_token"))
	require.Equal(t, testSecret, f.secret(t, "moex/main/client_secret"))
	require.Equal(t, testPassword, f.secret(t, "moex/main/password"))

	// Metadata: absolute expiries.
	p, err := f.m.Get("main")
	require.NoError(t, err)
	require.WithinDuration(t, f.clock.Now().Add(300*time.Second), p.AccessExpiresAt, time.Second)
	require.WithinDuration(t, f.clock.Now().Add(3600*time.Second), p.RefreshExpiresAt, time.Second)
	require.Equal(t, StatusOK, p.Status(f.clock.Now()))

	// Cached: no new request.
	tok2, err := f.m.Token(context.Background(), "main", TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, "cache", tok2.Source)
	require.Equal(t, tok.AccessToken, tok2.AccessToken)
	require.Len(t, f.kc.Requests(), 1)
}

func TestBasicAuthStyle(t *testing.T) {
	f := newFixture(t)
	f.kc.AddClient("basic_only", keycloakfake.Client{Secret: testSecret, AcceptBasic: true})
	f.addPassword(t, "b", func(p *Profile) { p.ClientID = "basic_only"; p.AuthStyle = AuthBasic })
	_, err := f.m.Token(context.Background(), "b", TokenOptions{})
	require.NoError(t, err)
	r := f.kc.Requests()[0]
	require.True(t, r.HasBasic)
	require.Equal(t, "basic_only", r.BasicUser)
	require.Equal(t, testSecret, r.BasicPass)
	require.Empty(t, r.Form.Get("client_secret"))
	require.Empty(t, r.Form.Get("client_id"))
}

func TestFormOnlyClientRejectsBasicOnce(t *testing.T) {
	f := newFixture(t)
	f.kc.AddClient("form_only", keycloakfake.Client{Secret: testSecret, AcceptForm: true})
	f.addPassword(t, "b", func(p *Profile) { p.ClientID = "form_only"; p.AuthStyle = AuthBasic })
	_, err := f.m.Token(context.Background(), "b", TokenOptions{})
	require.Equal(t, CodeBadClient, ErrorCode(err))
	require.Len(t, f.kc.Requests(), 1, "no auth-style probing: a failed login is sent once")
}

func TestWrongClientSecretSentOnceAndExplained(t *testing.T) {
	f := newFixture(t)
	p := Profile{Name: "bad", Env: EnvPlay, Grant: GrantPassword, ClientID: "test_api", Username: "trader", TokenURL: f.kc.TokenURL()}
	require.NoError(t, f.m.Add(p, Credentials{ClientSecret: "wrong-secret-xyz", Password: testPassword}, false))
	_, err := f.m.Token(context.Background(), "bad", TokenOptions{})
	require.Error(t, err)
	require.Equal(t, CodeBadClient, ErrorCode(err))
	require.Contains(t, err.Error(), "unauthorized_client")
	require.Contains(t, err.Error(), "client_secret")
	require.NotContains(t, err.Error(), "wrong-secret-xyz")
	require.NotContains(t, err.Error(), testPassword)
	reqs := f.kc.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, 401, reqs[0].Status)
}

func TestOTPRequired(t *testing.T) {
	f := newFixture(t)
	f.kc.AddUser("otpuser", keycloakfake.User{Password: testPassword, OTP: "123456"})
	f.addPassword(t, "otp", func(p *Profile) { p.Username = "otpuser" })

	_, err := f.m.Token(context.Background(), "otp", TokenOptions{})
	require.Equal(t, CodeBadCredentials, ErrorCode(err))
	require.Contains(t, err.Error(), "either the password is wrong: enter it again with `tokenbridge moex add otp --force --env play --client-id test_api --username otpuser --token-url "+f.kc.TokenURL()+"`")
	require.Contains(t, err.Error(), "or the account asks for a one-time code: sign in once with `tokenbridge moex token otp --otp CODE`")
	require.NotContains(t, err.Error(), testPassword)
	require.Len(t, f.kc.Requests(), 1)
	require.Empty(t, f.secret(t, "moex/otp/access_token"))

	tok, err := f.m.Token(context.Background(), "otp", TokenOptions{OTP: "123456"})
	require.NoError(t, err)
	require.Equal(t, "grant", tok.Source)
	reqs := f.kc.Requests()
	require.Len(t, reqs, 2)
	require.Equal(t, "123456", reqs[1].Form.Get("otp"))
	require.Equal(t, "password", reqs[1].Form.Get("grant_type"))

	_, err = f.m.Token(context.Background(), "otp", TokenOptions{OTP: "12 34"})
	require.Equal(t, CodeInvalid, ErrorCode(err))
}

func TestWrongPassword(t *testing.T) {
	f := newFixture(t)
	p := Profile{Name: "wp", Env: EnvPlay, Grant: GrantPassword, ClientID: "test_api", Username: "trader", TokenURL: f.kc.TokenURL()}
	require.NoError(t, f.m.Add(p, Credentials{ClientSecret: testSecret, Password: "nope-nope"}, false))
	_, err := f.m.Token(context.Background(), "wp", TokenOptions{})
	require.Equal(t, CodeBadCredentials, ErrorCode(err))
	require.NotContains(t, err.Error(), "nope-nope")
	require.Len(t, f.kc.Requests(), 1)
}

func TestRefreshRotatesAndSaves(t *testing.T) {
	f := newFixture(t)
	f.addPassword(t, "r", nil)
	first, err := f.m.Token(context.Background(), "r", TokenOptions{})
	require.NoError(t, err)
	rt1 := f.secret(t, "moex/r/refresh_token")

	f.clock.Add(250 * time.Second) // access within the 60 s margin; refresh still alive
	tok, err := f.m.Token(context.Background(), "r", TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, "refresh", tok.Source)
	require.NotEqual(t, first.AccessToken, tok.AccessToken)
	rt2 := f.secret(t, "moex/r/refresh_token")
	require.NotEqual(t, rt1, rt2, "the rotated refresh token is saved")
	require.Equal(t, tok.AccessToken, f.secret(t, "moex/r/access_token"))

	reqs := f.kc.Requests()
	require.Len(t, reqs, 2)
	require.Equal(t, map[string][]string{
		"grant_type": {"refresh_token"}, "refresh_token": {rt1},
		"client_id": {"test_api"}, "client_secret": {testSecret},
	}, map[string][]string(reqs[1].Form))
	require.Equal(t, 1, f.kc.Refreshes())
}

// failingSet wraps a store and fails Set for one key while fail is true.
type failingSet struct {
	*secretstore.Memory
	key  string
	fail bool
}

func (s *failingSet) Set(key, secret string) error {
	if s.fail && key == s.key {
		return secretstore.ErrLocked
	}
	return s.Memory.Set(key, secret)
}

func TestRotatedRefreshNotSavedDropsTheSpentOne(t *testing.T) {
	f := newFixture(t)
	fs := &failingSet{Memory: f.store, key: "moex/r/refresh_token"}
	f.m.Secrets = fs
	f.addPassword(t, "r", nil)
	_, err := f.m.Token(context.Background(), "r", TokenOptions{})
	require.NoError(t, err)
	spent := f.secret(t, "moex/r/refresh_token")
	require.NotEmpty(t, spent)

	fs.fail = true
	f.clock.Add(250 * time.Second)
	_, err = f.m.Token(context.Background(), "r", TokenOptions{})
	require.ErrorIs(t, err, secretstore.ErrLocked)
	require.Contains(t, err.Error(), "spent old one was removed")
	require.Contains(t, err.Error(), "tokenbridge moex token r")
	require.NotContains(t, err.Error(), spent)
	require.Empty(t, f.secret(t, "moex/r/refresh_token"), "the spent refresh token must not stay in the keyring")
	p, err := f.m.Get("r")
	require.NoError(t, err)
	require.True(t, p.RefreshExpiresAt.IsZero())

	// The next call signs in again instead of replaying the spent refresh token.
	fs.fail = false
	f.kc.ResetRequests()
	tok, err := f.m.Token(context.Background(), "r", TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, "grant", tok.Source)
	for _, r := range f.kc.Requests() {
		require.NotEqual(t, spent, r.Form.Get("refresh_token"), "spent refresh token replayed")
	}
	require.Len(t, f.kc.Requests(), 1)
}

// failingStore fails every Set and Delete of one key.
type failingStore struct {
	*secretstore.Memory
	key string
}

func (s *failingStore) Set(key, secret string) error {
	if key == s.key {
		return secretstore.ErrUnavailable
	}
	return s.Memory.Set(key, secret)
}

func (s *failingStore) Delete(key string) error {
	if key == s.key {
		return secretstore.ErrUnavailable
	}
	return s.Memory.Delete(key)
}

func TestRotatedRefreshNotSavedNorDeletedSaysLogout(t *testing.T) {
	f := newFixture(t)
	f.addPassword(t, "r", nil)
	_, err := f.m.Token(context.Background(), "r", TokenOptions{})
	require.NoError(t, err)
	f.m.Secrets = &failingStore{Memory: f.store, key: "moex/r/refresh_token"}
	f.clock.Add(250 * time.Second)
	_, err = f.m.Token(context.Background(), "r", TokenOptions{})
	require.ErrorIs(t, err, secretstore.ErrUnavailable)
	require.Contains(t, err.Error(), "tokenbridge moex logout r")
}

// Without rotation the server answers a refresh with the same refresh token: it stays stored and
// keeps working.
func TestRefreshWithoutRotationKeepsTheToken(t *testing.T) {
	f := newFixture(t)
	f.kc.SetRotation(false)
	f.addPassword(t, "r", nil)
	_, err := f.m.Token(context.Background(), "r", TokenOptions{})
	require.NoError(t, err)
	rt := f.secret(t, "moex/r/refresh_token")
	for range 2 {
		f.clock.Add(250 * time.Second)
		tok, err := f.m.Token(context.Background(), "r", TokenOptions{})
		require.NoError(t, err)
		require.Equal(t, "refresh", tok.Source)
		require.Equal(t, rt, f.secret(t, "moex/r/refresh_token"))
	}
	require.Equal(t, 2, f.kc.Refreshes())
	require.Equal(t, 1, f.kc.Grants())
}

func TestReusedRefreshFallsBackToFullGrant(t *testing.T) {
	f := newFixture(t)
	f.addPassword(t, "r", nil)
	_, err := f.m.Token(context.Background(), "r", TokenOptions{})
	require.NoError(t, err)
	spent := f.secret(t, "moex/r/refresh_token")
	f.clock.Add(250 * time.Second)
	_, err = f.m.Token(context.Background(), "r", TokenOptions{})
	require.NoError(t, err)

	// Someone puts the spent refresh token back (e.g. a stale copy).
	require.NoError(t, f.store.Set("moex/r/refresh_token", spent))
	f.clock.Add(250 * time.Second)
	f.kc.ResetRequests()
	tok, err := f.m.Token(context.Background(), "r", TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, "grant", tok.Source)
	reqs := f.kc.Requests()
	require.Len(t, reqs, 2)
	require.Equal(t, "refresh_token", reqs[0].Form.Get("grant_type"))
	require.Equal(t, 400, reqs[0].Status)
	require.Equal(t, "invalid_grant", reqs[0].Error)
	require.Equal(t, "password", reqs[1].Form.Get("grant_type"))
	require.NotEqual(t, spent, f.secret(t, "moex/r/refresh_token"))
}

func TestSessionEndedNeedsOTP(t *testing.T) {
	f := newFixture(t)
	f.kc.AddUser("otpuser", keycloakfake.User{Password: testPassword, OTP: "654321"})
	f.addPassword(t, "s", func(p *Profile) { p.Username = "otpuser" })
	_, err := f.m.Token(context.Background(), "s", TokenOptions{OTP: "654321"})
	require.NoError(t, err)
	f.kc.EndSessions()
	f.clock.Add(250 * time.Second)
	f.kc.ResetRequests()

	_, err = f.m.Token(context.Background(), "s", TokenOptions{})
	require.Equal(t, CodeSessionEnded, ErrorCode(err))
	require.Contains(t, err.Error(), "the session of MOEX profile \"s\" ended and signing in again failed: ")
	require.Contains(t, err.Error(), "`tokenbridge moex token s --otp CODE`")
	require.Contains(t, err.Error(), "--otp CODE")
	reqs := f.kc.Requests()
	require.Len(t, reqs, 2)
	require.Equal(t, "refresh_token", reqs[0].Form.Get("grant_type"))
	require.Equal(t, "password", reqs[1].Form.Get("grant_type"))
	require.Empty(t, f.secret(t, "moex/s/refresh_token"), "the dead refresh token is dropped")

	// Not replayed: the next call goes straight to the full grant.
	f.kc.ResetRequests()
	_, err = f.m.Token(context.Background(), "s", TokenOptions{OTP: "654321"})
	require.NoError(t, err)
	reqs = f.kc.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, "password", reqs[0].Form.Get("grant_type"))
}

func TestExpiredRefreshNotSent(t *testing.T) {
	f := newFixture(t)
	f.addPassword(t, "e", nil)
	_, err := f.m.Token(context.Background(), "e", TokenOptions{})
	require.NoError(t, err)
	f.clock.Add(2 * time.Hour)
	f.kc.ResetRequests()
	tok, err := f.m.Token(context.Background(), "e", TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, "grant", tok.Source)
	reqs := f.kc.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, "password", reqs[0].Form.Get("grant_type"))
}

func TestClientCredentials(t *testing.T) {
	f := newFixture(t)
	p := Profile{Name: "svc", Env: EnvProduction, Grant: GrantClientCredentials, ClientID: "test_api", TokenURL: f.kc.TokenURL()}
	require.NoError(t, f.m.Add(p, Credentials{ClientSecret: testSecret}, false))
	tok, err := f.m.Token(context.Background(), "svc", TokenOptions{})
	require.NoError(t, err)
	require.True(t, tok.RefreshExpiresAt.IsZero())
	require.Equal(t, map[string][]string{
		"grant_type": {"client_credentials"}, "client_id": {"test_api"}, "client_secret": {testSecret},
	}, map[string][]string(f.kc.Requests()[0].Form))
	require.Empty(t, f.secret(t, "moex/svc/refresh_token"))
	c, err := DecodeClaims(tok.AccessToken)
	require.NoError(t, err)
	require.Equal(t, "test_api", c.String("azp"))
}

func TestLegacyPassport(t *testing.T) {
	f := newFixture(t)
	f.addPassword(t, "old", func(p *Profile) { p.Legacy = true; p.TokenURL = f.kc.LegacyTokenURL() })
	tok, err := f.m.Token(context.Background(), "old", TokenOptions{})
	require.NoError(t, err)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, tok.AccessToken)
	require.Equal(t, "client_registration", tok.Scope)
	r := f.kc.Requests()[0]
	require.Equal(t, keycloakfake.LegacyTokenPath, r.Path)
	require.Equal(t, map[string][]string{
		"grant_type": {"passport"}, "username": {"trader"}, "password": {testPassword},
		"client_id": {"test_api"}, "client_secret": {testSecret},
	}, map[string][]string(r.Form))
	p, err := f.m.Get("old")
	require.NoError(t, err)
	require.True(t, p.RefreshExpiresAt.IsZero(), "old format has no refresh_expires_in")

	f.clock.Add(250 * time.Second)
	tok2, err := f.m.Token(context.Background(), "old", TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, "refresh", tok2.Source)

	_, err = DecodeClaims(tok2.AccessToken)
	require.Error(t, err)
}

func TestOfflineRefreshHasNoExpiry(t *testing.T) {
	f := newFixture(t)
	f.addPassword(t, "off", func(p *Profile) { p.Scope = "offline_access" })
	tok, err := f.m.Token(context.Background(), "off", TokenOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, f.secret(t, "moex/off/refresh_token"), "the offline refresh token is kept")
	require.True(t, tok.RefreshExpiresAt.IsZero())
	f.clock.Add(5 * time.Hour)
	tok, err = f.m.Token(context.Background(), "off", TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, "refresh", tok.Source)
}

func TestUnreachable(t *testing.T) {
	f := newFixture(t)
	f.addPassword(t, "u", nil)
	f.kc.Close()
	_, err := f.m.Token(context.Background(), "u", TokenOptions{})
	require.Equal(t, CodeUnreachable, ErrorCode(err))
	require.Contains(t, err.Error(), "cannot reach the MOEX token endpoint")
	require.NotContains(t, err.Error(), testSecret)
}

func TestLargeJWTPairRoundTrips(t *testing.T) {
	f := newFixture(t)
	f.kc.SetPadding(1200)
	f.addPassword(t, "big", nil)
	tok, err := f.m.Token(context.Background(), "big", TokenOptions{})
	require.NoError(t, err)
	rt := f.secret(t, "moex/big/refresh_token")
	require.Greater(t, len(tok.AccessToken)+len(rt), 2560)
	tok2, err := f.m.Token(context.Background(), "big", TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, tok.AccessToken, tok2.AccessToken)
}

func TestConcurrentCallersRefreshOnce(t *testing.T) {
	f := newFixture(t)
	f.addPassword(t, "c", nil)
	_, err := f.m.Token(context.Background(), "c", TokenOptions{})
	require.NoError(t, err)
	f.clock.Add(250 * time.Second)
	f.kc.SetDelay(20 * time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, err := f.m.Token(context.Background(), "c", TokenOptions{})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, 1, f.kc.Refreshes())
	require.Equal(t, 1, f.kc.Grants())
}

func TestAddValidatesAndRefusesDuplicates(t *testing.T) {
	f := newFixture(t)
	f.addPassword(t, "dup", nil)
	p := Profile{Name: "dup", Env: EnvPlay, Grant: GrantPassword, ClientID: "x", Username: "u", TokenURL: f.kc.TokenURL()}
	err := f.m.Add(p, Credentials{Password: "p"}, false)
	require.Equal(t, CodeExists, ErrorCode(err))
	require.NoError(t, f.m.Add(p, Credentials{Password: "p"}, true))
	got, err := f.m.Get("dup")
	require.NoError(t, err)
	require.Equal(t, "x", got.ClientID)
	require.Empty(t, f.secret(t, "moex/dup/client_secret"), "an empty secret removes the old one")

	err = f.m.Add(Profile{Name: "np", Env: EnvPlay, Grant: GrantPassword, ClientID: "x", Username: "u"}, Credentials{}, false)
	require.Equal(t, CodeInvalid, ErrorCode(err))
	err = f.m.Add(Profile{Name: "np", Env: EnvPlay, Grant: GrantPassword, ClientID: "x", Username: "u"}, Credentials{Password: "a\nb"}, false)
	require.Equal(t, CodeInvalid, ErrorCode(err))

	// Defaults.
	require.NoError(t, f.m.Add(Profile{Name: "prod", Env: EnvProduction, Grant: GrantClientCredentials, ClientID: "x"}, Credentials{ClientSecret: "s"}, false))
	got, err = f.m.Get("prod")
	require.NoError(t, err)
	require.Equal(t, ProductionTokenURL, got.TokenURL)
	require.Equal(t, AuthParams, got.AuthStyle)
	require.NoError(t, f.m.Add(Profile{Name: "lp", Env: EnvPlay, Grant: GrantPassword, Legacy: true, ClientID: "x", Username: "u"}, Credentials{Password: "p"}, false))
	got, err = f.m.Get("lp")
	require.NoError(t, err)
	require.Equal(t, LegacyPlayTokenURL, got.TokenURL)
}

func TestRemoveAndLogout(t *testing.T) {
	f := newFixture(t)
	f.addPassword(t, "x", nil)
	_, err := f.m.Token(context.Background(), "x", TokenOptions{})
	require.NoError(t, err)

	require.NoError(t, f.m.Logout("x"))
	require.Empty(t, f.secret(t, "moex/x/access_token"))
	require.Empty(t, f.secret(t, "moex/x/refresh_token"))
	require.Equal(t, testPassword, f.secret(t, "moex/x/password"))
	p, err := f.m.Get("x")
	require.NoError(t, err)
	require.Equal(t, StatusNoToken, p.Status(f.clock.Now()))

	_, err = f.m.Token(context.Background(), "x", TokenOptions{})
	require.NoError(t, err)
	require.NoError(t, f.m.Remove("x"))
	require.Equal(t, 0, f.store.Len())
	_, err = f.m.Get("x")
	require.Equal(t, CodeNotFound, ErrorCode(err))
	require.Equal(t, CodeNotFound, ErrorCode(f.m.Remove("x")))
	require.Equal(t, CodeNotFound, ErrorCode(f.m.Logout("x")))
	_, err = f.m.Token(context.Background(), "x", TokenOptions{})
	require.Equal(t, CodeNotFound, ErrorCode(err))
}

func TestMigrate(t *testing.T) {
	f := newFixture(t)
	f.kc.AddClient("new_api", keycloakfake.Client{Secret: "new-secret"})
	f.addPassword(t, "m", func(p *Profile) { p.Legacy = true; p.TokenURL = f.kc.LegacyTokenURL() })
	_, err := f.m.Token(context.Background(), "m", TokenOptions{})
	require.NoError(t, err)

	// The old pair does not work on the new endpoint.
	_, err = f.m.Migrate(context.Background(), "m", MigrateOptions{ClientID: "test_api_old", ClientSecret: "old-secret", TokenURL: f.kc.TokenURL()})
	require.Equal(t, CodeBadClient, ErrorCode(err))
	require.Contains(t, err.Error(), "old legacy client_id/client_secret pair does not work there")
	require.NotContains(t, err.Error(), "old-secret")
	p, err := f.m.Get("m")
	require.NoError(t, err)
	require.True(t, p.Legacy, "unchanged after a failed migration")
	require.Equal(t, testSecret, f.secret(t, "moex/m/client_secret"))

	tok, err := f.m.Migrate(context.Background(), "m", MigrateOptions{ClientID: "new_api", ClientSecret: "new-secret", TokenURL: f.kc.TokenURL()})
	require.NoError(t, err)
	c, err := DecodeClaims(tok.AccessToken)
	require.NoError(t, err)
	require.Equal(t, "new_api", c.String("azp"))
	p, err = f.m.Get("m")
	require.NoError(t, err)
	require.False(t, p.Legacy)
	require.Equal(t, "new_api", p.ClientID)
	require.Equal(t, f.kc.TokenURL(), p.TokenURL)
	require.Equal(t, "new-secret", f.secret(t, "moex/m/client_secret"))

	_, err = f.m.Migrate(context.Background(), "m", MigrateOptions{ClientID: "new_api", ClientSecret: "new-secret"})
	require.Equal(t, CodeInvalid, ErrorCode(err))
}

func TestValidation(t *testing.T) {
	for _, n := range []string{"a", "main", "play-1", "x_y", strings.Repeat("a", 40)} {
		require.NoError(t, ValidateName(n), n)
	}
	for _, n := range []string{"", "-a", "_a", "A", "a b", "a/b", "a.b", strings.Repeat("a", 41), "é", "a\n"} {
		require.Error(t, ValidateName(n), n)
	}
	for _, u := range []string{PlayTokenURL, ProductionTokenURL, LegacyPlayTokenURL, "http://127.0.0.1:8080/t", "http://127.9.9.9/t", "http://[::1]:1/t"} {
		require.NoError(t, ValidateTokenURL(u), u)
	}
	for _, u := range []string{"", "sso.moex.com/token", "http://sso.moex.com/t", "ftp://x/y", "https://user:pw@sso.moex.com/t",
		"https://sso.moex.com/t?client_secret=x", "https://sso.moex.com/t#f", "http://127.0.0.1.evil.com/t", "http://localhost/t", "http://LOCALHOST:8080/t", "http://localhost./t", "http://any-host/t", "http://10.0.0.1/t", "https:///t", "javascript:alert(1)"} {
		require.Error(t, ValidateTokenURL(u), u)
	}
	bad := []Profile{
		{Name: "a", Env: "test", Grant: GrantPassword, ClientID: "c", Username: "u", TokenURL: PlayTokenURL},
		{Name: "a", Env: EnvPlay, Grant: "implicit", ClientID: "c", TokenURL: PlayTokenURL},
		{Name: "a", Env: EnvPlay, Grant: GrantPassword, ClientID: "c", TokenURL: PlayTokenURL},
		{Name: "a", Env: EnvPlay, Grant: GrantClientCredentials, ClientID: "c", Username: "u", TokenURL: PlayTokenURL},
		{Name: "a", Env: EnvPlay, Grant: GrantClientCredentials, ClientID: "c", Legacy: true, TokenURL: PlayTokenURL},
		{Name: "a", Env: EnvPlay, Grant: GrantClientCredentials, ClientID: "", TokenURL: PlayTokenURL},
		{Name: "a", Env: EnvPlay, Grant: GrantClientCredentials, ClientID: "c\x01", TokenURL: PlayTokenURL},
		{Name: "a", Env: EnvPlay, Grant: GrantClientCredentials, ClientID: "c", AuthStyle: "auto", TokenURL: PlayTokenURL},
	}
	for i, p := range bad {
		require.Equal(t, CodeInvalid, ErrorCode(p.Validate()), i)
	}
}

func TestDecodeClaims(t *testing.T) {
	kc := keycloakfake.New()
	defer kc.Close()
	tok := kc.MakeJWT(map[string]any{"exp": 1669975141, "iat": 1669971541, "iss": "https://sso.moex.com/auth/realms/SSO", "azp": "test_api", "sub": "f:x:90196", "scope": "profile email"})
	c, err := DecodeClaims(tok)
	require.NoError(t, err)
	exp, ok := c.Time("exp")
	require.True(t, ok)
	require.Equal(t, time.Unix(1669975141, 0).UTC(), exp)
	require.Equal(t, "test_api", c.String("azp"))
	for _, bad := range []string{"", "abc", "a.b", "a.!!!.c", "a." + "bm90IGpzb24" + ".c", strings.Repeat("a", 70000)} {
		_, err := DecodeClaims(bad)
		require.Error(t, err, bad)
	}
}

func TestIndexProfilesRoundTrip(t *testing.T) {
	f := newFixture(t)
	f.m.Profiles = IndexProfiles{File: index.Open(filepath.Join(t.TempDir(), "index.json"))}
	f.m.Lock = filelock.Lock
	f.addPassword(t, "idx", func(p *Profile) { p.Scope = "profile" })
	tok, err := f.m.Token(context.Background(), "idx", TokenOptions{})
	require.NoError(t, err)
	p, err := f.m.Get("idx")
	require.NoError(t, err)
	require.Equal(t, "profile", p.Scope)
	require.Equal(t, f.kc.TokenURL(), p.TokenURL)
	require.Equal(t, tok.AccessExpiresAt.UTC(), p.AccessExpiresAt)
	require.False(t, p.ObtainedAt.IsZero())
	tok2, err := f.m.Token(context.Background(), "idx", TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, "cache", tok2.Source)
	require.NoError(t, f.m.Remove("idx"))
	ps, err := f.m.List()
	require.NoError(t, err)
	require.Empty(t, ps)
}

// countingStore counts the reads of each keyring item.
type countingStore struct {
	*secretstore.Memory
	gets map[string]int
}

func (s *countingStore) Get(key string) (string, error) {
	s.gets[key]++
	return s.Memory.Get(key)
}

// A cached access token is answered from the access item alone: the
// refresh token (and every other secret) is not read.
func TestCachedTokenReadsOnlyTheAccessItem(t *testing.T) {
	f := newFixture(t)
	f.addPassword(t, "main", nil)
	_, err := f.m.Token(context.Background(), "main", TokenOptions{})
	require.NoError(t, err)
	cs := &countingStore{Memory: f.store, gets: map[string]int{}}
	f.m.Secrets = cs
	tok, err := f.m.Token(context.Background(), "main", TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, "cache", tok.Source)
	require.Equal(t, map[string]int{"moex/main/access_token": 1}, cs.gets)
}
