package vault

import (
	"errors"
	"fmt"

	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// checkProfiles checks every MOEX profile of the index.
func (r *doctorRun) checkProfiles() error {
	for _, p := range r.profiles {
		if err := r.checkProfile(p); err != nil {
			return err
		}
	}
	return nil
}

// checkProfile checks a profile's settings and keyring items: the token URL and other
// settings, the client secret and password a sign-in needs, items that cannot be read (a large
// secret whose chunks do not add up), and the settings item doctor rebuilds a lost profile
// from. Damaged cached tokens are deleted and a missing settings item is written; the rest
// needs the user, and each finding says the command.
func (r *doctorRun) checkProfile(p moex.Profile) error {
	key := "moex/" + p.Name
	readd := fmt.Sprintf("`tokenbridge moex add %s --force …`", p.Name)
	present := map[string]bool{}
	damaged := map[string]error{}
	stored := "" // the settings item as read: each item is read once
	for _, kind := range moex.ItemKinds {
		v, err := r.v.Secrets.Get(moex.ItemKey(p.Name, kind))
		switch {
		case err == nil:
			present[kind] = true
			if kind == moex.ItemProfile {
				stored = v
			}
		case errors.Is(err, secretstore.ErrDamaged):
			damaged[kind] = err
		case !errors.Is(err, secretstore.ErrNotFound):
			return fmt.Errorf("check %s: %w", moex.ItemKey(p.Name, kind), err)
		}
	}

	valid := p.Validate()
	switch {
	case moex.ValidateTokenURL(p.TokenURL) != nil:
		def, _ := moex.DefaultTokenURL(p.Env, p.Legacy)
		r.add(Problem{Key: key, Problem: "invalid token URL: " + moex.ValidateTokenURL(p.TokenURL).Error(),
			Fix: fmt.Sprintf("no secret is sent to it: re-add the profile with a valid --token-url (the default for %s is %s): %s", p.Env, def, readd)})
	case valid != nil:
		r.add(Problem{Key: key, Problem: "invalid settings: " + valid.Error(), Fix: "re-add the profile: " + readd})
	}

	for _, kind := range []string{moex.ItemAccess, moex.ItemRefresh} {
		err, bad := damaged[kind]
		if !bad {
			continue
		}
		fix := fmt.Sprintf("deleted: the next `tokenbridge moex token %s` refreshes or signs in again with the stored credentials", p.Name)
		if r.opt.Repair {
			if derr := r.v.Secrets.Delete(moex.ItemKey(p.Name, kind)); derr != nil && !errors.Is(derr, secretstore.ErrNotFound) {
				return fmt.Errorf("delete %s: %w", moex.ItemKey(p.Name, kind), derr)
			}
		} else {
			fix = "a repair deletes it: " + fix[len("deleted: "):]
		}
		r.add(Problem{Key: moex.ItemKey(p.Name, kind), Problem: "cached token cannot be read: " + err.Error(), Fix: fix, Repaired: r.opt.Repair})
	}
	for _, kind := range []string{moex.ItemClientSecret, moex.ItemPassword} {
		if err, bad := damaged[kind]; bad {
			r.add(Problem{Key: moex.ItemKey(p.Name, kind), Problem: "cannot be read: " + err.Error(), Fix: "re-enter it: " + readd})
		}
	}

	if p.Grant == moex.GrantPassword && !present[moex.ItemPassword] && damaged[moex.ItemPassword] == nil {
		r.add(Problem{Key: moex.ItemKey(p.Name, moex.ItemPassword), Problem: "the password grant needs the MOEX Passport password, and this item is missing",
			Fix: "re-enter it: " + readd})
	}
	if !present[moex.ItemClientSecret] && damaged[moex.ItemClientSecret] == nil {
		switch public, known := p.ClientSecretState(); {
		case known && !public:
			r.add(Problem{Key: moex.ItemKey(p.Name, moex.ItemClientSecret), Problem: "the client secret is missing (the client was added with one)",
				Fix: "re-enter it: " + readd})
		case !known:
			r.add(Problem{Key: moex.ItemKey(p.Name, moex.ItemClientSecret), Note: true,
				Problem: "no client secret stored: right for a public client; if this client has a secret, re-enter it with " + readd})
		}
	}

	if valid != nil {
		return nil // the settings item mirrors only valid settings
	}
	same, err := moex.RecordMatches(stored, p)
	if err != nil {
		return fmt.Errorf("check %s: %w", moex.ItemKey(p.Name, moex.ItemProfile), err)
	}
	if same && present[moex.ItemProfile] {
		return nil
	}
	what := "missing"
	if present[moex.ItemProfile] || damaged[moex.ItemProfile] != nil {
		what = "out of date"
	}
	item := moex.ItemKey(p.Name, moex.ItemProfile)
	if !r.opt.Repair {
		r.add(Problem{Key: item, Note: true, Problem: "settings item " + what + ": a repair writes it from the index (it lets doctor rebuild the profile if the index is lost)"})
		return nil
	}
	if err := moex.WriteRecord(r.v.Secrets, p); err != nil {
		r.add(Problem{Key: item, Problem: "settings item " + what + ": " + err.Error(), Fix: "check the keyring and run `tokenbridge doctor` again"})
		return nil
	}
	r.add(Problem{Key: item, Problem: "settings item " + what, Fix: "written from the index (it lets doctor rebuild the profile if the index is lost)", Repaired: true})
	return nil
}
