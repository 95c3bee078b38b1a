package vault

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/moex"
)

// rebuildPlan is how a damaged index is rebuilt: what can be read of the damaged file first,
// then what its last-good copy adds. Doctor then checks the result against the keyring like a
// healthy index (adopting items without metadata, rebuilding MOEX profiles from their
// settings items) before anything is written.
type rebuildPlan struct {
	raw      []byte // the damaged file, which Replace checks is unchanged
	aside    string // where the damaged file goes
	cause    error
	data     index.Data
	profiles []moex.Profile
	// dropReason, when set, says what a rebuild would lose: it then needs Force.
	dropReason string
	restored   []Problem // one note per entry, and where it comes from
	fromMain   [2]int    // tokens, profiles read from the damaged file
	fromCopy   [2]int    // tokens, profiles added from the last-good copy
	salvage    string    // what the salvage of the damaged file read
	noCopy     bool      // there is no last-good copy
}

const (
	fromDamaged = "the damaged file"
	fromCopy    = "the last-good copy"
)

func (v *Vault) planRebuild(cause error) (*rebuildPlan, error) {
	raw, err := v.Index.ReadRaw()
	if err != nil {
		return nil, fmt.Errorf("read index: %w", err)
	}
	plan := &rebuildPlan{raw: raw, cause: cause, data: index.Data{Version: index.Version},
		aside: fmt.Sprintf("%s.damaged-%d", v.Index.Path(), v.Now().Unix())}
	for i := 2; ; i++ { // never over an earlier damaged file
		if _, err := os.Lstat(plan.aside); errors.Is(err, fs.ErrNotExist) {
			break
		}
		plan.aside = fmt.Sprintf("%s.damaged-%d-%d", v.Index.Path(), v.Now().Unix(), i)
	}
	main := index.Salvage(raw)
	mainProfiles, mainLost := moex.SalvageProfiles(&main.Data)
	plan.salvage = main.Describe(len(raw))

	var copyData index.Data
	var copyProfiles []moex.Profile
	copyWhole := false
	craw, err := os.ReadFile(v.Index.BackupPath())
	switch {
	case err == nil:
		c := index.Salvage(craw)
		var lost int
		copyData = c.Data
		copyProfiles, lost = moex.SalvageProfiles(&c.Data)
		copyWhole = c.Complete && lost == 0 && c.Version <= index.Version
	case errors.Is(err, fs.ErrNotExist):
		plan.noCopy = true
	default:
		return nil, fmt.Errorf("read the last-good copy of the index: %w", err)
	}

	add := func(from string, tokens []index.Token, profiles []moex.Profile, n *[2]int) {
		for _, t := range tokens {
			if plan.data.TokenByID(t.ID) >= 0 {
				continue
			}
			plan.data.Tokens = append(plan.data.Tokens, t)
			plan.restored = append(plan.restored, Problem{Key: t.ID, Note: true, Problem: fmt.Sprintf("token «%s» (%s, %s) from %s", t.Label, t.Provider, t.Kind, from)})
			n[0]++
		}
		for _, p := range profiles {
			if slices.ContainsFunc(plan.profiles, func(q moex.Profile) bool { return q.Name == p.Name }) {
				continue
			}
			plan.profiles = append(plan.profiles, p)
			plan.restored = append(plan.restored, Problem{Key: "moex/" + p.Name, Note: true, Problem: fmt.Sprintf("MOEX profile %s from %s", p.String(), from)})
			n[1]++
		}
	}
	add(fromDamaged, main.Data.Tokens, mainProfiles, &plan.fromMain)
	add(fromCopy, copyData.Tokens, copyProfiles, &plan.fromCopy)

	plan.mergeSections(main, copyData)
	if err := moex.SetProfilesIn(&plan.data, plan.profiles); err != nil {
		return nil, err
	}

	var lost []string
	if main.UnreadFrom >= 0 {
		lost = append(lost, fmt.Sprintf("bytes %d to %d", main.UnreadFrom, len(raw)))
	}
	if main.Skipped > 0 {
		lost = append(lost, fmt.Sprintf("%d token entr(ies) of the wrong shape", main.Skipped))
	}
	if mainLost > 0 {
		lost = append(lost, fmt.Sprintf("%d MOEX profile entr(ies)", mainLost))
	}
	switch {
	case main.Version > index.Version:
		plan.dropReason = fmt.Sprintf("the file was written by a newer tokenbridge (format version %d, this one knows %d): a rewrite drops what only the newer version knows (better: upgrade tokenbridge)", main.Version, index.Version)
	case len(lost) > 0 && !copyWhole:
		plan.dropReason = fmt.Sprintf("part of the damaged file cannot be read (%s) and there is no whole last-good copy to cover it: what was there is not restored (it stays in the moved-aside file)", strings.Join(lost, ", "))
	}
	return plan, nil
}

// mergeSections copies the sections other than MOEX's: whole ones of the damaged file first,
// then the last-good copy's, then one the damaged file holds only a part of.
func (plan *rebuildPlan) mergeSections(main index.Salvaged, copyData index.Data) {
	has := func(k string) bool { _, ok := plan.data.Sections[k]; return ok || k == moex.IndexSection }
	put := func(k string, raw []byte) {
		if plan.data.Sections == nil {
			plan.data.Sections = map[string]json.RawMessage{}
		}
		plan.data.Sections[k] = raw
	}
	for k, raw := range main.Data.Sections {
		if !has(k) && !slices.Contains(main.Partial, k) {
			put(k, raw)
		}
	}
	for k, raw := range copyData.Sections {
		if !has(k) {
			put(k, raw)
		}
	}
	for k, raw := range main.Data.Sections {
		if !has(k) {
			put(k, raw)
		}
	}
}

// report says what a rebuild restores and what it drops, or why it waits for --force.
func (plan *rebuildPlan) report(f *index.File, opt DoctorOptions) []Problem {
	counts := fmt.Sprintf("%d token(s) and %d MOEX profile(s) read from the damaged file (%s), %d token(s) and %d profile(s) more from the last-good copy %s",
		plan.fromMain[0], plan.fromMain[1], plan.salvage, plan.fromCopy[0], plan.fromCopy[1], f.BackupPath())
	if plan.noCopy {
		counts = fmt.Sprintf("%d token(s) and %d MOEX profile(s) read from the damaged file (%s; there is no last-good copy %s)",
			plan.fromMain[0], plan.fromMain[1], plan.salvage, f.BackupPath())
	}
	p := Problem{Key: f.Path(), Problem: plan.cause.Error()}
	switch {
	case plan.dropReason != "" && !opt.Force:
		p.Fix = "a repair would restore " + counts + ", but " + plan.dropReason + ": restore index.json from a backup if you have one, or run `tokenbridge doctor --force` to rebuild it anyway (the damaged file is moved aside, not deleted)"
	case opt.Repair:
		p.Fix, p.Repaired = "moved aside to "+plan.aside+"; rebuilt with "+counts, true
	default:
		p.Fix = "a repair (`tokenbridge doctor`) moves it aside and rebuilds it with " + counts
	}
	if plan.dropReason != "" && opt.Force {
		p.Fix += "; dropped with --force: " + plan.dropReason
	}
	verb := "restored: "
	if !opt.Repair || (plan.dropReason != "" && !opt.Force) {
		verb = "a repair restores: "
	}
	out := []Problem{p}
	for _, r := range plan.restored {
		r.Problem = verb + r.Problem
		out = append(out, r)
	}
	return out
}
