package vault

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
)

// Problem is one finding of Doctor.
type Problem struct {
	Key      string // keyring key, token id, moex/NAME or file
	Problem  string
	Fix      string
	Repaired bool
	// Note marks a limitation or an entry a repair restores, worth telling, not a problem.
	Note bool
}

// DoctorOptions choose what Doctor may change.
type DoctorOptions struct {
	Repair bool // fix what can be fixed without losing anything
	Force  bool // also do what might lose metadata (see Doctor)
}

// Doctor compares the keyring with the index; with Repair it fixes what it finds, and without
// it (doctor --check) it reports exactly what a repair would restore and what it would drop.
//
//   - A damaged index is rebuilt, not emptied: from what can still be read of it, from its
//     last-good copy (index.last-good.json) and from the keyring, and moved aside first. A
//     rebuild that would lose entries (part of the file unreadable and no whole last-good
//     copy to cover it, or a file of a newer tokenbridge) needs Force.
//   - A keyring item without metadata is adopted: new metadata is built from the secret, so
//     nothing stored is lost. MOEX items without a profile get it back from the profile's
//     settings item (moex/NAME/profile); without one, the profile is reported.
//   - Metadata whose keyring item is gone is dropped (the secret cannot be recovered) —
//     unless more than half of the tokens look gone, which rather means a different or
//     half-working keyring: then only Force drops.
//   - MOEX profiles are checked: settings (token URL), the client secret and password items,
//     readable items; damaged cached tokens are deleted (the next sign-in replaces them);
//     missing settings items are written.
//   - Chunks left by an interrupted store of a large secret are deleted.
func (v *Vault) Doctor(opt DoctorOptions) ([]Problem, error) {
	r := &doctorRun{v: v, opt: opt}
	if err := r.run(); err != nil {
		return r.problems, err
	}
	return r.problems, nil
}

// doctorRun is one run of Doctor: what it found and the changes a repair makes.
type doctorRun struct {
	v        *Vault
	opt      DoctorOptions
	problems []Problem

	keys    []string // every keyring key (canList)
	canList bool

	d        index.Data // the index (rebuilt in memory when damaged)
	profiles []moex.Profile
	rebuild  *rebuildPlan // nil when the index was healthy

	drop        []string      // token ids whose secret is gone
	adopt       []index.Token // keyring items given new metadata
	addProfiles []moex.Profile
	changed     bool // the index must be written
}

func (r *doctorRun) add(p Problem) { r.problems = append(r.problems, p) }

func (r *doctorRun) run() error {
	r.listKeys()
	ok, err := r.loadIndex()
	if err != nil || !ok {
		return err
	}
	if err := r.checkTokens(); err != nil {
		return err
	}
	if err := r.checkProfiles(); err != nil {
		return err
	}
	if err := r.checkOrphans(); err != nil {
		return err
	}
	r.checkChunks()
	if !r.opt.Repair || !r.changed {
		return nil
	}
	return r.write()
}

func (r *doctorRun) listKeys() {
	if lister, ok := r.v.Secrets.(secretstore.Lister); ok {
		keys, err := lister.List()
		if err == nil {
			r.keys, r.canList = keys, true
			return
		}
	}
	r.add(Problem{Key: "keyring", Note: true,
		Problem: "this keyring cannot list its items, so items without metadata are not looked for",
		Fix:     "nothing to do"})
}

// loadIndex reads the index, or plans its rebuild when it is damaged; ok is false when the
// run stops there (a rebuild that needs --force).
func (r *doctorRun) loadIndex() (ok bool, err error) {
	d, rerr := r.v.Index.Read()
	if rerr == nil {
		r.profiles, rerr = moex.ProfilesIn(&d)
	}
	if rerr == nil {
		r.d = d
		return true, nil
	}
	if !errors.Is(rerr, index.ErrDamaged) && !errors.Is(rerr, index.ErrNewer) {
		return false, rerr
	}
	plan, err := r.v.planRebuild(rerr)
	if err != nil {
		return false, err
	}
	r.rebuild = plan
	r.problems = append(r.problems, plan.report(r.v.Index, r.opt)...)
	if plan.dropReason != "" && !r.opt.Force && r.opt.Repair {
		return false, nil // nothing is changed; --check goes on to show the rest
	}
	r.d, r.profiles, r.changed = plan.data, plan.profiles, true
	return true, nil
}

// checkTokens looks up every token's keyring item.
func (r *doctorRun) checkTokens() error {
	var missing []string
	for _, t := range r.d.Tokens {
		_, err := r.v.Secrets.Get(SecretKey(t))
		switch {
		case errors.Is(err, secretstore.ErrDamaged):
			r.add(Problem{Key: t.ID, Problem: fmt.Sprintf("keyring item damaged: %v", err),
				Fix: fmt.Sprintf("the secret cannot be read back: delete it with `tokenbridge rm %s` and store the token again", t.ID)})
		case errors.Is(err, secretstore.ErrNotFound):
			missing = append(missing, t.ID)
		case err != nil:
			return fmt.Errorf("check %s: %w", t.ID, err)
		}
	}
	dropMissing := r.opt.Force || len(missing) <= 1 || len(missing)*2 <= len(r.d.Tokens)
	for _, id := range missing {
		p := Problem{Key: id, Problem: "metadata without a keyring item", Fix: "the secret is gone: the entry is removed; issue a new token", Repaired: r.opt.Repair && dropMissing}
		if !dropMissing {
			p.Fix = fmt.Sprintf("%d of %d tokens have no keyring item: is this the keyring of the session that stored them? If the secrets are really gone, run `tokenbridge doctor --force`", len(missing), len(r.d.Tokens))
		}
		r.add(p)
	}
	if dropMissing && len(missing) > 0 {
		r.drop, r.changed = missing, true
	}
	return nil
}

// checkOrphans adopts keyring items without metadata and rebuilds MOEX profiles from their
// settings items.
func (r *doctorRun) checkOrphans() error {
	known := map[string]bool{}
	for _, t := range r.d.Tokens {
		known[SecretKey(t)] = true
	}
	for _, p := range r.profiles {
		known["moex/"+p.Name] = true
	}
	moexItems := map[string][]string{} // profile name → kinds of its items
	var names []string
	for _, k := range r.keys {
		provider, id, _ := strings.Cut(k, "/")
		switch {
		case known[k]:
		case provider == "moex":
			name, kind, ok := moex.ParseItemKey(k)
			if !ok || known["moex/"+name] {
				continue
			}
			if _, seen := moexItems[name]; !seen {
				names = append(names, name)
			}
			moexItems[name] = append(moexItems[name], kind)
		case (provider == ProviderTInvest || provider == ProviderGeneric) && ValidID(id):
			secret, err := r.v.Secrets.Get(k)
			if err != nil {
				r.add(Problem{Key: k, Problem: fmt.Sprintf("keyring item without metadata that cannot be read: %v", err),
					Fix: fmt.Sprintf("remove it: secret-tool clear service %s username %s", secretstore.Service, k)})
				continue
			}
			r.adopt = append(r.adopt, r.v.adoptedToken(provider, id, secret))
			r.changed = true
			r.add(Problem{Key: k, Problem: "keyring item without metadata",
				Fix: "metadata is rebuilt from the secret (label «восстановлен / recovered»)", Repaired: r.opt.Repair})
		}
	}
	for _, name := range names {
		if err := r.orphanProfile(name, moexItems[name]); err != nil {
			return err
		}
	}
	return nil
}

// adoptedToken is new metadata for an orphan keyring item. Should the fingerprint key be
// out of reach (it is made under the index lock, and the index is being rebuilt), the bare
// fingerprint is kept until the next read migrates it.
func (v *Vault) adoptedToken(provider, id, secret string) index.Token {
	now := v.Now()
	fp, err := v.fingerprint(provider, secret)
	if err != nil {
		fp = Fingerprint(secret)
	}
	return index.Token{ID: id, Provider: provider, Label: "восстановлен / recovered " + now.Format("2006-01-02"),
		Kind: KindUnknown, Fingerprint: fp, Masked: MaskFor(provider, secret), CreatedAt: now, LastUsedAt: now}
}

func (r *doctorRun) orphanProfile(name string, kinds []string) error {
	key := "moex/" + name
	p, err := moex.ReadRecord(r.v.Secrets, name)
	if err == nil {
		r.addProfiles = append(r.addProfiles, p)
		r.profiles = append(r.profiles, p)
		r.changed = true
		r.add(Problem{Key: key, Problem: "MOEX profile missing from the index (its keyring items: " + strings.Join(kinds, ", ") + ")",
			Fix: "rebuilt from its settings item " + moex.ItemKey(name, moex.ItemProfile) + "; the next `tokenbridge moex token " + name + "` refreshes or signs in again", Repaired: r.opt.Repair})
		return r.checkProfile(p)
	}
	why := "no settings item to rebuild it from (written by an older tokenbridge)"
	switch {
	case errors.Is(err, moex.ErrBadRecord):
		why = err.Error()
	case !errors.Is(err, secretstore.ErrNotFound):
		return fmt.Errorf("read %s: %w", moex.ItemKey(name, moex.ItemProfile), err)
	}
	r.add(Problem{Key: key, Problem: "MOEX keyring items without a profile (" + strings.Join(kinds, ", ") + "): " + why,
		Fix: fmt.Sprintf("could not rebuild it: re-add it with `tokenbridge moex add %s --force …` (its items are replaced), or remove them: %s",
			name, clearCommands(name, kinds))})
	return nil
}

func clearCommands(name string, kinds []string) string {
	var cmds []string
	for _, k := range kinds {
		cmds = append(cmds, fmt.Sprintf("secret-tool clear service %s username %s", secretstore.Service, moex.ItemKey(name, k)))
	}
	return strings.Join(cmds, "; ")
}

// checkChunks deletes chunks whose secret was never completed or has shrunk since.
func (r *doctorRun) checkChunks() {
	j, ok := r.v.Secrets.(secretstore.ChunkJanitor)
	if !ok || !r.canList {
		return
	}
	stray, err := j.StrayChunks()
	if err != nil {
		return
	}
	for _, k := range stray {
		if r.opt.Repair {
			_ = r.v.Secrets.Delete(k)
		}
		r.add(Problem{Key: k, Problem: "chunk of an unfinished or replaced secret", Fix: "deleted", Repaired: r.opt.Repair})
	}
}

// apply makes the run's changes to an index.
func (r *doctorRun) apply(d *index.Data) error {
	d.Tokens = slices.DeleteFunc(d.Tokens, func(t index.Token) bool { return slices.Contains(r.drop, t.ID) })
	for _, a := range r.adopt {
		if d.TokenByID(a.ID) < 0 {
			d.Tokens = append(d.Tokens, a)
		}
	}
	if len(r.addProfiles) == 0 {
		return nil
	}
	ps, err := moex.ProfilesIn(d)
	if err != nil {
		return err
	}
	for _, p := range r.addProfiles {
		if !slices.ContainsFunc(ps, func(q moex.Profile) bool { return q.Name == p.Name }) {
			ps = append(ps, p)
		}
	}
	return moex.SetProfilesIn(d, ps)
}

func (r *doctorRun) write() error {
	if r.rebuild == nil {
		return r.v.Index.Update(r.apply)
	}
	d := r.rebuild.data
	if err := r.apply(&d); err != nil {
		return err
	}
	return r.v.Index.Replace(r.rebuild.raw, r.rebuild.aside, d)
}
