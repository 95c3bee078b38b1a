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
	// one connection has running at once; with all running, the host
	// reads the next frame only when one finishes.
	MaxInFlight = 8
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
	// MaxTokens bounds the index, so that a `list` answer (with MaxAccounts
	// accounts and MaxUses uses per token) always fits MaxFrameOut.
	MaxTokens = 64
	// MaxLabel bounds a label in characters.
	MaxLabel = 100
	// MaxUses bounds the consumers kept per token (`used_by`).
	MaxUses = 20
	// MaxAccounts bounds the broker accounts kept per token.
	MaxAccounts = 20
	// MaxOrigin bounds an origin given in a request, in bytes.
	MaxOrigin = 200
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
