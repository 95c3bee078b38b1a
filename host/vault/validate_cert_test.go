package vault

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/tinvest"
	"github.com/tokenbridge/tokenbridge/host/tinvest/tinvestfake"
)

// An API host with an untrusted certificate is saved as upstream with code "certificate",
// never invalid, and the kind is kept.
func TestValidateCertificateCode(t *testing.T) {
	secret := testToken(120)
	hs := httptest.NewTLSServer(tinvestfake.New(map[string]tinvestfake.Token{secret: {Access: tinvestfake.Full}}).Handler())
	defer hs.Close()
	c, err := tinvest.New(tinvest.Config{ProdURL: hs.URL + "/prod/rest", SandboxURL: hs.URL + "/sandbox/rest", Timeout: 2 * time.Second})
	require.NoError(t, err)

	v, _ := newTestVault(t)
	tok, _, err := v.Store(StoreInput{Provider: ProviderTInvest, Secret: secret, Kind: KindFullAccess})
	require.NoError(t, err)
	got, err := v.Validate(context.Background(), tok.ID, c)
	require.NoError(t, err)
	require.Equal(t, string(tinvest.ResultUpstream), got.Validation.Result)
	require.Equal(t, tinvest.CodeCertificate, got.Validation.Code)
	require.Contains(t, got.Validation.Message, "presented a TLS certificate tokenbridge does not trust")
	require.Equal(t, KindFullAccess, got.Kind)

	again, err := v.Token(tok.ID)
	require.NoError(t, err)
	require.Equal(t, tinvest.CodeCertificate, again.Validation.Code, "persisted in the index")
}
