package vault

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// Problem is one inconsistency Doctor found.
type Problem struct {
	Key      string // keyring key or token id
	Problem  string
	Fix      string
	Repaired bool
}

// Doctor compares the keyring with the index. A token whose keyring item
// is gone is dropped from the index (the secret cannot be recovered). A
// keyring item without metadata is adopted: new metadata is built from the
// secret, so nothing stored is lost. A damaged index is moved aside and
// rebuilt from the keyring. With repair false it only reports.
func (v *Vault) Doctor(repair bool) ([]Problem, error) {
	var problems []Problem
	rebuilt := false
	d, err := v.Index.Read()
	if err != nil {
		if !repair {
			return []Problem{{Key: v.Index.Path(), Problem: err.Error(), Fix: "run `tokenbridge doctor --repair` to move it aside and rebuild it from the keyring"}}, nil
		}
		aside := fmt.Sprintf("%s.damaged-%d", v.Index.Path(), time.Now().Unix())
		if rerr := os.Rename(v.Index.Path(), aside); rerr != nil {
			return nil, fmt.Errorf("move damaged index aside: %w", rerr)
		}
		problems = append(problems, Problem{Key: v.Index.Path(), Problem: err.Error(), Fix: "moved aside to " + aside + "; rebuilt from the keyring", Repaired: true})
		d = index.Data{Version: index.Version}
		rebuilt = true
	}

	// Index → keyring.
	var missing []string
	for _, t := range d.Tokens {
		_, err := v.Secrets.Get(SecretKey(t))
		switch {
		case errors.Is(err, secretstore.ErrNotFound):
			missing = append(missing, t.ID)
			problems = append(problems, Problem{Key: t.ID, Problem: fmt.Sprintf("metadata for %q has no keyring item", t.Label),
				Fix: "the secret is gone: the entry is removed; issue a new token", Repaired: repair})
		case err != nil:
			return problems, fmt.Errorf("check %s: %w", t.ID, err)
		}
	}

	// Keyring → index (only where the keyring can list its items).
	var orphans []string
	if l, ok := v.Secrets.(secretstore.Lister); ok {
		keys, err := l.List()
		if err == nil {
			known := map[string]bool{}
			for _, t := range d.Tokens {
				known[SecretKey(t)] = true
			}
			for _, p := range d.Moex {
				known["moex/"+p.Name] = true
			}
			for _, k := range keys {
				provider, id, _ := strings.Cut(k, "/")
				switch {
				case known[k]:
				case provider == "moex":
					name, _, _ := strings.Cut(id, "/")
					if !known["moex/"+name] {
						problems = append(problems, Problem{Key: k, Problem: "MOEX keyring item without a profile",
							Fix: fmt.Sprintf("re-add the profile with `tokenbridge moex add %s …`, or remove it: secret-tool clear service %s username %s", name, secretstore.Service, k)})
					}
				case (provider == ProviderTInvest || provider == ProviderGeneric) && ValidID(id):
					orphans = append(orphans, k)
					problems = append(problems, Problem{Key: k, Problem: "keyring item without metadata",
						Fix: "metadata is rebuilt from the secret (label «восстановлен / recovered»)", Repaired: repair})
				}
			}
		}
	}
	if !repair || (len(missing) == 0 && len(orphans) == 0 && !rebuilt) {
		return problems, nil
	}

	adopted := make([]index.Token, 0, len(orphans))
	now := v.Now()
	for _, k := range orphans {
		secret, gerr := v.Secrets.Get(k)
		if gerr != nil {
			return problems, fmt.Errorf("read orphan %s: %w", k, gerr)
		}
		provider, id, _ := strings.Cut(k, "/")
		adopted = append(adopted, index.Token{ID: id, Provider: provider, Label: "восстановлен / recovered " + now.Format("2006-01-02"),
			Kind: KindUnknown, Fingerprint: Fingerprint(secret), Masked: Mask(secret), CreatedAt: now, LastUsedAt: now})
	}
	uerr := v.Index.Update(func(d *index.Data) error {
		d.Tokens = slices.DeleteFunc(d.Tokens, func(t index.Token) bool { return slices.Contains(missing, t.ID) })
		for _, a := range adopted {
			if d.TokenByID(a.ID) < 0 {
				d.Tokens = append(d.Tokens, a)
			}
		}
		return nil
	})
	return problems, uerr
}
