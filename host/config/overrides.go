package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Settings that point the API clients elsewhere (tests use them for local fakes).
const (
	EnvTInvestURL        = "TOKENBRIDGE_TINVEST_URL"
	EnvTInvestSandboxURL = "TOKENBRIDGE_TINVEST_SANDBOX_URL"
	EnvTInvestCA         = "TOKENBRIDGE_TINVEST_CA"
)

// BankAPIHosts are the T-Invest API hosts an address override may name without config.json.
var BankAPIHosts = []string{
	"invest-public-api.tbank.ru", "sandbox-invest-public-api.tbank.ru",
	"invest-public-api.tinkoff.ru", "sandbox-invest-public-api.tinkoff.ru",
}

// APIOverrides is config.json's "api_overrides": the API addresses and the CA file the
// user explicitly allows. An environment override is accepted when it equals the value
// here; a value here alone is an override too.
type APIOverrides struct {
	TInvestURL        string `json:"tinvest_url,omitempty"`
	TInvestSandboxURL string `json:"tinvest_sandbox_url,omitempty"`
	TInvestCA         string `json:"tinvest_ca,omitempty"`
}

// Why an override is accepted (Override.AllowedBy).
const (
	AllowedLoopback = "loopback"  // a literal loopback address (or, for the CA, both T-Invest URLs are)
	AllowedBankHost = "bank_host" // one of BankAPIHosts
	AllowedConfig   = "config"    // named in config.json
)

// Override is one API setting that differs from the built-in default.
type Override struct {
	Setting   string `json:"setting"`              // the environment variable, e.g. TOKENBRIDGE_TINVEST_URL
	ConfigKey string `json:"config_key"`           // e.g. api_overrides.tinvest_url
	Value     string `json:"value"`                // URL or file path (never a secret)
	Source    string `json:"source"`               // "env" or "config"
	AllowedBy string `json:"allowed_by,omitempty"` // loopback, bank_host or config; empty when refused
	Refused   string `json:"refused,omitempty"`    // why it is refused, and the fix
}

// APISettings are the T-Invest API settings in effect; an empty value means the default.
type APISettings struct {
	TInvestURL        string
	TInvestSandboxURL string
	TInvestCA         string
	// CAInConfig: the CA file is named in config.json, so it is trusted for every API
	// host (the MOEX client too); an environment-only CA serves a loopback test server.
	CAInConfig bool
	// ConfigPath is config.json's path, for messages.
	ConfigPath string
	// Overrides lists every override set, accepted or refused.
	Overrides []Override
}

// LoadAPI resolves the API settings from the environment and config.json.
func LoadAPI() (APISettings, error) {
	d, err := Paths()
	if err != nil {
		return APISettings{}, err
	}
	c, err := Load(d)
	if err != nil {
		return APISettings{}, err
	}
	return c.ResolveAPI(os.Getenv, d.Config())
}

// ActiveOverrides returns every API override set in the environment or config.json,
// refused ones included (Refused says why), for hello, doctor and the popup.
func ActiveOverrides() ([]Override, error) {
	s, err := LoadAPI()
	if len(s.Overrides) > 0 || err == nil {
		return s.Overrides, nil
	}
	return nil, err
}

// ResolveAPI applies the override rule. An address from the environment is accepted
// only for a literal loopback address (127.0.0.0/8, ::1) or a T-Invest API host
// (BankAPIHosts), or when config.json names the same URL; a CA file from the
// environment only while both T-Invest URLs are loopback, or when config.json names the
// same file. Values in config.json are explicit and accepted. A refused override is an
// error naming the cause and the fix: nothing is silently sent elsewhere.
func (c *Config) ResolveAPI(getenv func(string) string, configPath string) (APISettings, error) {
	s := APISettings{ConfigPath: configPath}
	var errs []error
	add := func(o Override) {
		s.Overrides = append(s.Overrides, o)
		if o.Refused != "" {
			errs = append(errs, errors.New(o.Refused))
		}
	}
	ov := c.APIOverrides
	for _, u := range []struct {
		env, key, cfg string
		out           *string
	}{
		{EnvTInvestURL, "tinvest_url", ov.TInvestURL, &s.TInvestURL},
		{EnvTInvestSandboxURL, "tinvest_sandbox_url", ov.TInvestSandboxURL, &s.TInvestSandboxURL},
	} {
		o, ok := resolveURL(strings.TrimSpace(getenv(u.env)), strings.TrimSpace(u.cfg), u.env, u.key, configPath)
		if !ok {
			continue
		}
		add(o)
		if o.Refused == "" {
			*u.out = o.Value
		}
	}

	env, cfg := strings.TrimSpace(getenv(EnvTInvestCA)), strings.TrimSpace(ov.TInvestCA)
	o := Override{Setting: EnvTInvestCA, ConfigKey: "api_overrides.tinvest_ca", Value: env, Source: "env"}
	switch {
	case env == "" && cfg == "":
		return s, errors.Join(errs...)
	case env == "":
		o.Value, o.Source, o.AllowedBy = cfg, "config", AllowedConfig
	case cfg != "" && filepath.Clean(env) == filepath.Clean(cfg):
		o.AllowedBy = AllowedConfig
	case isLoopbackURL(s.TInvestURL) && isLoopbackURL(s.TInvestSandboxURL):
		o.AllowedBy = AllowedLoopback
	default:
		o.Refused = fmt.Sprintf("%s=%q would make tokenbridge trust the certificates in that file for the T-Invest API hosts (whoever holds that CA's key could read every checked token): unset %s (alone it is accepted only while %s and %s point at a loopback test server), or, if you really mean it, allow it in %s with \"api_overrides\": {\"tinvest_ca\": %q}",
			EnvTInvestCA, bound(env), EnvTInvestCA, EnvTInvestURL, EnvTInvestSandboxURL, configPath, bound(env))
	}
	add(o)
	if o.Refused == "" {
		s.TInvestCA = o.Value
		s.CAInConfig = o.AllowedBy == AllowedConfig
	}
	return s, errors.Join(errs...)
}

// resolveURL applies the rule to one address setting; ok is false when it is not set.
func resolveURL(env, cfg, setting, key, configPath string) (o Override, ok bool) {
	o = Override{Setting: setting, ConfigKey: "api_overrides." + key, Value: env, Source: "env"}
	switch {
	case env == "" && cfg == "":
		return o, false
	case env == "":
		o.Value, o.Source, o.AllowedBy = cfg, "config", AllowedConfig
	case cfg != "" && strings.TrimRight(env, "/") == strings.TrimRight(cfg, "/"):
		o.AllowedBy = AllowedConfig
	case isLoopbackURL(env):
		o.AllowedBy = AllowedLoopback
	case slices.ContainsFunc(BankAPIHosts, func(h string) bool { return strings.EqualFold(h, urlHost(env)) }):
		o.AllowedBy = AllowedBankHost
	default:
		host := urlHost(env)
		if host == "" {
			host = "(no host)"
		}
		o.Refused = fmt.Sprintf("%s=%q would send every token checked to %s, which is neither a loopback address (127.0.0.1, ::1) nor a T-Invest API host: unset %s, or, if you really mean it, allow it in %s with \"api_overrides\": {%q: %q}",
			setting, bound(env), bound(host), setting, configPath, key, bound(env))
	}
	return o, true
}

// CAFix says how to trust another CA for the API hosts, naming the exact setting.
// configPath may be empty; caFile is the extra CA file in use, if any; envToo adds that
// the environment variable alone serves a loopback test server (T-Invest only).
func CAFix(configPath, caFile string, envToo bool) string {
	if configPath == "" {
		configPath = "config.json (`tokenbridge doctor` shows where)"
	}
	var b strings.Builder
	if caFile != "" {
		fmt.Fprintf(&b, "the extra CA file %s does not cover this certificate; ", caFile)
	}
	fmt.Fprintf(&b, "if your network inspects TLS (a company proxy or an antivirus), save its CA certificate as a PEM file and name it in %s as \"api_overrides\": {\"tinvest_ca\": \"/path/to/ca.pem\"}", configPath)
	if envToo {
		fmt.Fprintf(&b, " (%s=/path/to/ca.pem alone is accepted only for a loopback test server)", EnvTInvestCA)
	}
	b.WriteString("; otherwise someone may be intercepting the connection: try another network, and update tokenbridge if the bank changed its certificate chain")
	return b.String()
}

func urlHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// isLoopbackURL: the URL's host is a literal loopback IP. The name "localhost" is not
// accepted: it is resolved through the hosts file and DNS.
func isLoopbackURL(raw string) bool {
	ip := net.ParseIP(urlHost(raw))
	return ip != nil && ip.IsLoopback()
}

func bound(s string) string {
	if r := []rune(s); len(r) > 200 {
		return string(r[:200]) + "…"
	}
	return s
}
