package install

import (
	"fmt"
	"sort"
	"strings"
)

// Family is the kind of host manifest a browser reads.
type Family string

const (
	// FamilyChromium manifests list allowed_origins (chrome-extension://<id>/).
	FamilyChromium Family = "chromium"
	// FamilyFirefox manifests list allowed_extensions (gecko IDs).
	FamilyFirefox Family = "firefox"
)

// Browser describes where one browser looks for native messaging host
// manifests on each OS, and how to tell that it is installed.
type Browser struct {
	ID     string // value of --browser
	Name   string // human name
	Family Family

	// Linux. Chromium-family paths are relative to $XDG_CONFIG_HOME
	// (default ~/.config); Firefox paths are relative to $HOME.
	LinuxProfile  string   // exists when the browser has been run
	LinuxHosts    string   // user-scope manifest directory
	LinuxSystem   []string // system-scope manifest directories (absolute); nil: not known
	LinuxBinaries []string // names looked up on PATH
	Flatpak       []string // Flatpak application IDs
	Snap          []string // Snap names

	// macOS. Paths are relative to ~/Library/Application Support.
	MacProfile string
	MacHosts   string
	MacSystem  []string // absolute; nil: not known
	MacApps    []string // bundle names under /Applications

	// Windows. WinProfile is relative to %LOCALAPPDATA% (Chromium family) or
	// %APPDATA% (Firefox); WinKey is the registry key that holds one subkey
	// per host, under HKCU (user) or HKLM (--system).
	WinProfile string
	WinKey     string
}

// Browsers lists every supported browser, in the order they are installed.
var Browsers = []Browser{
	{
		ID: "chrome", Name: "Google Chrome", Family: FamilyChromium,
		LinuxProfile: "google-chrome", LinuxHosts: "google-chrome/NativeMessagingHosts",
		LinuxSystem:   []string{"/etc/opt/chrome/native-messaging-hosts"},
		LinuxBinaries: []string{"google-chrome", "google-chrome-stable", "google-chrome-beta"},
		Flatpak:       []string{"com.google.Chrome"},
		MacProfile:    "Google/Chrome", MacHosts: "Google/Chrome/NativeMessagingHosts",
		MacSystem:  []string{"/Library/Google/Chrome/NativeMessagingHosts"},
		MacApps:    []string{"Google Chrome.app"},
		WinProfile: `Google\Chrome\User Data`, WinKey: `Software\Google\Chrome\NativeMessagingHosts`,
	},
	{
		ID: "chromium", Name: "Chromium", Family: FamilyChromium,
		LinuxProfile: "chromium", LinuxHosts: "chromium/NativeMessagingHosts",
		LinuxSystem:   []string{"/etc/chromium/native-messaging-hosts"},
		LinuxBinaries: []string{"chromium", "chromium-browser"},
		Flatpak:       []string{"org.chromium.Chromium", "io.github.ungoogled_software.ungoogled_chromium"},
		Snap:          []string{"chromium"},
		MacProfile:    "Chromium", MacHosts: "Chromium/NativeMessagingHosts",
		MacSystem:  []string{"/Library/Application Support/Chromium/NativeMessagingHosts"},
		MacApps:    []string{"Chromium.app"},
		WinProfile: `Chromium\User Data`, WinKey: `Software\Chromium\NativeMessagingHosts`,
	},
	{
		ID: "edge", Name: "Microsoft Edge", Family: FamilyChromium,
		LinuxProfile: "microsoft-edge", LinuxHosts: "microsoft-edge/NativeMessagingHosts",
		LinuxSystem:   []string{"/etc/opt/edge/native-messaging-hosts"},
		LinuxBinaries: []string{"microsoft-edge", "microsoft-edge-stable", "microsoft-edge-beta"},
		Flatpak:       []string{"com.microsoft.Edge"},
		MacProfile:    "Microsoft Edge", MacHosts: "Microsoft Edge/NativeMessagingHosts",
		MacSystem:  []string{"/Library/Microsoft/Edge/NativeMessagingHosts"},
		MacApps:    []string{"Microsoft Edge.app"},
		WinProfile: `Microsoft\Edge\User Data`, WinKey: `Software\Microsoft\Edge\NativeMessagingHosts`,
	},
	{
		ID: "brave", Name: "Brave", Family: FamilyChromium,
		LinuxProfile: "BraveSoftware/Brave-Browser", LinuxHosts: "BraveSoftware/Brave-Browser/NativeMessagingHosts",
		LinuxBinaries: []string{"brave-browser", "brave", "brave-browser-stable"},
		Flatpak:       []string{"com.brave.Browser"},
		Snap:          []string{"brave"},
		MacProfile:    "BraveSoftware/Brave-Browser", MacHosts: "BraveSoftware/Brave-Browser/NativeMessagingHosts",
		MacApps:    []string{"Brave Browser.app"},
		WinProfile: `BraveSoftware\Brave-Browser\User Data`, WinKey: `Software\BraveSoftware\Brave-Browser\NativeMessagingHosts`,
	},
	{
		ID: "vivaldi", Name: "Vivaldi", Family: FamilyChromium,
		LinuxProfile: "vivaldi", LinuxHosts: "vivaldi/NativeMessagingHosts",
		LinuxBinaries: []string{"vivaldi", "vivaldi-stable"},
		Flatpak:       []string{"com.vivaldi.Vivaldi"},
		Snap:          []string{"vivaldi"},
		MacProfile:    "Vivaldi", MacHosts: "Vivaldi/NativeMessagingHosts",
		MacApps:    []string{"Vivaldi.app"},
		WinProfile: `Vivaldi\User Data`, WinKey: `Software\Vivaldi\NativeMessagingHosts`,
	},
	{
		ID: "yandex", Name: "Yandex Browser", Family: FamilyChromium,
		LinuxProfile: "yandex-browser", LinuxHosts: "yandex-browser/NativeMessagingHosts",
		LinuxBinaries: []string{"yandex-browser", "yandex-browser-stable", "yandex-browser-beta"},
		Flatpak:       []string{"ru.yandex.Browser"},
		MacProfile:    "Yandex/YandexBrowser", MacHosts: "Yandex/YandexBrowser/NativeMessagingHosts",
		MacApps:    []string{"Yandex.app"},
		WinProfile: `Yandex\YandexBrowser\User Data`, WinKey: `Software\Yandex\YandexBrowser\NativeMessagingHosts`,
	},
	{
		ID: "firefox", Name: "Firefox", Family: FamilyFirefox,
		LinuxProfile: ".mozilla/firefox", LinuxHosts: ".mozilla/native-messaging-hosts",
		LinuxSystem:   []string{"/usr/lib/mozilla/native-messaging-hosts", "/usr/lib64/mozilla/native-messaging-hosts"},
		LinuxBinaries: []string{"firefox", "firefox-esr"},
		Flatpak:       []string{"org.mozilla.firefox"},
		Snap:          []string{"firefox"},
		MacProfile:    "Firefox", MacHosts: "Mozilla/NativeMessagingHosts",
		MacSystem:  []string{"/Library/Application Support/Mozilla/NativeMessagingHosts"},
		MacApps:    []string{"Firefox.app", "Firefox ESR.app"},
		WinProfile: `Mozilla\Firefox`, WinKey: `Software\Mozilla\NativeMessagingHosts`,
	},
}

// BrowserIDs returns the valid --browser values (without "all").
func BrowserIDs() []string {
	ids := make([]string, 0, len(Browsers))
	for _, b := range Browsers {
		ids = append(ids, b.ID)
	}
	return ids
}

// LookupBrowser finds a browser by its --browser value.
func LookupBrowser(id string) (Browser, bool) {
	for _, b := range Browsers {
		if b.ID == id {
			return b, true
		}
	}
	return Browser{}, false
}

// ParseBrowsers turns a --browser value ("all", "chrome", "chrome,firefox")
// into a browser list. all reports whether every browser was asked for
// (then only detected ones are installed).
func ParseBrowsers(value string) (list []Browser, all bool, err error) {
	value = strings.TrimSpace(strings.ToLower(value))
	if value == "" || value == "all" {
		return append([]Browser(nil), Browsers...), true, nil
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(value, ",") {
		part = strings.TrimSpace(part)
		if part == "all" {
			return nil, false, fmt.Errorf("%w: --browser all cannot be combined with other names", ErrUsage)
		}
		b, ok := LookupBrowser(part)
		if !ok {
			return nil, false, fmt.Errorf("%w: unknown browser %q; use one of all, %s", ErrUsage, part, strings.Join(BrowserIDs(), ", "))
		}
		if !seen[b.ID] {
			seen[b.ID] = true
			list = append(list, b)
		}
	}
	sort.SliceStable(list, func(i, j int) bool { return browserIndex(list[i].ID) < browserIndex(list[j].ID) })
	return list, false, nil
}

func browserIndex(id string) int {
	for i, b := range Browsers {
		if b.ID == id {
			return i
		}
	}
	return len(Browsers)
}
