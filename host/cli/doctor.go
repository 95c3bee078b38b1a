package cli

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/install"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

var doctorCmd = &Command{Name: "doctor", Summary: "check manifests, keyring and index; repair what it can", Usage: `
Usage: tokenbridge doctor [--check] [--force]

Checks, and prints as a table:
  - browser registration: every native-messaging manifest (valid JSON, name, path
    points at this binary, extension IDs);
  - the keyring: a store/read/delete round trip;
  - the index: it parses, and every token has its keyring item and every keyring
    item its metadata. A keyring item without metadata is adopted (metadata rebuilt
    from the secret); metadata whose secret is gone is removed.
  - a damaged index (truncated, garbage, empty, wrong version) is rebuilt, not
    emptied: from what can still be read of it, from its last-good copy
    (index.last-good.json, written before every change) and from the keyring (MOEX
    profiles from their settings items, moex/NAME/profile); the damaged file is
    moved aside (index.json.damaged-TIME). --check lists every token and profile a
    repair restores and what it would drop.
  - MOEX profiles: a valid token URL, the client secret and password items a sign-in
    needs, items that cannot be read (a damaged cached token is deleted: the next
    sign-in replaces it), the settings item (written when missing); keyring items of
    a profile the index lacks are rebuilt into it, or reported with the fix.
  - API overrides (TOKENBRIDGE_TINVEST_URL, TOKENBRIDGE_TINVEST_SANDBOX_URL,
    TOKENBRIDGE_TINVEST_CA, config.json's "api_overrides"): each active one is a
    "warning" row (tokens are checked against it instead of the bank, or TLS trusts
    an extra CA); one the override rule refuses is a PROBLEM (checks fail until it is
    unset or named in config.json).
  Without --force it refuses what could lose data: a rebuild that cannot restore
  everything (part of the file unreadable and no whole last-good copy; a file of a
  newer tokenbridge), or dropping most tokens at once (a different keyring session?).
  --check only reports and changes nothing.
Exit code: 0 when everything is fine (or was repaired; warnings do not count), 1 when
a problem remains.`,
	Flags: func(fs *flag.FlagSet) Action {
		var opts vault.DoctorOptions
		checkOnly := fs.Bool("check", false, "only report, repair nothing")
		fs.BoolVar(&opts.Force, "force", false, "also repairs that may lose metadata (see above)")
		return func(env *Env, _ []string) int {
			opts.Repair = !*checkOnly
			return runDoctor(env, opts)
		}
	}}

type row struct{ area, subject, status, detail string }

func runDoctor(env *Env, opts vault.DoctorOptions) int {
	var rows []row
	bad := 0
	add := func(area, subject string, ok bool, detail string) {
		status := "ok"
		if !ok {
			status = "PROBLEM"
			bad++
		}
		rows = append(rows, row{area, subject, status, detail})
	}

	for _, f := range install.DiagnoseDefault() {
		detail := f.Problem
		if f.Fix != "" {
			detail += " → " + f.Fix
		}
		add("browser", f.Browser+" "+f.Path, f.OK, detail)
	}

	dirs, err := env.Dirs()
	if err != nil {
		add("files", "home", false, err.Error())
	} else {
		add("files", dirs.Home, true, "TOKENBRIDGE_HOME overrides; log: "+dirs.Log())
		if st, err := os.Stat(dirs.Index()); err == nil && runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
			add("files", dirs.Index(), false, fmt.Sprintf("mode %o lets other users read it → chmod 600 %s", st.Mode().Perm(), dirs.Index()))
		}
	}

	overrides, oerr := config.ActiveOverrides()
	if oerr != nil {
		add("api override", "config.json", false, oerr.Error())
	}
	for _, o := range overrides {
		subject := o.Name() + "=" + o.Value
		if o.Refused != "" {
			add("api override", subject, false, o.Reason())
			continue
		}
		rows = append(rows, row{"api override", subject, "warning", o.Reason()})
	}

	probe := fmt.Sprintf("doctor/probe-%d", os.Getpid())
	s := env.Store()
	kerr := s.Set(probe, "probe")
	if kerr == nil {
		var got string
		got, kerr = s.Get(probe)
		if kerr == nil && got != "probe" {
			kerr = fmt.Errorf("read back a different value")
		}
		_ = s.Delete(probe)
	}
	if kerr != nil {
		add("keyring", "round trip", false, kerr.Error())
	} else {
		add("keyring", "round trip", true, "store, read and delete work")
	}

	if kerr == nil {
		v, err := env.Vault()
		if err == nil {
			problems, derr := v.Doctor(opts)
			real := 0
			for _, p := range problems {
				detail := p.Problem + " → " + p.Fix
				area := "index"
				if strings.HasPrefix(p.Key, "moex/") {
					area = "moex"
				}
				switch {
				case p.Note:
					rows = append(rows, row{area, p.Key, "note", p.Problem})
				case p.Repaired:
					rows = append(rows, row{area, p.Key, "repaired", detail})
				default:
					add(area, p.Key, false, detail)
				}
				if !p.Note {
					real++
				}
			}
			if derr != nil {
				add("index", dirs.Index(), false, derr.Error())
			} else if real == 0 {
				toks, _ := v.List("")
				n := 0
				if m, err := env.Moex(); err == nil {
					ps, _ := m.List()
					n = len(ps)
				}
				add("index", dirs.Index(), true, fmt.Sprintf("%d tokens and %d MOEX profiles, each with its keyring items", len(toks), n))
			}
		} else {
			add("index", "open", false, err.Error())
		}
	}

	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "AREA\tSUBJECT\tSTATUS\tDETAIL")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.area, r.subject, r.status, r.detail)
	}
	tw.Flush()
	if bad > 0 {
		fmt.Fprintf(env.Stdout, "\n%d problem(s) found.\n", bad)
		return ExitFailure
	}
	return ExitOK
}
