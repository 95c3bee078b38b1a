package vault

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// Problem is one finding of Doctor.
type Problem struct {
	Key      string // keyring key, token id or file
	Problem  string
	Fix      string
	Repaired bool
	// Note marks a limitation worth telling, not a problem.
	Note bool
}

// DoctorOptions choose what Doctor may change.
type DoctorOptions struct {
	Repair bool // fix what can be fixed without losing anything
	Force  bool // also do what might lose metadata (see Doctor)
}

// Doctor compares the keyring with the index.
//
//   - A keyring item without metadata is adopted: new metadata is built from
//     the secret, so nothing stored is lost.
//   - Metadata whose keyring item is gone is dropped (the secret cannot be
//     recovered) — unless more than half of the tokens look gone, which
//     rather means a different or half-working keyring: then only Force drops.
//   - A damaged index is moved aside and rebuilt from the keyring; where the
//     keyring cannot list its items (macOS) that would lose all metadata, so
//     only Force does it.
//   - Chunks left by an interrupted store of a large secret are deleted.
func (v *Vault) Doctor(opt DoctorOptions) ([]Problem, error) {
	var problems []Problem
	lister, canList := v.Secrets.(secretstore.Lister)
	var keys []string
	if canList {
		var err error
		if keys, err = lister.List(); err != nil {
			canList = false
		}
	}
	if !canList {
		problems = append(problems, Problem{Key: "keyring", Note: true,
			Problem: "this keyring cannot list its items, so items without metadata are not looked for",
			Fix:     "nothing to do"})
	}

	rebuilt := false
	d, err := v.Index.Read()
	var moexProfiles []moex.Profile
	if err == nil {
		moexProfiles, err = moex.ProfilesIn(&d)
	}
	if err != nil {
		switch {
		case !opt.Repair:
			return append(problems, Problem{Key: v.Index.Path(), Problem: err.Error(),
				Fix: "run `tokenbridge doctor` (without --check) to move it aside and rebuild it from the keyring"}), nil
		case !canList && !opt.Force:
			return append(problems, Problem{Key: v.Index.Path(), Problem: err.Error(),
				Fix: "restore index.json from a backup; or run `tokenbridge doctor --force` to start an empty index (the secrets stay in the keyring, their metadata is lost)"}), nil
		}
		aside := fmt.Sprintf("%s.damaged-%d", v.Index.Path(), time.Now().Unix())
		if rerr := os.Rename(v.Index.Path(), aside); rerr != nil {
			return problems, fmt.Errorf("move damaged index aside: %w", rerr)
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
		case err != nil:
			return problems, fmt.Errorf("check %s: %w", t.ID, err)
		}
	}
	dropMissing := opt.Repair && (opt.Force || len(missing) <= 1 || len(missing)*2 <= len(d.Tokens))
	for _, id := range missing {
		p := Problem{Key: id, Problem: "metadata without a keyring item", Fix: "the secret is gone: the entry is removed; issue a new token", Repaired: dropMissing}
		if opt.Repair && !dropMissing {
			p.Fix = fmt.Sprintf("%d of %d tokens have no keyring item: is this the keyring of the session that stored them? If the secrets are really gone, run `tokenbridge doctor --force`", len(missing), len(d.Tokens))
		}
		problems = append(problems, p)
	}
	if !dropMissing {
		missing = nil
	}

	// Keyring → index.
	var orphans []string
	known := map[string]bool{}
	for _, t := range d.Tokens {
		known[SecretKey(t)] = true
	}
	for _, p := range moexProfiles {
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
				Fix: "metadata is rebuilt from the secret (label «восстановлен / recovered»)", Repaired: opt.Repair})
		}
	}

	// Chunks whose secret was never completed or has shrunk since.
	if j, ok := v.Secrets.(secretstore.ChunkJanitor); ok && canList {
		stray, err := j.StrayChunks()
		if err == nil {
			for _, k := range stray {
				if opt.Repair {
					_ = v.Secrets.Delete(k)
				}
				problems = append(problems, Problem{Key: k, Problem: "chunk of an unfinished or replaced secret", Fix: "deleted", Repaired: opt.Repair})
			}
		}
	}

	if !opt.Repair || (len(missing) == 0 && len(orphans) == 0 && !rebuilt) {
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
