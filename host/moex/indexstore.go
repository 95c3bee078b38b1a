package moex

import (
	"github.com/tokenbridge/tokenbridge/host/index"
)

// IndexProfiles stores profiles in the metadata index (index.Data.Moex).
type IndexProfiles struct {
	File *index.File
}

// Load implements ProfileStore.
func (s IndexProfiles) Load() ([]Profile, error) {
	d, err := s.File.Read()
	if err != nil {
		return nil, err
	}
	out := make([]Profile, 0, len(d.Moex))
	for _, mp := range d.Moex {
		out = append(out, fromIndex(mp))
	}
	return out, nil
}

// Modify implements ProfileStore.
func (s IndexProfiles) Modify(fn func([]Profile) ([]Profile, error)) error {
	return s.File.Update(func(d *index.Data) error {
		ps := make([]Profile, 0, len(d.Moex))
		for _, mp := range d.Moex {
			ps = append(ps, fromIndex(mp))
		}
		out, err := fn(ps)
		if err != nil {
			return err
		}
		d.Moex = make([]index.MoexProfile, 0, len(out))
		for _, p := range out {
			d.Moex = append(d.Moex, toIndex(p))
		}
		return nil
	})
}

func fromIndex(m index.MoexProfile) Profile {
	return Profile{
		Name: m.Name, Env: m.Env, Grant: m.Grant, Legacy: m.Legacy, ClientID: m.ClientID,
		Username: m.Username, Scope: m.Scope, TokenURL: m.TokenURL, AuthStyle: m.AuthStyle,
		CreatedAt: m.CreatedAt, ObtainedAt: m.ObtainedAt, AccessExpiresAt: m.AccessExpiresAt,
		RefreshExpiresAt: m.RefreshExpiresAt, TokenType: m.TokenType, TokenScope: m.TokenScope,
	}
}

func toIndex(p Profile) index.MoexProfile {
	return index.MoexProfile{
		Name: p.Name, Env: p.Env, Grant: p.Grant, Legacy: p.Legacy, ClientID: p.ClientID,
		Username: p.Username, Scope: p.Scope, TokenURL: p.TokenURL, AuthStyle: p.AuthStyle,
		CreatedAt: p.CreatedAt, ObtainedAt: p.ObtainedAt, AccessExpiresAt: p.AccessExpiresAt,
		RefreshExpiresAt: p.RefreshExpiresAt, TokenType: p.TokenType, TokenScope: p.TokenScope,
	}
}
