// Package keycloakfake is a local, in-memory imitation of the MOEX token endpoints for tests:
// the new Keycloak OpenID Connect endpoint (realm SSO) and the old "passport" endpoint.
//
// It follows /work/shared/reference/moex-sso.md: form-encoded requests, client authentication by
// HTTP Basic and/or form fields (configurable), the grants password (with an optional one-time
// code in "otp"), client_credentials and refresh_token, JWT tokens in the new format and UUID
// tokens in the old one, refresh-token rotation with reuse detection, and Keycloak's error
// statuses and bodies. Every request is recorded so tests can assert exactly what was sent.
//
// The JWTs decode like Keycloak's (the access token claims an RS256 header) but are signed
// with HMAC-SHA256 by a per-server random key: this is a fake, not a security boundary.
package keycloakfake

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Paths served by the fake.
const (
	// TokenPath is Keycloak's token endpoint for realm SSO (the new MOEX endpoint).
	TokenPath = "/auth/realms/SSO/protocol/openid-connect/token"
	// LegacyTokenPath is the old MOEX endpoint (grant_type=passport, UUID tokens).
	LegacyTokenPath = "/auth/oauth/v2/token"
)

// Client is a registered OAuth client.
type Client struct {
	Secret string
	// AcceptBasic and AcceptForm choose how the client may authenticate: by an
	// "Authorization: Basic" header, by client_id/client_secret form fields, or both.
	// Both false means both true.
	AcceptBasic bool
	AcceptForm  bool
	// RefreshForClientCredentials makes the client_credentials grant return a refresh token
	// (Keycloak's "use refresh tokens for client credentials grant").
	RefreshForClientCredentials bool
}

// User is a MOEX Passport account.
type User struct {
	Password string
	// OTP, when set, is the one-time code the account requires (field "otp").
	OTP   string
	Name  string
	Email string
}

// Request is one recorded call to the fake.
type Request struct {
	Method    string
	Path      string
	Form      url.Values
	HasBasic  bool
	BasicUser string
	BasicPass string
	// Status and Error are what the fake answered.
	Status int
	Error  string
}

type session struct {
	id        string
	username  string // empty for client_credentials
	clientID  string
	scope     string
	active    bool
	currentRT string // jti of the newest refresh token
	usedRT    map[string]bool
	offline   bool
	legacy    bool
}

// Server is the fake token endpoint.
type Server struct {
	*httptest.Server

	mu sync.Mutex
	// Configuration; set before use or under Lock via the setters.
	clients map[string]Client
	users   map[string]User
	// AccessTTL and RefreshTTL are the token lifetimes (defaults 3599 s).
	accessTTL  time.Duration
	refreshTTL time.Duration
	rotate     bool
	pad        int
	delay      time.Duration

	key      []byte
	sessions map[string]*session
	legacyRT map[string]string // legacy refresh UUID -> session id
	requests []Request
	// refreshes counts successful refresh_token grants.
	refreshes int
	grants    int
}

// New starts a fake on a loopback address. Rotation with reuse detection is on by default.
func New() *Server {
	s := &Server{
		clients:    map[string]Client{},
		users:      map[string]User{},
		accessTTL:  3599 * time.Second,
		refreshTTL: 3599 * time.Second,
		rotate:     true,
		key:        randomBytes(32),
		sessions:   map[string]*session{},
		legacyRT:   map[string]string{},
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// TokenURL is the new-format endpoint URL.
func (s *Server) TokenURL() string { return s.URL + TokenPath }

// LegacyTokenURL is the old-format endpoint URL.
func (s *Server) LegacyTokenURL() string { return s.URL + LegacyTokenPath }

// AddClient registers a client.
func (s *Server) AddClient(id string, c Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[id] = c
}

// AddUser registers a user.
func (s *Server) AddUser(name string, u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[name] = u
}

// SetTTL sets access and refresh token lifetimes; a zero refresh TTL gives offline-like
// refresh tokens (refresh_expires_in 0).
func (s *Server) SetTTL(access, refresh time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accessTTL, s.refreshTTL = access, refresh
}

// SetRotation turns refresh-token rotation (and reuse detection) on or off.
func (s *Server) SetRotation(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rotate = on
}

// SetPadding adds a claim of n bytes to every JWT (to make large tokens).
func (s *Server) SetPadding(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pad = n
}

// SetDelay makes every answer wait d (to widen race windows in tests).
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Requests returns a copy of the recorded requests.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// Refreshes counts successful refresh_token grants; Grants counts successful other grants.
func (s *Server) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes
}

// Grants counts successful password, client_credentials and passport grants.
func (s *Server) Grants() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grants
}

// EndSessions ends every session (like an admin logout): later refreshes get "Session not active".
func (s *Server) EndSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ss := range s.sessions {
		ss.active = false
	}
}

type oauthError struct {
	status int
	code   string
	desc   string
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}

	rec := Request{Method: r.Method, Path: r.URL.Path}
	user, pass, hasBasic := r.BasicAuth()
	if hasBasic {
		// Keycloak URL-decodes Basic credentials (RFC 6749 section 2.3.1).
		if u, err := url.QueryUnescape(user); err == nil {
			user = u
		}
		if p, err := url.QueryUnescape(pass); err == nil {
			pass = p
		}
		rec.HasBasic, rec.BasicUser, rec.BasicPass = true, user, pass
	}

	var body any
	var oerr *oauthError
	switch {
	case r.URL.Path != TokenPath && r.URL.Path != LegacyTokenPath:
		oerr = &oauthError{http.StatusNotFound, "not_found", "Not Found"}
	case r.Method != http.MethodPost:
		oerr = &oauthError{http.StatusMethodNotAllowed, "invalid_request", "HTTP method not allowed"}
	default:
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct != "application/x-www-form-urlencoded" {
			oerr = &oauthError{http.StatusBadRequest, "invalid_request", "Content-Type must be application/x-www-form-urlencoded"}
			break
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			oerr = &oauthError{http.StatusBadRequest, "invalid_request", "cannot parse form"}
			break
		}
		rec.Form = r.PostForm
		s.mu.Lock()
		body, oerr = s.handle(r.URL.Path == LegacyTokenPath, r.PostForm, user, pass, hasBasic)
		s.mu.Unlock()
	}

	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.Header().Set("Content-Type", "application/json")
	if oerr != nil {
		rec.Status, rec.Error = oerr.status, oerr.code
		w.WriteHeader(oerr.status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": oerr.code, "error_description": oerr.desc})
	} else {
		rec.Status = http.StatusOK
		_ = json.NewEncoder(w).Encode(body)
	}
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.mu.Unlock()
}

var errClient = &oauthError{http.StatusUnauthorized, "unauthorized_client", "Invalid client or Invalid client credentials"}

// handle runs with s.mu held.
func (s *Server) handle(legacy bool, f url.Values, bUser, bPass string, hasBasic bool) (any, *oauthError) {
	// Client authentication.
	clientID, secret := f.Get("client_id"), f.Get("client_secret")
	viaBasic := hasBasic
	if hasBasic {
		if clientID != "" && clientID != bUser {
			return nil, &oauthError{http.StatusBadRequest, "invalid_request", "client_id in body does not match Basic authentication"}
		}
		clientID, secret = bUser, bPass
	}
	if clientID == "" {
		return nil, &oauthError{http.StatusBadRequest, "invalid_client", "Missing client_id parameter"}
	}
	c, ok := s.clients[clientID]
	if !ok {
		return nil, errClient
	}
	acceptBasic, acceptForm := c.AcceptBasic, c.AcceptForm
	if !acceptBasic && !acceptForm {
		acceptBasic, acceptForm = true, true
	}
	if (viaBasic && !acceptBasic) || (!viaBasic && !acceptForm) {
		return nil, errClient
	}
	if !hmac.Equal([]byte(secret), []byte(c.Secret)) {
		return nil, errClient
	}

	grant := f.Get("grant_type")
	switch {
	case grant == "":
		return nil, &oauthError{http.StatusBadRequest, "invalid_request", "Missing form parameter: grant_type"}
	case grant == "refresh_token":
		return s.refresh(legacy, clientID, f.Get("refresh_token"))
	case legacy && grant == "passport":
		return s.passwordGrant(true, clientID, f)
	case !legacy && grant == "password":
		return s.passwordGrant(false, clientID, f)
	case !legacy && grant == "client_credentials":
		return s.clientCredentials(clientID, c, f.Get("scope"))
	default:
		return nil, &oauthError{http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant_type"}
	}
}

func (s *Server) passwordGrant(legacy bool, clientID string, f url.Values) (any, *oauthError) {
	username := f.Get("username")
	if username == "" {
		return nil, &oauthError{http.StatusUnauthorized, "invalid_request", "Missing parameter: username"}
	}
	u, ok := s.users[username]
	badCreds := &oauthError{http.StatusUnauthorized, "invalid_grant", "Invalid user credentials"}
	if !ok || !hmac.Equal([]byte(f.Get("password")), []byte(u.Password)) {
		return nil, badCreds
	}
	if u.OTP != "" && !legacy && !hmac.Equal([]byte(f.Get("otp")), []byte(u.OTP)) {
		return nil, badCreds
	}
	scope := f.Get("scope")
	ss := s.newSession(username, clientID, scope, legacy)
	s.grants++
	return s.issue(ss, true), nil
}

func (s *Server) clientCredentials(clientID string, c Client, scope string) (any, *oauthError) {
	ss := s.newSession("", clientID, scope, false)
	s.grants++
	return s.issue(ss, c.RefreshForClientCredentials), nil
}

func (s *Server) refresh(legacy bool, clientID, rt string) (any, *oauthError) {
	if rt == "" {
		return nil, &oauthError{http.StatusBadRequest, "invalid_request", "Missing form parameter: refresh_token"}
	}
	var ss *session
	var jti string
	if legacy {
		id, ok := s.legacyRT[rt]
		if !ok {
			return nil, &oauthError{http.StatusBadRequest, "invalid_grant", "Invalid refresh token"}
		}
		ss, jti = s.sessions[id], rt
	} else {
		claims, ok := s.verify(rt)
		if !ok {
			return nil, &oauthError{http.StatusBadRequest, "invalid_grant", "Invalid refresh token"}
		}
		typ, _ := claims["typ"].(string)
		if typ != "Refresh" && typ != "Offline" {
			return nil, &oauthError{http.StatusBadRequest, "invalid_grant", "Invalid refresh token"}
		}
		if exp, ok := claims["exp"].(float64); ok && exp > 0 && time.Now().Unix() >= int64(exp) {
			return nil, &oauthError{http.StatusBadRequest, "invalid_grant", "Token is not active"}
		}
		if azp, _ := claims["azp"].(string); azp != clientID {
			return nil, &oauthError{http.StatusBadRequest, "invalid_grant", "Invalid refresh token. Token client and authorized client don't match"}
		}
		sid, _ := claims["sid"].(string)
		jti, _ = claims["jti"].(string)
		ss = s.sessions[sid]
	}
	if ss == nil || !ss.active {
		return nil, &oauthError{http.StatusBadRequest, "invalid_grant", "Session not active"}
	}
	if ss.clientID != clientID {
		return nil, &oauthError{http.StatusBadRequest, "invalid_grant", "Invalid refresh token. Token client and authorized client don't match"}
	}
	if s.rotate && jti != ss.currentRT {
		// A spent refresh token came back: end the whole session.
		ss.active = false
		return nil, &oauthError{http.StatusBadRequest, "invalid_grant", "Maximum allowed refresh token reuse exceeded"}
	}
	s.refreshes++
	if !s.rotate {
		// Without rotation the same refresh token stays valid; answer with a new access token
		// and the same refresh token.
		out := s.issue(ss, false)
		out["refresh_token"] = rt
		if !legacy {
			out["refresh_expires_in"] = s.refreshExpiresIn(ss)
		}
		return out, nil
	}
	ss.usedRT[jti] = true
	return s.issue(ss, true), nil
}

func (s *Server) newSession(username, clientID, scope string, legacy bool) *session {
	ss := &session{
		id: uuid(), username: username, clientID: clientID, scope: scope, active: true,
		usedRT: map[string]bool{}, legacy: legacy,
	}
	for _, sc := range strings.Fields(scope) {
		if sc == "offline_access" {
			ss.offline = true
		}
	}
	s.sessions[ss.id] = ss
	return ss
}

func (s *Server) refreshExpiresIn(ss *session) int {
	if ss.offline {
		return 0
	}
	return int(s.refreshTTL / time.Second)
}

// issue builds a token response for the session (with s.mu held).
func (s *Server) issue(ss *session, withRefresh bool) map[string]any {
	now := time.Now()
	if ss.legacy {
		out := map[string]any{
			"grant_type":   "passport",
			"access_token": uuid(),
			"token_type":   "Bearer",
			"expires_in":   int(s.accessTTL / time.Second),
			"scope":        orDefault(ss.scope, "client_registration"),
		}
		if withRefresh {
			rt := uuid()
			s.legacyRT[rt] = ss.id
			ss.currentRT = rt
			out["refresh_token"] = rt
		}
		return out
	}
	iss := s.URL + "/auth/realms/SSO"
	scope := strings.TrimSpace("2F_CA_Auth client_registration profile email " + ss.scope)
	sub := "f:6d30bfbc-56a8-4a21-adce-ca604d19f1f4:" + orDefault(ss.username, "service-account-"+ss.clientID)
	u := s.users[ss.username]
	access := map[string]any{
		"exp": now.Add(s.accessTTL).Unix(), "iat": now.Unix(), "jti": uuid(), "iss": iss,
		"aud": []string{"ca", "account"}, "sub": sub, "typ": "Bearer", "azp": ss.clientID,
		"session_state": ss.id, "acr": "1",
		"realm_access":    map[string]any{"roles": []string{"offline_access", "uma_authorization"}},
		"resource_access": map[string]any{"account": map[string]any{"roles": []string{"manage-account", "manage-account-links", "view-profile"}}},
		"scope":           scope, "sid": ss.id, "email_verified": false,
		"preferred_username": orDefault(ss.username, "service-account-"+ss.clientID),
	}
	if ss.username != "" {
		name := orDefault(u.Name, "Test User")
		given, family, _ := strings.Cut(name, " ")
		access["name"], access["given_name"], access["family_name"] = name, given, family
		access["email"] = orDefault(u.Email, ss.username+"@example.test")
	}
	if s.pad > 0 {
		access["pad"] = strings.Repeat("x", s.pad)
	}
	out := map[string]any{
		"access_token":      s.sign(map[string]any{"alg": "RS256", "typ": "JWT", "kid": "zqC7Bryz1N5t3zDGw7l0mveI3L8MKQfpQ-9gmYiPYyY"}, access),
		"expires_in":        int(s.accessTTL / time.Second),
		"token_type":        "Bearer",
		"not-before-policy": 0,
		"session_state":     ss.id,
		"scope":             scope,
	}
	if withRefresh {
		jti := uuid()
		ss.currentRT = jti
		typ := "Refresh"
		refresh := map[string]any{
			"iat": now.Unix(), "jti": jti, "iss": iss, "aud": iss, "sub": sub, "azp": ss.clientID,
			"session_state": ss.id, "scope": scope, "sid": ss.id,
		}
		if ss.offline {
			typ = "Offline"
		} else {
			refresh["exp"] = now.Add(s.refreshTTL).Unix()
		}
		refresh["typ"] = typ
		if s.pad > 0 {
			refresh["pad"] = strings.Repeat("y", s.pad)
		}
		out["refresh_token"] = s.sign(map[string]any{"alg": "HS256", "typ": "JWT", "kid": "326ba5ad-a044-4bd9-80af-9d8c48589f5d"}, refresh)
		out["refresh_expires_in"] = s.refreshExpiresIn(ss)
	} else {
		out["refresh_expires_in"] = 0
	}
	return out
}

func (s *Server) sign(header, claims map[string]any) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	in := b64(h) + "." + b64(c)
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(in))
	return in + "." + b64(m.Sum(nil))
}

func (s *Server) verify(tok string) (map[string]any, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, false
	}
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, m.Sum(nil)) {
		return nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, false
	}
	var claims map[string]any
	if json.Unmarshal(raw, &claims) != nil {
		return nil, false
	}
	return claims, true
}

// MakeJWT builds a decodable (HMAC-signed) JWT with an RS256-looking header, for tests that need
// an access token with chosen claims.
func (s *Server) MakeJWT(claims map[string]any) string {
	return s.sign(map[string]any{"alg": "RS256", "typ": "JWT"}, claims)
}

// SpendRefreshToken uses refresh token rt as another holder of it would (a copied keyring, a
// stolen token): the session rotates, and rt becomes a spent token whose next use is a reuse.
func (s *Server) SpendRefreshToken(clientID, secret, rt string) error {
	resp, err := http.PostForm(s.TokenURL(), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {clientID}, "client_secret": {secret}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("keycloakfake: refresh answered HTTP %d", resp.StatusCode)
	}
	return nil
}

// CountingTransport counts the requests that leave the process through it (to prove that
// none did), and passes them to http.DefaultTransport.
type CountingTransport struct {
	mu sync.Mutex
	n  int
}

// RoundTrip implements http.RoundTripper.
func (c *CountingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// Count is the number of requests sent so far.
func (c *CountingTransport) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("keycloakfake: crypto/rand: %v", err))
	}
	return b
}

func uuid() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
