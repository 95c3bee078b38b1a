package tinvest

// Internals for the external tests (package tinvest_test, which may import
// tinvestfake: the fake imports this package for its list of allowed RPCs).
var (
	ParseReset = parseReset
	Clean      = clean
)

const MaxAccounts = maxAccounts
