package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/install"
)

var installCmd = &Command{Name: "install", Summary: "register the native messaging host with your browsers", MaxArgs: NoArgs, Usage: `
Usage: tokenbridge install [--browser all|BROWSER[,BROWSER...]] [--system]
                          [--dir DIR] [--extension-id ID]...

Registers the tokenbridge native messaging host (dev.tokenbridge.host) with
your browsers: writes the host manifest where each browser looks for it
(and, on Windows, the registry key that points at it). The manifest points
at this binary, so install from where the binary will stay.

Without --browser, installs for every supported browser found on this
machine (profile directory or program on PATH). Flatpak and Snap builds are
sandboxed and cannot start the host: install prints what to do instead.

What was written is recorded in installed.json in the config directory, so
"tokenbridge uninstall" removes exactly that. Check with "tokenbridge doctor".

Exit codes: 0 ok, 1 problem, 2 usage.`,
	Flags: func(fs *flag.FlagSet) Action {
		opts := installFlags(fs, "all (default), or one or more of (comma-separated):\n"+browserList()+";\na named browser is installed for even when it is not found",
			"install for all users (/etc, /usr/lib, /Library, HKLM);\nneeds root or Administrator",
			"write the manifest into exactly `DIR` (e.g. a Chromium\n--user-data-dir/NativeMessagingHosts); --browser then picks\nthe flavour: chromium (default) or firefox")
		fs.Var((*listFlag)(&opts.ExtensionIDs), "extension-id", "also allow this extension: a Chromium `ID` (32 letters a-p,\nfrom chrome://extensions) or a Firefox ID (name@domain or\n{uuid}); repeatable; saved in config.json for the host")
		return func(env *Env, _ []string) int { return withInstallEnv(env, *opts, runInstall) }
	}}

var uninstallCmd = &Command{Name: "uninstall", Summary: "remove the native messaging host registration (tokens stay in the keyring)", MaxArgs: NoArgs, Usage: `
Usage: tokenbridge uninstall [--browser all|BROWSER[,BROWSER...]] [--system]
                            [--dir DIR]

Removes the native messaging host manifests (and Windows registry keys)
that "tokenbridge install" wrote, as recorded in installed.json, plus any
tokenbridge manifest in the selected browsers' known locations (so it also
works when the record is lost). Other hosts' manifests are never touched.
Your tokens stay in the OS keyring.

Exit codes: 0 ok (also when there was nothing to remove), 1 problem, 2 usage.`,
	Flags: func(fs *flag.FlagSet) Action {
		opts := installFlags(fs, "all (default), or one or more of (comma-separated):\n"+browserList(),
			"remove the all-users manifests (needs root or Administrator)",
			"remove the manifest written with \"install --dir `DIR`\"")
		return func(env *Env, _ []string) int { return withInstallEnv(env, *opts, runUninstall) }
	}}

// browserList is the --browser names, wrapped for the help text.
func browserList() string {
	var b strings.Builder
	line := 0
	for i, id := range install.BrowserIDs() {
		switch {
		case i == 0:
		case line+2+len(id) > 60:
			b.WriteString(",\n")
			line = 0
		default:
			b.WriteString(", ")
			line += 2
		}
		b.WriteString(id)
		line += len(id)
	}
	return b.String()
}

// installFlags declares the flags install and uninstall share.
func installFlags(fs *flag.FlagSet, browser, system, dir string) *install.Options {
	var opts install.Options
	fs.StringVar(&opts.Browser, "browser", "", browser)
	fs.BoolVar(&opts.System, "system", false, system)
	fs.StringVar(&opts.Dir, "dir", "", dir)
	return &opts
}

// listFlag is a repeatable flag whose values may also be comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// withInstallEnv runs an install command on the running machine.
func withInstallEnv(env *Env, opts install.Options, run func(*Env, install.Env, install.Options) int) int {
	ienv, err := install.DefaultEnv()
	if err != nil {
		return env.Fail(err)
	}
	return run(env, ienv, opts)
}

// runInstall installs with ienv and opts and prints the result.
func runInstall(env *Env, ienv install.Env, opts install.Options) int {
	res, err := install.Install(ienv, opts)
	if len(res.Entries) > 0 {
		fmt.Fprintf(env.Stdout, "Registered the native messaging host %s for:\n", config.HostName)
		printEntries(env.Stdout, res.Entries)
		fmt.Fprintf(env.Stdout, "Host binary: %s\n", ienv.Executable)
		if allowed, lerr := ienv.AllowedExtensions(); lerr == nil {
			fmt.Fprintf(env.Stdout, "Allowed extensions: %s\n", strings.Join(allowed, ", "))
		}
	}
	printNotices(env.Stdout, res.Notices)
	if err != nil {
		return env.Fail(err)
	}
	fmt.Fprintf(env.Stdout, "\nNext: restart the browser if it is running, load the extension, then run `tokenbridge doctor`.\n")
	return ExitOK
}

// runUninstall uninstalls with ienv and opts and prints the result.
func runUninstall(env *Env, ienv install.Env, opts install.Options) int {
	res, err := install.Uninstall(ienv, opts)
	if len(res.Removed) > 0 {
		fmt.Fprintln(env.Stdout, "Removed:")
		for _, r := range res.Removed {
			fmt.Fprintf(env.Stdout, "  %s\n", r)
		}
	}
	printNotices(env.Stdout, res.Notices)
	if err != nil {
		return env.Fail(err)
	}
	return ExitOK
}

func printEntries(w io.Writer, entries []install.RecordEntry) {
	for _, e := range entries {
		name := e.Browser
		if b, ok := install.LookupBrowser(e.Browser); ok {
			name = b.Name
		}
		if e.Custom {
			name += " (--dir)"
		}
		if e.System {
			name += " (system)"
		}
		fmt.Fprintf(w, "  %-24s %s\n", name, e.File)
		if e.RegKey != "" {
			root := "HKCU"
			if e.System {
				root = "HKLM"
			}
			fmt.Fprintf(w, "  %-24s %s\\%s\n", "", root, e.RegKey)
		}
	}
}

func printNotices(w io.Writer, notices []install.Notice) {
	for _, n := range notices {
		fmt.Fprintf(w, "\nNote (%s): %s\n", n.Browser, n.Text)
	}
}
