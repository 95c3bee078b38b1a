package moex

// ProfileStore keeps the profiles (non-secret settings and token metadata). The index file
// implements it (see IndexProfiles); tests use an in-memory one.
type ProfileStore interface {
	// Load returns all profiles.
	Load() ([]Profile, error)
	// Modify runs a locked read-modify-write: fn gets the current profiles and returns the new list.
	Modify(fn func([]Profile) ([]Profile, error)) error
}

func find(ps []Profile, name string) int {
	for i := range ps {
		if ps[i].Name == name {
			return i
		}
	}
	return -1
}

func getProfile(s ProfileStore, name string) (Profile, error) {
	ps, err := s.Load()
	if err != nil {
		return Profile{}, err
	}
	i := find(ps, name)
	if i < 0 {
		return Profile{}, notFound(name)
	}
	return ps[i], nil
}

func updateProfile(s ProfileStore, name string, fn func(*Profile) error) error {
	return s.Modify(func(ps []Profile) ([]Profile, error) {
		i := find(ps, name)
		if i < 0 {
			return nil, notFound(name)
		}
		if err := fn(&ps[i]); err != nil {
			return nil, err
		}
		return ps, nil
	})
}
