// Package limits is the host's one table of bounds and timeouts. Every
// other package refers to these constants (often under its own exported
// name, e.g. frame.MaxIncoming = MaxFrameIn), and host/PROTOCOL.md
// ("Limits") states them; the extension keeps the same numbers on its side.
// Change a value here and in PROTOCOL.md together.
package limits

import "time"

// Native-messaging frames.
const (
	// MaxFrameIn caps a frame the host accepts. Requests are small (the
	// largest is a token to store), so an untrusted length prefix can never
	// size a large allocation.
	MaxFrameIn = 64 << 10
	// MaxFrameOut is the browsers' limit for host → browser messages.
	MaxFrameOut = 1 << 20
	// MaxInFlight bounds the background requests (validate, moex_token)
	// one connection has running at once; more wait for a slot while the
	// host goes on reading and answering the other commands.
	MaxInFlight = 8
	// MaxQueued bounds the background requests one connection has read and
	// not yet answered (running or waiting for a slot); past it the host
	// reads the next frame only when one finishes.
	MaxQueued = 64
)

// Tokens and their metadata.
const (
	// MaxTokenLen bounds a T-Invest token in characters (real ones are under
	// 100); the extension refuses longer captures with the same number.
	MaxTokenLen = 512
	// MaxSecret bounds a generic secret and a MOEX client secret or
	// password, in bytes.
	MaxSecret = 4096
	// MaxKeyringValue bounds one keyring value after joining its chunks
	// (MOEX JWT pairs are 2–3 KB).
	MaxKeyringValue = 16 << 10
	// MaxTokens bounds the tokens stored. A token is shown once, so a
	// refused store is a lost token: the bound is far above any real use (a
	// trader with a robot per token has tens) and exists only to bound
	// hostile input and index.json (a page's captures carry no accounts:
	// about 1 KB each). Measured by host/native BenchmarkListAtMaxTokens at
	// this bound: with every field at its bound (MaxAccounts accounts, MaxUses
	// uses, full labels) index.json is 19 MB and each request that reads it
	// about 0.5 s (all 25 `list` pages 13 s); with real tokens (an account
	// each) 0.7 MB and all 25 pages 0.6 s. `list` never has to fit in one
	// frame: it is paged (ListPage).
	MaxTokens = 1000
	// ListPage is the default and the most tokens one `list` answer holds:
	// at full bounds (MaxAccounts accounts and MaxUses uses per token, every
	// field at its byte bound) a token is about 21 KB, so a full page is
	// under 900 KB of MaxFrameOut. The host cuts a page shorter when its
	// tokens would not fit (unbounded messages, JSON escapes); `next_offset`
	// says where the next page starts.
	ListPage = 40
	// MaxLabel bounds a label in characters.
	MaxLabel = 100
	// MaxUses bounds the consumers kept per token (`used_by`).
	MaxUses = 20
	// MaxAccounts bounds the broker accounts kept per token.
	MaxAccounts = 20
	// MaxOrigin bounds an origin given in a request, in bytes.
	MaxOrigin = 200
	// MaxVerdictText bounds a saved verdict's or failure's message and an
	// account name, in bytes (longer server text is cut at a character
	// boundary with "…"), so that a `list` page's size is bounded.
	MaxVerdictText = 1024
)

// MOEX profile fields, in bytes.
const (
	MaxMoexClientID = 200
	MaxMoexUsername = 200
	MaxMoexScope    = 500
	MaxMoexURL      = 2048
	MaxMoexOTP      = 64
	// MaxJWT bounds a token decoded for display.
	MaxJWT = 64 << 10
)

// Timeouts.
const (
	// KeyringTimeout bounds every keyring operation, all the calls of a
	// chunked secret together (TOKENBRIDGE_KEYRING_TIMEOUT overrides it).
	KeyringTimeout = 5 * time.Second
	// LockWait bounds the wait for another process's file lock. Index
	// updates take milliseconds and a MOEX token refresh at most a network
	// timeout, so a longer wait means a wedged process.
	LockWait = 60 * time.Second
	// ValidateTimeout bounds one token check (`validate`, `tokenbridge
	// check`): per-call timeouts, rate-limit waits and the fresh-token
	// retries all fit inside it. The extension waits 60 s for the answer, so
	// the host always answers first.
	ValidateTimeout = 45 * time.Second
)
