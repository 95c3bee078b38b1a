package config

// Name is the setting as the user set it: the environment variable, or config.json's
// key (api_overrides.…) for an override set only there.
func (o Override) Name() string {
	if o.Source == "config" && o.ConfigKey != "" {
		return o.ConfigKey
	}
	return o.Setting
}

// Reason says in one line why the override is accepted, or why it is refused and the
// fix (hello.overrides[].reason, doctor's rows).
func (o Override) Reason() string {
	switch {
	case o.Refused != "":
		return "refused (T-Invest checks fail until it is fixed): " + o.Refused
	case o.AllowedBy == AllowedLoopback && o.Setting == EnvTInvestCA:
		return "accepted: both T-Invest addresses point at a loopback test server; tokens checked now go only there"
	case o.AllowedBy == AllowedLoopback:
		return "accepted: a loopback address (a local test server); tokens checked now go there, not to the bank"
	case o.AllowedBy == AllowedBankHost:
		return "accepted: one of the bank's own T-Invest API hosts"
	case o.Source == "config":
		return "accepted: set in config.json"
	default:
		return "accepted: config.json names the same value"
	}
}
