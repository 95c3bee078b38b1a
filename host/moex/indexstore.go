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
		out = append(out, Profile(mp))
	}
	return out, nil
}

// Modify implements ProfileStore.
func (s IndexProfiles) Modify(fn func([]Profile) ([]Profile, error)) error {
	return s.File.Update(func(d *index.Data) error {
		ps := make([]Profile, 0, len(d.Moex))
		for _, mp := range d.Moex {
			ps = append(ps, Profile(mp))
		}
		out, err := fn(ps)
		if err != nil {
			return err
		}
		d.Moex = make([]index.MoexProfile, 0, len(out))
		for _, p := range out {
			d.Moex = append(d.Moex, index.MoexProfile(p))
		}
		return nil
	})
}
