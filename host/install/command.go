package install

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/tokenbridge/tokenbridge/host/config"
)

// Exit codes of the install and uninstall commands.
const (
	ExitOK      = 0
	ExitProblem = 1
	ExitUsage   = 2
)

// InstallUsage is the help text of `tokenbridge install`.
const InstallUsage = `Usage: tokenbridge install [--browser all|chrome|chromium|edge|brave|vivaldi|yandex|firefox]
                         [--system] [--dir DIR] [--extension-id ID]...

Registers the tokenbridge native messaging host (dev.tokenbridge.host) with
your browsers: writes the host manifest where each browser looks for it
(and, on Windows, the registry key that points at it). The manifest points
at this binary, so install from where the binary will stay.

Without --browser, installs for every supported browser found on this
machine (profile directory or program on PATH). Flatpak and Snap builds are
sandboxed and cannot start the host: install prints what to do instead.

Options:
  --browser B        all (default), or one or more of chrome, chromium, edge,
                     brave, vivaldi, yandex, firefox (comma-separated); a named
                     browser is installed for even when it is not found
  --system           install for all users (/etc, /usr/lib, /Library, HKLM);
                     needs root or Administrator
  --dir DIR          write the manifest into exactly DIR (e.g. a Chromium
                     --user-data-dir/NativeMessagingHosts); --browser then picks
                     the flavour: chromium (default) or firefox
  --extension-id ID  also allow this extension: a Chromium ID (32 letters a-p,
                     from chrome://extensions) or a Firefox ID (name@domain or
                     {uuid}); repeatable; saved in config.json for the host

What was written is recorded in installed.json in the config directory, so
"tokenbridge uninstall" removes exactly that. Check with "tokenbridge doctor".

Exit codes: 0 ok, 1 problem, 2 usage.
`

// UninstallUsage is the help text of `tokenbridge uninstall`.
const UninstallUsage = `Usage: tokenbridge uninstall [--browser all|chrome|chromium|edge|brave|vivaldi|yandex|firefox]
                           [--system] [--dir DIR]

Removes the native messaging host manifests (and Windows registry keys)
that "tokenbridge install" wrote, as recorded in installed.json, plus any
tokenbridge manifest in the selected browsers' known locations (so it also
works when the record is lost). Other hosts' manifests are never touched.
Your tokens stay in the OS keyring.

Options:
  --browser B   all (default) or a comma-separated list of browsers
  --system      remove the all-users manifests (needs root or Administrator)
  --dir DIR     remove the manifest written with "install --dir DIR"

Exit codes: 0 ok (also when there was nothing to remove), 1 problem, 2 usage.
`

type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

func (s *stringList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*s = append(*s, p)
		}
	}
	return nil
}

func parseFlags(name, usage string, args []string, withIDs bool, stdout, stderr io.Writer) (Options, int, bool) {
	var opts Options
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&opts.Browser, "browser", "", "")
	fs.BoolVar(&opts.System, "system", false, "")
	fs.StringVar(&opts.Dir, "dir", "", "")
	var ids stringList
	if withIDs {
		fs.Var(&ids, "extension-id", "")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return opts, ExitOK, false
		}
		fmt.Fprintf(stderr, "tokenbridge %s: %v\nRun `tokenbridge %s --help` for usage.\n", name, err, name)
		return opts, ExitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tokenbridge %s: unexpected argument %q (flags only)\nRun `tokenbridge %s --help` for usage.\n", name, fs.Arg(0), name)
		return opts, ExitUsage, false
	}
	opts.ExtensionIDs = ids
	return opts, ExitOK, true
}

// RunInstall is `tokenbridge install`: it parses args, installs on the
// running machine and prints what it did. It returns the exit code.
func RunInstall(args []string, stdout, stderr io.Writer) int {
	opts, code, ok := parseFlags("install", InstallUsage, args, true, stdout, stderr)
	if !ok {
		return code
	}
	env, err := DefaultEnv()
	if err != nil {
		fmt.Fprintf(stderr, "tokenbridge install: %v\n", err)
		return ExitProblem
	}
	return RunInstallEnv(env, opts, stdout, stderr)
}

// RunInstallEnv installs with env and opts and prints the result.
func RunInstallEnv(env Env, opts Options, stdout, stderr io.Writer) int {
	res, err := Install(env, opts)
	if len(res.Entries) > 0 {
		fmt.Fprintf(stdout, "Registered the native messaging host %s for:\n", config.HostName)
		printEntries(stdout, res.Entries)
		fmt.Fprintf(stdout, "Host binary: %s\n", env.Executable)
		if saved, lerr := env.loadExtensionIDs(); lerr == nil {
			origins, gecko := splitIDs(saved)
			fmt.Fprintf(stdout, "Allowed extensions: %s\n", strings.Join(append(origins, gecko...), ", "))
		}
	}
	printNotices(stdout, res.Notices)
	if err != nil {
		return reportError(stderr, "install", err)
	}
	fmt.Fprintf(stdout, "\nNext: restart the browser if it is running, load the extension, then run `tokenbridge doctor`.\n")
	return ExitOK
}

// RunUninstall is `tokenbridge uninstall`.
func RunUninstall(args []string, stdout, stderr io.Writer) int {
	opts, code, ok := parseFlags("uninstall", UninstallUsage, args, false, stdout, stderr)
	if !ok {
		return code
	}
	env, err := DefaultEnv()
	if err != nil {
		fmt.Fprintf(stderr, "tokenbridge uninstall: %v\n", err)
		return ExitProblem
	}
	return RunUninstallEnv(env, opts, stdout, stderr)
}

// RunUninstallEnv uninstalls with env and opts and prints the result.
func RunUninstallEnv(env Env, opts Options, stdout, stderr io.Writer) int {
	res, err := Uninstall(env, opts)
	if len(res.Removed) > 0 {
		fmt.Fprintln(stdout, "Removed:")
		for _, r := range res.Removed {
			fmt.Fprintf(stdout, "  %s\n", r)
		}
	}
	printNotices(stdout, res.Notices)
	if err != nil {
		return reportError(stderr, "uninstall", err)
	}
	return ExitOK
}

func printEntries(w io.Writer, entries []RecordEntry) {
	for _, e := range entries {
		name := e.Browser
		if b, ok := LookupBrowser(e.Browser); ok {
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

func printNotices(w io.Writer, notices []Notice) {
	for _, n := range notices {
		fmt.Fprintf(w, "\nNote (%s): %s\n", n.Browser, n.Text)
	}
}

func reportError(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "tokenbridge %s: %v\n", cmd, err)
	if errors.Is(err, ErrUsage) {
		fmt.Fprintf(stderr, "Run `tokenbridge %s --help` for usage.\n", cmd)
		return ExitUsage
	}
	return ExitProblem
}
