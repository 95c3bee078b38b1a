package install

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Detection tells whether a browser is installed for the current user.
type Detection struct {
	Browser Browser
	Found   bool
	Reason  string // what was found ("profile ~/.config/chromium", "chromium on PATH")
	// Sandboxed lists Flatpak and Snap builds of the browser: they cannot
	// start a host outside their sandbox, so they never count as Found.
	Sandboxed []Sandbox
}

// Sandbox is one Flatpak or Snap build of a browser.
type Sandbox struct {
	Kind  string // "flatpak" or "snap"
	AppID string // Flatpak application ID or Snap name
	Path  string // the directory that revealed it
}

// Detect looks for b on env: its profile directory, its program on PATH
// or (macOS) its app bundle, and, on Linux, Flatpak and Snap builds.
func Detect(env Env, b Browser) Detection {
	d := Detection{Browser: b}
	switch env.GOOS {
	case "linux":
		for _, id := range b.Flatpak {
			p := filepath.Join(env.Home, ".var", "app", id)
			if isDir(p) {
				d.Sandboxed = append(d.Sandboxed, Sandbox{Kind: "flatpak", AppID: id, Path: p})
			}
		}
		for _, name := range b.Snap {
			p := filepath.Join(env.Home, "snap", name)
			if isDir(p) {
				d.Sandboxed = append(d.Sandboxed, Sandbox{Kind: "snap", AppID: name, Path: p})
			}
		}
		base := env.xdgConfig()
		if b.Family == FamilyFirefox {
			base = env.Home
		}
		if p, ok := profileDir(base, b.LinuxProfile); ok {
			d.Found, d.Reason = true, "profile "+p
			return d
		}
		for _, bin := range b.LinuxBinaries {
			p, ok := env.lookPath(bin)
			if !ok {
				continue
			}
			if strings.HasPrefix(filepath.ToSlash(p), "/snap/") {
				// /snap/bin/<name> runs the Snap build.
				if !hasSandbox(d.Sandboxed, "snap") {
					d.Sandboxed = append(d.Sandboxed, Sandbox{Kind: "snap", AppID: bin, Path: p})
				}
				continue
			}
			d.Found, d.Reason = true, bin+" on PATH ("+p+")"
			return d
		}
	case "darwin":
		if p, ok := profileDir(filepath.Join(env.Home, "Library", "Application Support"), b.MacProfile); ok {
			d.Found, d.Reason = true, "profile "+p
			return d
		}
		for _, app := range b.MacApps {
			for _, dir := range []string{env.sys("/Applications"), filepath.Join(env.Home, "Applications")} {
				if p := filepath.Join(dir, app); isDir(p) {
					d.Found, d.Reason = true, "app "+p
					return d
				}
			}
		}
	case "windows":
		base := env.LocalAppData
		if b.WinRoaming {
			base = env.AppData
		}
		if base != "" {
			if p, ok := profileDir(base, strings.ReplaceAll(b.WinProfile, `\`, "/")); ok {
				d.Found, d.Reason = true, "profile "+p
				return d
			}
		}
	}
	return d
}

// profileDir joins base and a slash-separated profile path and reports
// whether that directory exists; an empty profile (the browser has none on
// this OS) is never found.
func profileDir(base, profile string) (string, bool) {
	if profile == "" || base == "" {
		return "", false
	}
	p := filepath.Join(base, filepath.FromSlash(profile))
	return p, isDir(p)
}

func hasSandbox(list []Sandbox, kind string) bool {
	for _, s := range list {
		if s.Kind == kind {
			return true
		}
	}
	return false
}

// Notice is a message for the user about one browser.
type Notice struct {
	Browser string
	Text    string
}

// SandboxNotice explains why tokenbridge does not register with a Flatpak
// or Snap browser and what the user can do instead.
func SandboxNotice(env Env, b Browser, s Sandbox) Notice {
	var text string
	switch s.Kind {
	case "flatpak":
		inside := filepath.Join(s.Path, "config", filepath.FromSlash(b.LinuxHosts))
		if b.Family == FamilyFirefox {
			inside = filepath.Join(s.Path, filepath.FromSlash(b.LinuxHosts))
		}
		binDir := filepath.Dir(env.Executable)
		text = fmt.Sprintf("A Flatpak build of %s (%s) is installed. A Flatpak browser runs in a sandbox: it does not read "+
			"host manifests outside %s and cannot start programs outside it, so tokenbridge did not register the Flatpak build.\n"+
			"  Recommended: install %s from your distribution's packages or the vendor's .deb/.rpm and run `tokenbridge install` again.\n"+
			"  Advanced (weakens the sandbox, not supported): let the sandbox see the host and the keyring,\n"+
			"    flatpak override --user --filesystem=%s:ro --talk-name=org.freedesktop.secrets %s\n"+
			"    tokenbridge install --browser %s --dir %s\n"+
			"  Known limits: the host then runs inside the sandbox; moving the binary or a Flatpak reset breaks it; "+
			"a keyring other than the Secret Service is unreachable.",
			b.Name, s.AppID, s.Path, b.Name, binDir, s.AppID, b.ID, inside)
	case "snap":
		if b.Family == FamilyFirefox {
			text = fmt.Sprintf("A Snap build of %s (%s) is installed. Snap Firefox starts native hosts only through the "+
				"WebExtensions desktop portal (recent Ubuntu), asks you for permission the first time, and fails "+
				"with \"native messaging host not found\" where the portal is missing.\n"+
				"  Recommended: install Firefox from Mozilla's .deb or your distribution's packages (not the Snap), then run `tokenbridge install --browser firefox`.\n"+
				"  To try the portal anyway: tokenbridge install --browser firefox (writes ~/.mozilla/native-messaging-hosts).",
				b.Name, s.AppID)
		} else {
			text = fmt.Sprintf("A Snap build of %s (%s) is installed. Snap's confinement does not let it start programs "+
				"outside the snap, so native messaging cannot work there and tokenbridge did not register the Snap build.\n"+
				"  Fix: install %s from the vendor's .deb/.rpm or a non-Snap package and run `tokenbridge install` again.",
				b.Name, s.AppID, b.Name)
		}
	default:
		text = fmt.Sprintf("%s: unknown sandbox %q at %s", b.Name, s.Kind, s.Path)
	}
	return Notice{Browser: b.Name, Text: text}
}
