package native

import (
	"context"
	"encoding/json"

	"github.com/tokenbridge/tokenbridge/host/frame"
	"github.com/tokenbridge/tokenbridge/host/limits"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

// ListPage is the default and the most tokens one `list` answer holds.
const ListPage = limits.ListPage

// listBudget is what a page's tokens may take of the frame: the rest is the
// envelope ({"id":…,"ok":true,"tokens":[…],"next_offset":…}, under 200 bytes).
const listBudget = frame.MaxOutgoing - 1<<10

type listParams struct {
	Provider string `json:"provider"`
	Offset   *int   `json:"offset"`
	Limit    *int   `json:"limit"`
}

// list returns one page of the tokens' metadata with their expiry estimate,
// never a secret: the tokens from offset (default 0), at most limit
// (default and max ListPage) and fewer when they would not fit one frame;
// next_offset is where the next page starts, absent on the last one.
func list(_ context.Context, env *Env, req *Request) (Result, error) {
	var p listParams
	if err := req.Bind(&p); err != nil {
		return nil, err
	}
	offset, limit := 0, ListPage
	if p.Offset != nil {
		if *p.Offset < 0 {
			return nil, Errorf(CodeBadRequest, "\"offset\" must be 0 or more (the next_offset of the previous page)")
		}
		offset = *p.Offset
	}
	if p.Limit != nil {
		if *p.Limit < 1 || *p.Limit > ListPage {
			return nil, Errorf(CodeBadRequest, "\"limit\" must be 1..%d (leave it out for %d)", ListPage, ListPage)
		}
		limit = *p.Limit
	}
	toks, err := env.Vault.List(p.Provider)
	if err != nil {
		return nil, err
	}
	now := env.Vault.Now()
	i := min(offset, len(toks))
	n := min(len(toks)-i, limit)
	page := make([]json.RawMessage, 0, n)
	// The views are written one after another into one buffer sized for
	// typical ones (each page entry is its own slice of it): growing many
	// small buffers costs a fresh host process more than writing them.
	buf := make([]byte, 0, min(n*600, listBudget))
	size := 0
	for ; i < len(toks) && len(page) < limit; i++ {
		start := len(buf)
		var err error
		buf, err = vault.ViewOf(toks[i], now).AppendJSON(buf)
		if err != nil {
			return nil, Errorf(CodeInternal, "encode token %s: %v", toks[i].ID, err)
		}
		if b := buf[start:]; size+len(b)+1 > listBudget {
			if len(page) == 0 {
				return nil, Errorf(CodeTooLarge, "the metadata of token %s is %d bytes, more than one answer can carry (%d): run `tokenbridge check %s` to replace its stored messages, or see it with `tokenbridge list` and delete it with `tokenbridge rm %s`",
					toks[i].ID, len(b), listBudget, toks[i].ID, toks[i].ID)
			}
			break
		}
		b := buf[start:len(buf):len(buf)]
		size += len(b) + 1
		page = append(page, b)
	}
	res := Result{"tokens": page}
	if i < len(toks) {
		res["next_offset"] = i
	}
	return res, nil
}
