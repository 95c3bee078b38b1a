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
// manifests on each OS, and how to tell that it is installed. A browser
// with no location for an OS (empty LinuxHosts, MacHosts or WinKey) does
// not exist there.
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
	MacHosts   []string // user-scope manifest directories, all written
	MacSystem  []string // absolute; nil: not known
	MacApps    []string // bundle names under /Applications

	// Windows. WinProfile is relative to %LOCALAPPDATA%, or to %APPDATA%
	// when WinRoaming; WinKey is the registry key that holds one subkey
	// per host, under HKCU (user) or HKLM (--system). Browsers that read
	// the same key (channels, Opera) share one manifest and one key.
	WinProfile string
	WinRoaming bool
	WinKey     string
}

// Locations several browsers read. Chrome's channels keep their own
// profiles (so their own user directories on Linux and macOS) but share
// the system directories and, on Windows, the registry key; Opera reads
// every location of Google Chrome.
var (
	chromeLinuxHosts  = "google-chrome/NativeMessagingHosts"
	chromeLinuxSystem = []string{"/etc/opt/chrome/native-messaging-hosts"}
	chromeMacHosts    = []string{"Google/Chrome/NativeMessagingHosts"}
	chromeMacSystem   = []string{"/Library/Google/Chrome/NativeMessagingHosts"}
	chromeWinKey      = `Software\Google\Chrome\NativeMessagingHosts`
	edgeLinuxSystem   = []string{"/etc/opt/edge/native-messaging-hosts"}
	edgeMacSystem     = []string{"/Library/Microsoft/Edge/NativeMessagingHosts"}
	edgeWinKey        = `Software\Microsoft\Edge\NativeMessagingHosts`
	yandexWinKey      = `Software\Yandex\YandexBrowser\NativeMessagingHosts`
)

// Browsers lists every supported browser, in the order they are installed.
// Channel and fork locations follow the community conventions in
// shared/reference/native-messaging.md ("Browser channels and forks");
// where a location is not known (Chrome Canary and Yandex beta on Linux
// and macOS respectively, Arc outside macOS) the browser has none there.
var Browsers = []Browser{
	{
		ID: "chrome", Name: "Google Chrome", Family: FamilyChromium,
		LinuxProfile: "google-chrome", LinuxHosts: chromeLinuxHosts,
		LinuxSystem:   chromeLinuxSystem,
		LinuxBinaries: []string{"google-chrome", "google-chrome-stable"},
		Flatpak:       []string{"com.google.Chrome"},
		MacProfile:    "Google/Chrome", MacHosts: chromeMacHosts,
		MacSystem:  chromeMacSystem,
		MacApps:    []string{"Google Chrome.app"},
		WinProfile: `Google\Chrome\User Data`, WinKey: chromeWinKey,
	},
	{
		ID: "chrome-beta", Name: "Google Chrome Beta", Family: FamilyChromium,
		LinuxProfile: "google-chrome-beta", LinuxHosts: "google-chrome-beta/NativeMessagingHosts",
		LinuxSystem:   chromeLinuxSystem,
		LinuxBinaries: []string{"google-chrome-beta"},
		MacProfile:    "Google/Chrome Beta", MacHosts: []string{"Google/Chrome Beta/NativeMessagingHosts"},
		MacSystem:  chromeMacSystem,
		MacApps:    []string{"Google Chrome Beta.app"},
		WinProfile: `Google\Chrome Beta\User Data`, WinKey: chromeWinKey,
	},
	{
		ID: "chrome-dev", Name: "Google Chrome Dev", Family: FamilyChromium,
		LinuxProfile: "google-chrome-unstable", LinuxHosts: "google-chrome-unstable/NativeMessagingHosts",
		LinuxSystem:   chromeLinuxSystem,
		LinuxBinaries: []string{"google-chrome-unstable"},
		MacProfile:    "Google/Chrome Dev", MacHosts: []string{"Google/Chrome Dev/NativeMessagingHosts"},
		MacSystem:  chromeMacSystem,
		MacApps:    []string{"Google Chrome Dev.app"},
		WinProfile: `Google\Chrome Dev\User Data`, WinKey: chromeWinKey,
	},
	{
		ID: "chrome-canary", Name: "Google Chrome Canary", Family: FamilyChromium,
		MacProfile: "Google/Chrome Canary", MacHosts: []string{"Google/Chrome Canary/NativeMessagingHosts"},
		MacSystem:  chromeMacSystem,
		MacApps:    []string{"Google Chrome Canary.app"},
		WinProfile: `Google\Chrome SxS\User Data`, WinKey: chromeWinKey,
	},
	{
		ID: "chromium", Name: "Chromium", Family: FamilyChromium,
		LinuxProfile: "chromium", LinuxHosts: "chromium/NativeMessagingHosts",
		LinuxSystem:   []string{"/etc/chromium/native-messaging-hosts"},
		LinuxBinaries: []string{"chromium", "chromium-browser"},
		Flatpak:       []string{"org.chromium.Chromium", "io.github.ungoogled_software.ungoogled_chromium"},
		Snap:          []string{"chromium"},
		MacProfile:    "Chromium", MacHosts: []string{"Chromium/NativeMessagingHosts"},
		MacSystem:  []string{"/Library/Application Support/Chromium/NativeMessagingHosts"},
		MacApps:    []string{"Chromium.app"},
		WinProfile: `Chromium\User Data`, WinKey: `Software\Chromium\NativeMessagingHosts`,
	},
	{
		ID: "edge", Name: "Microsoft Edge", Family: FamilyChromium,
		LinuxProfile: "microsoft-edge", LinuxHosts: "microsoft-edge/NativeMessagingHosts",
		LinuxSystem:   edgeLinuxSystem,
		LinuxBinaries: []string{"microsoft-edge", "microsoft-edge-stable"},
		Flatpak:       []string{"com.microsoft.Edge"},
		MacProfile:    "Microsoft Edge", MacHosts: []string{"Microsoft Edge/NativeMessagingHosts"},
		MacSystem:  edgeMacSystem,
		MacApps:    []string{"Microsoft Edge.app"},
		WinProfile: `Microsoft\Edge\User Data`, WinKey: edgeWinKey,
	},
	{
		ID: "edge-beta", Name: "Microsoft Edge Beta", Family: FamilyChromium,
		LinuxProfile: "microsoft-edge-beta", LinuxHosts: "microsoft-edge-beta/NativeMessagingHosts",
		LinuxSystem:   edgeLinuxSystem,
		LinuxBinaries: []string{"microsoft-edge-beta"},
		MacProfile:    "Microsoft Edge Beta", MacHosts: []string{"Microsoft Edge Beta/NativeMessagingHosts"},
		MacSystem:  edgeMacSystem,
		MacApps:    []string{"Microsoft Edge Beta.app"},
		WinProfile: `Microsoft\Edge Beta\User Data`, WinKey: edgeWinKey,
	},
	{
		ID: "edge-dev", Name: "Microsoft Edge Dev", Family: FamilyChromium,
		LinuxProfile: "microsoft-edge-dev", LinuxHosts: "microsoft-edge-dev/NativeMessagingHosts",
		LinuxSystem:   edgeLinuxSystem,
		LinuxBinaries: []string{"microsoft-edge-dev"},
		MacProfile:    "Microsoft Edge Dev", MacHosts: []string{"Microsoft Edge Dev/NativeMessagingHosts"},
		MacSystem:  edgeMacSystem,
		MacApps:    []string{"Microsoft Edge Dev.app"},
		WinProfile: `Microsoft\Edge Dev\User Data`, WinKey: edgeWinKey,
	},
	{
		ID: "brave", Name: "Brave", Family: FamilyChromium,
		LinuxProfile: "BraveSoftware/Brave-Browser", LinuxHosts: "BraveSoftware/Brave-Browser/NativeMessagingHosts",
		LinuxBinaries: []string{"brave-browser", "brave", "brave-browser-stable"},
		Flatpak:       []string{"com.brave.Browser"},
		Snap:          []string{"brave"},
		MacProfile:    "BraveSoftware/Brave-Browser", MacHosts: []string{"BraveSoftware/Brave-Browser/NativeMessagingHosts"},
		MacApps:    []string{"Brave Browser.app"},
		WinProfile: `BraveSoftware\Brave-Browser\User Data`, WinKey: `Software\BraveSoftware\Brave-Browser\NativeMessagingHosts`,
	},
	{
		ID: "vivaldi", Name: "Vivaldi", Family: FamilyChromium,
		LinuxProfile: "vivaldi", LinuxHosts: "vivaldi/NativeMessagingHosts",
		LinuxBinaries: []string{"vivaldi", "vivaldi-stable"},
		Flatpak:       []string{"com.vivaldi.Vivaldi"},
		Snap:          []string{"vivaldi"},
		MacProfile:    "Vivaldi", MacHosts: []string{"Vivaldi/NativeMessagingHosts"},
		MacApps:    []string{"Vivaldi.app"},
		WinProfile: `Vivaldi\User Data`, WinKey: `Software\Vivaldi\NativeMessagingHosts`,
	},
	{
		ID: "yandex", Name: "Yandex Browser", Family: FamilyChromium,
		LinuxProfile: "yandex-browser", LinuxHosts: "yandex-browser/NativeMessagingHosts",
		LinuxBinaries: []string{"yandex-browser", "yandex-browser-stable"},
		Flatpak:       []string{"ru.yandex.Browser"},
		// Both macOS directories are reported in the wild: write both.
		MacProfile: "Yandex/YandexBrowser",
		MacHosts:   []string{"Yandex/NativeMessagingHosts", "Yandex/YandexBrowser/NativeMessagingHosts"},
		MacApps:    []string{"Yandex.app"},
		WinProfile: `Yandex\YandexBrowser\User Data`, WinKey: yandexWinKey,
	},
	{
		ID: "yandex-beta", Name: "Yandex Browser Beta", Family: FamilyChromium,
		LinuxProfile: "yandex-browser-beta", LinuxHosts: "yandex-browser-beta/NativeMessagingHosts",
		LinuxBinaries: []string{"yandex-browser-beta"},
	},
	{
		ID: "opera", Name: "Opera", Family: FamilyChromium,
		// Opera keeps its own profile but reads Google Chrome's manifests.
		LinuxProfile: "opera", LinuxHosts: chromeLinuxHosts,
		LinuxSystem:   chromeLinuxSystem,
		LinuxBinaries: []string{"opera"},
		Snap:          []string{"opera"},
		MacProfile:    "com.operasoftware.Opera", MacHosts: chromeMacHosts,
		MacSystem:  chromeMacSystem,
		MacApps:    []string{"Opera.app"},
		WinProfile: `Opera Software\Opera Stable`, WinRoaming: true, WinKey: chromeWinKey,
	},
	{
		ID: "arc", Name: "Arc", Family: FamilyChromium,
		MacProfile: "Arc/User Data", MacHosts: []string{"Arc/User Data/NativeMessagingHosts"},
		MacApps: []string{"Arc.app"},
	},
	{
		ID: "firefox", Name: "Firefox", Family: FamilyFirefox,
		LinuxProfile: ".mozilla/firefox", LinuxHosts: ".mozilla/native-messaging-hosts",
		LinuxSystem:   []string{"/usr/lib/mozilla/native-messaging-hosts", "/usr/lib64/mozilla/native-messaging-hosts"},
		LinuxBinaries: []string{"firefox", "firefox-esr"},
		Flatpak:       []string{"org.mozilla.firefox"},
		Snap:          []string{"firefox"},
		MacProfile:    "Firefox", MacHosts: []string{"Mozilla/NativeMessagingHosts"},
		MacSystem:  []string{"/Library/Application Support/Mozilla/NativeMessagingHosts"},
		MacApps:    []string{"Firefox.app", "Firefox ESR.app"},
		WinProfile: `Mozilla\Firefox`, WinRoaming: true, WinKey: `Software\Mozilla\NativeMessagingHosts`,
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

// browserNames returns every supported browser's human name.
func browserNames() []string {
	names := make([]string, 0, len(Browsers))
	for _, b := range Browsers {
		names = append(names, b.Name)
	}
	return names
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
