package moex

import (
	"encoding/json"

	"github.com/tokenbridge/tokenbridge/host/index"
)

// IndexSection is the key of the index section that holds the MOEX
// profiles: a JSON array of Profile.
const IndexSection = "moex"

// IndexProfiles stores profiles in the metadata index, section IndexSection.
type IndexProfiles struct {
	File *index.File
}

// ProfilesIn decodes the MOEX profiles kept in d (none when d has no
// section).
func ProfilesIn(d *index.Data) ([]Profile, error) {
	var ps []Profile
	if _, err := d.Section(IndexSection, &ps); err != nil {
		return nil, err
	}
	return ps, nil
}

// SalvageProfiles decodes what it can of a damaged MOEX section of d: every element of the
// array that is a profile with a valid name (the first of a name wins); lost counts the
// others, and is 1 for a section that is not an array.
func SalvageProfiles(d *index.Data) (ps []Profile, lost int) {
	raw, ok := d.Sections[IndexSection]
	if !ok {
		return nil, 0
	}
	var elems []json.RawMessage
	if json.Unmarshal(raw, &elems) != nil {
		return nil, 1
	}
	for _, e := range elems {
		var p Profile
		if json.Unmarshal(e, &p) != nil || ValidateName(p.Name) != nil || find(ps, p.Name) >= 0 {
			lost++
			continue
		}
		ps = append(ps, p)
	}
	return ps, lost
}

// SetProfilesIn stores ps in d; an empty list removes the section.
func SetProfilesIn(d *index.Data, ps []Profile) error {
	if len(ps) == 0 {
		return d.SetSection(IndexSection, nil)
	}
	return d.SetSection(IndexSection, ps)
}

// Load implements ProfileStore.
func (s IndexProfiles) Load() ([]Profile, error) {
	d, err := s.File.Read()
	if err != nil {
		return nil, err
	}
	ps, err := ProfilesIn(&d)
	if err != nil {
		return nil, err
	}
	if ps == nil {
		ps = []Profile{}
	}
	return ps, nil
}

// Modify implements ProfileStore.
func (s IndexProfiles) Modify(fn func([]Profile) ([]Profile, error)) error {
	return s.File.Update(func(d *index.Data) error {
		ps, err := ProfilesIn(d)
		if err != nil {
			return err
		}
		if ps == nil {
			ps = []Profile{}
		}
		out, err := fn(ps)
		if err != nil {
			return err
		}
		return SetProfilesIn(d, out)
	})
}
