package install

import (
	"errors"
	"fmt"
	"strings"
)

// ErrReplaceableBinary means install --system was run from a binary that a
// user other than root (Administrator) could replace. Every user's browser
// would start whatever that user put there, so install refuses.
var ErrReplaceableBinary = errors.New("the host binary can be replaced without root")

// checkSystemBinary runs env.CheckSystemBinary, or the real check of this
// OS (owner_unix.go, owner_windows.go).
func (e Env) checkSystemBinary() error {
	check := e.CheckSystemBinary
	if check == nil {
		check = systemBinaryProblem
	}
	if err := check(e.Executable); err != nil {
		return fmt.Errorf("--system: %w\n%s", err, systemBinaryFix(e.GOOS, e.Executable))
	}
	return nil
}

// systemBinaryFix says how to put the binary where only root can change it.
func systemBinaryFix(goos, exe string) string {
	if goos == "windows" {
		return fmt.Sprintf("Copy it under Program Files from an Administrator prompt, then install from there:\n"+
			"  mkdir \"%%ProgramFiles%%\\tokenbridge\"\n"+
			"  copy %s \"%%ProgramFiles%%\\tokenbridge\\tokenbridge.exe\"\n"+
			"  \"%%ProgramFiles%%\\tokenbridge\\tokenbridge.exe\" install --system", winQuote(exe))
	}
	pkg := ""
	if goos == "linux" {
		pkg = "Or install the tokenbridge .deb/.rpm package: it puts the binary in /usr/bin and registers it for all users.\n"
	}
	return fmt.Sprintf("Install it to a directory that only root can write (it and every parent owned by root, "+
		"not group/other-writable), then install from there:\n"+
		"  sudo install -m 0755 %s /usr/local/bin/tokenbridge\n"+
		"  sudo /usr/local/bin/tokenbridge install --system\n"+
		"%sOr drop --system: `tokenbridge install` registers the binary for your user only.", quoteArg(exe), pkg)
}

func winQuote(s string) string {
	if strings.ContainsAny(s, " \t") {
		return `"` + s + `"`
	}
	return s
}

// underWindowsDir reports whether the Windows path p lies inside one of
// dirs (case-insensitive, either slash). Empty dirs are ignored.
func underWindowsDir(p string, dirs []string) bool {
	norm := func(s string) string { return strings.TrimRight(strings.ToLower(strings.ReplaceAll(s, "/", `\`)), `\`) }
	np := norm(p)
	for _, d := range dirs {
		if d = norm(d); d != "" && strings.HasPrefix(np, d+`\`) {
			return true
		}
	}
	return false
}
