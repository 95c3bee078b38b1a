package native

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenbridge/tokenbridge/host/frame"
	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

// listPage is a decoded `list` answer.
type listPage struct {
	Tokens     []vault.View `json:"tokens"`
	NextOffset *int         `json:"next_offset"`
}

// boundToken is token i with every field at its bound: label and account name
// of MaxLabel characters, MaxAccounts accounts with id, name, type, status and
// access level at the lengths the T-Invest client keeps (64 / 200 / 64 bytes),
// MaxUses uses from origins of 200 bytes, and a verdict and a failure message of
// msg bytes. ch is the character every text is made of: "Ж" (two bytes, as
// stored) or "<" (one byte, six in JSON: the worst case of escaping).
func boundToken(i int, ch string, msg int) index.Token {
	text := func(n int) string { return strings.Repeat(ch, n/len(ch)) + "…" }
	label := strings.Repeat(ch, vault.MaxLabel)
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	tok := index.Token{ID: fmt.Sprintf("tok_%016x", i), Provider: vault.ProviderTInvest, Label: label, Kind: vault.KindFullAccess,
		Scope: index.Scope{AccountName: label}, Fingerprint: fmt.Sprintf("%016x", i), Masked: "t.Ab…wxyz",
		CreatedAt: at, LastUsedAt: at, SourceOrigin: "https://www.tinkoff.ru",
		Validation: &index.Validation{Result: "full_access", CheckedAt: at, Message: text(msg),
			LastFailure: &index.Failure{At: at, Code: "certificate", Message: text(msg)}}}
	for j := 0; j < vault.MaxAccounts; j++ {
		tok.Validation.Accounts = append(tok.Validation.Accounts, index.Account{ID: text(64), Name: text(200),
			Type: text(64), Status: text(64), AccessLevel: text(64)})
	}
	for j := 0; j < vault.MaxUses; j++ {
		tok.UsedBy = append(tok.UsedBy, index.Use{Origin: "https://" + strings.Repeat("b", 192), At: at})
	}
	return tok
}

// smallToken is token i as most are: one account, no uses yet.
func smallToken(i int) index.Token {
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	return index.Token{ID: fmt.Sprintf("tok_%016x", i), Provider: vault.ProviderTInvest, Label: fmt.Sprintf("робот %d", i),
		Kind: vault.KindFullAccess, Fingerprint: fmt.Sprintf("%016x", i), Masked: "t.Ab…wxyz", CreatedAt: at, LastUsedAt: at,
		Validation: &index.Validation{Result: "full_access", CheckedAt: at, Message: "full-access token: can trade on 1 account",
			Accounts: []index.Account{{ID: "2000123456", Name: "Брокерский счёт", Type: "ACCOUNT_TYPE_TINKOFF",
				Status: "ACCOUNT_STATUS_OPEN", AccessLevel: "ACCOUNT_ACCESS_LEVEL_FULL_ACCESS"}}}}
}

func fillIndex(t testing.TB, env *Env, n int, mk func(int) index.Token) {
	require.NoError(t, env.Vault.Index.Update(func(d *index.Data) error {
		for i := 0; i < n; i++ {
			d.Tokens = append(d.Tokens, mk(i))
		}
		return nil
	}))
}

// listAll pages through `list` as the extension does and checks every page:
// within the frame limit, at most limit tokens, next_offset only when more remain.
// It returns the ids in order and the size of each page.
func listAll(t *testing.T, env *Env, fields string, limit int) (ids []string, sizes []int) {
	ids = []string{}
	offset := 0
	for pages := 0; ; pages++ {
		require.Less(t, pages, vault.MaxTokens+1, "list never ends")
		a := call(t, env, fmt.Sprintf(`{"id":"l","cmd":"list","offset":%d%s}`, offset, fields))
		require.True(t, a.OK, "%+v", a.Error)
		require.LessOrEqual(t, len(a.Raw), frame.MaxOutgoing, "page at offset %d", offset)
		var p listPage
		require.NoError(t, json.Unmarshal(a.Raw, &p))
		require.LessOrEqual(t, len(p.Tokens), limit)
		for _, tok := range p.Tokens {
			ids = append(ids, tok.ID)
		}
		sizes = append(sizes, len(p.Tokens))
		if p.NextOffset == nil {
			return ids, sizes
		}
		require.NotEmpty(t, p.Tokens, "a page that is not the last holds tokens")
		require.Equal(t, offset+len(p.Tokens), *p.NextOffset)
		offset = *p.NextOffset
	}
}

// `list` pages return every token exactly once, in index order, each page
// within the browsers' 1 MiB limit: at full bounds a page holds ListPage
// tokens; when escapes make tokens larger the page is cut shorter.
func TestListPages(t *testing.T) {
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("tok_%016x", i)
		}
		return out
	}
	tests := []struct {
		name   string
		n      int
		mk     func(int) index.Token
		fields string
		limit  int
		sizes  []int // tokens on each page; nil: only checked to fit
	}{
		{"no tokens", 0, smallToken, "", ListPage, []int{0}},
		{"one page", 3, smallToken, "", ListPage, []int{3}},
		{"exactly one full page", ListPage, smallToken, "", ListPage, []int{ListPage}},
		{"at MaxTokens", vault.MaxTokens, smallToken, "", ListPage, nil},
		{"full bounds: whole pages", 2*ListPage + 3, func(i int) index.Token { return boundToken(i, "Ж", 2000) }, "", ListPage, []int{ListPage, ListPage, 3}},
		{"limit 7", 20, smallToken, `,"limit":7`, 7, []int{7, 7, 6}},
		{"two pages, provider given", 45, smallToken, `,"provider":"tinvest"`, ListPage, []int{ListPage, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := testEnv(t)
			fillIndex(t, env, tt.n, tt.mk)
			got, sizes := listAll(t, env, tt.fields, tt.limit)
			require.Equal(t, ids(tt.n), got, "every token exactly once, in order")
			if tt.sizes != nil {
				require.Equal(t, tt.sizes, sizes)
			}
		})
	}
	t.Run("escapes cut pages below the limit", func(t *testing.T) {
		env, _ := testEnv(t)
		fillIndex(t, env, ListPage, func(i int) index.Token { return boundToken(i, "<", 4000) })
		got, sizes := listAll(t, env, "", ListPage)
		require.Equal(t, ids(ListPage), got, "every token exactly once, in order")
		require.Greater(t, len(sizes), 1)
		require.Less(t, sizes[0], ListPage)
	})
	t.Run("other providers are not counted", func(t *testing.T) {
		env, _ := testEnv(t)
		fillIndex(t, env, 10, func(i int) index.Token {
			tok := smallToken(i)
			if i%2 == 1 {
				tok.Provider = vault.ProviderGeneric
			}
			return tok
		})
		got, _ := listAll(t, env, `,"provider":"tinvest","limit":2`, 2)
		require.Equal(t, []string{ids(10)[0], ids(10)[2], ids(10)[4], ids(10)[6], ids(10)[8]}, got)
	})
}

func TestListPageFields(t *testing.T) {
	env, _ := testEnv(t)
	fillIndex(t, env, 5, smallToken)
	tests := []struct {
		name string
		req  string
		code string // "" = ok
		n    int
	}{
		{"no paging fields", `{"id":"l","cmd":"list"}`, "", 5},
		{"offset past the end", `{"id":"l","cmd":"list","offset":1000000}`, "", 0},
		{"limit at its max", fmt.Sprintf(`{"id":"l","cmd":"list","limit":%d}`, ListPage), "", 5},
		{"negative offset", `{"id":"l","cmd":"list","offset":-1}`, CodeBadRequest, 0},
		{"limit 0", `{"id":"l","cmd":"list","limit":0}`, CodeBadRequest, 0},
		{"limit over the max", fmt.Sprintf(`{"id":"l","cmd":"list","limit":%d}`, ListPage+1), CodeBadRequest, 0},
		{"offset not a number", `{"id":"l","cmd":"list","offset":"2"}`, CodeBadRequest, 0},
		{"fractional limit", `{"id":"l","cmd":"list","limit":1.5}`, CodeBadRequest, 0},
		{"offset beyond int", `{"id":"l","cmd":"list","offset":1e30}`, CodeBadRequest, 0},
		{"name in another case", `{"id":"l","cmd":"list","Offset":1}`, CodeBadRequest, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := call(t, env, tt.req)
			if tt.code != "" {
				require.False(t, a.OK)
				require.Equal(t, tt.code, a.Error.Code)
				require.NotEmpty(t, a.Error.Message)
				return
			}
			require.True(t, a.OK, "%+v", a.Error)
			var p listPage
			require.NoError(t, json.Unmarshal(a.Raw, &p))
			require.Len(t, p.Tokens, tt.n)
			require.Nil(t, p.NextOffset)
			require.Contains(t, string(a.Raw), `"tokens":[`, "tokens is a list, never null")
		})
	}
}

// A token whose metadata alone exceeds one answer (only a hand-edited index can
// hold one) is too_large naming it and the fix, never an endless or empty page.
func TestListTokenOverFrame(t *testing.T) {
	env, _ := testEnv(t)
	fillIndex(t, env, 2, func(i int) index.Token {
		tok := smallToken(i)
		if i == 1 {
			tok.Validation.Message = strings.Repeat("<", frame.MaxOutgoing/6+1)
		}
		return tok
	})
	a := call(t, env, `{"id":"l","cmd":"list"}`)
	require.True(t, a.OK)
	var p listPage
	require.NoError(t, json.Unmarshal(a.Raw, &p))
	require.Len(t, p.Tokens, 1)
	require.NotNil(t, p.NextOffset)
	a = call(t, env, fmt.Sprintf(`{"id":"l","cmd":"list","offset":%d}`, *p.NextOffset))
	require.Equal(t, CodeTooLarge, a.Error.Code)
	require.Contains(t, a.Error.Message, "tok_0000000000000001")
	require.Contains(t, a.Error.Message, "tokenbridge check tok_0000000000000001")
}

// A new token is stored past the old cap of 64 and up to MaxTokens over
// native messaging; past MaxTokens the answer is too_large naming the count
// and how to delete unused tokens.
func TestStorePastOldCap(t *testing.T) {
	tests := []struct {
		name   string
		stored int
		code   string
	}{
		{"65th", 64, ""},
		{"100th", 99, ""},
		{"MaxTokens-th", vault.MaxTokens - 1, ""},
		{"past MaxTokens", vault.MaxTokens, CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, mem := testEnv(t)
			fillIndex(t, env, tt.stored, smallToken)
			a := call(t, env, storeReq(tok1))
			if tt.code != "" {
				require.Equal(t, tt.code, a.Error.Code)
				require.Contains(t, a.Error.Message, fmt.Sprintf("%d tokens are stored", vault.MaxTokens))
				require.Contains(t, a.Error.Message, "`tokenbridge list`")
				require.Contains(t, a.Error.Message, "`tokenbridge rm ID`")
				require.Zero(t, mem.Len())
				return
			}
			require.True(t, a.OK, "%+v", a.Error)
			require.NotNil(t, a.Token)
			got, _, err := env.Vault.Secret(a.Token.ID)
			require.NoError(t, err)
			require.Equal(t, tok1, got)
		})
	}
}

// BenchmarkListAtMaxTokens: reading every page of `list` at MaxTokens tokens,
// with every field at its bound and as real tokens are; reports index.json's
// size (index-bytes) and the pages read (pages).
func BenchmarkListAtMaxTokens(b *testing.B) {
	for _, bc := range []struct {
		name string
		mk   func(int) index.Token
	}{
		{"full_bounds", func(i int) index.Token { return boundToken(i, "Ж", 300) }},
		{"real", smallToken},
	} {
		b.Run(bc.name, func(b *testing.B) {
			env, _ := testEnv(b)
			fillIndex(b, env, vault.MaxTokens, bc.mk)
			st, err := os.Stat(env.Vault.Index.Path())
			require.NoError(b, err)
			pages := 0
			b.ResetTimer()
			for range b.N {
				pages = 0
				for offset := 0; ; pages++ {
					_, res, err := Handle(context.Background(), env, []byte(fmt.Sprintf(`{"id":"1","cmd":"list","offset":%d}`, offset)))
					if err != nil {
						b.Fatal(err)
					}
					next, ok := res["next_offset"].(int)
					if !ok {
						break
					}
					offset = next
				}
			}
			b.ReportMetric(float64(st.Size()), "index-bytes")
			b.ReportMetric(float64(pages+1), "pages")
		})
	}
}
