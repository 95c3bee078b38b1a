// Package native is the native-messaging host: it reads framed requests
// from the browser, checks the caller, dispatches each command to its
// handler (one file per command) and writes framed answers. Stdout carries
// frames only.
package native

import (
	"context"
	"errors"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/tokenbridge/tokenbridge/host/buildinfo"
	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/frame"
	"github.com/tokenbridge/tokenbridge/host/limits"
	"github.com/tokenbridge/tokenbridge/host/moex"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

// ProtocolVersion is bumped on incompatible protocol changes.
const ProtocolVersion = 1

// Version is the host's version (host/buildinfo, stamped by scripts/release.sh).
var Version = buildinfo.Version

// Env is what the handlers use, built once per process (see Run).
type Env struct {
	// Caller is who the browser says started the host (argv).
	Caller Caller
	// Config is the user's settings (use Settings), read from ConfigPath
	// by LoadConfig on first use unless set; ConfigPath is also named in
	// messages. ConfigErr is why it could not be read (only the built-in
	// extension IDs are then allowed).
	Config     *config.Config
	ConfigPath string
	ConfigErr  error
	LoadConfig func() (*config.Config, error)
	configOnce sync.Once
	// Vault keeps the tokens (keyring + index).
	Vault *vault.Vault
	// Moex runs the MOEX profiles' token requests.
	Moex *moex.Manager
	Log  zerolog.Logger
}

// Settings returns the user's config, read on first use: a request from a
// built-in extension that needs no setting (`list`, `delete`, …) never
// opens config.json. An unreadable config is logged and leaves only the
// built-in extension IDs and fill origins in force.
func (e *Env) Settings() *config.Config {
	e.configOnce.Do(func() {
		if e.Config != nil {
			return
		}
		cfg, err := &config.Config{}, error(nil)
		if e.LoadConfig != nil {
			if c, lerr := e.LoadConfig(); lerr != nil {
				e.Log.Error().Err(lerr).Msg("config unreadable; using defaults")
				err = lerr
			} else if c != nil {
				cfg = c
			}
		}
		e.Config, e.ConfigErr = cfg, err
	})
	return e.Config
}

// Result is a handler's answer fields (merged with id and ok).
type Result map[string]any

// Handler serves one command.
type Handler func(ctx context.Context, env *Env, req *Request) (Result, error)

// handlers is the command table: every command the host answers, each
// served by a function in the file of the same name (host/PROTOCOL.md).
var handlers = map[string]Handler{
	"hello":      hello,
	"list":       list,
	"store":      store,
	"get":        get,
	"update":     update,
	"delete":     deleteToken,
	"record_use": recordUse,
	"validate":   validate,
	"moex_list":  moexList,
	"moex_token": moexToken,
	// The fill allowlist; the extension sends these only from its own pages.
	"allow_fill_origin":  allowFillOrigin,
	"remove_fill_origin": removeFillOrigin,
	"list_fill_origins":  listFillOrigins,
}

// commandNames lists the commands, sorted.
func commandNames() []string {
	out := make([]string, 0, len(handlers))
	for k := range handlers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// background lists the commands that wait on a remote API. They run
// beside the requests after them; every other command finishes before the
// next request starts.
var background = map[string]bool{"validate": true, "moex_token": true}

// quiet lists the commands whose successful answers are logged at debug
// only: they read and change nothing (every store, get, delete, validate
// and refusal is still logged at info or above).
var quiet = map[string]bool{"hello": true, "list": true, "moex_list": true, "list_fill_origins": true}

// Serve answers framed requests from in on out until in ends. Requests
// start in the order they arrive and each finishes before the next starts
// (a `get` sent after a `delete` sees the delete), except the background
// commands: those run beside what follows, at most limits.MaxInFlight at
// once; more wait for a slot while the other commands go on being read and
// answered (the reading itself waits only past limits.MaxQueued of them),
// so a slow `validate` never holds up a `get` behind it. Their answers come when ready; every
// answer is one whole frame with its request's id, and clients match
// answers by id. Serve returns once every started request is answered:
// nil on a clean end, an error when the stream had to be abandoned
// (too-large or truncated frame, or stdout gone), after answering it.
func Serve(ctx context.Context, env *Env, in io.Reader, out io.Writer) error {
	w := &answerWriter{out: out}
	slots := make(chan struct{}, limits.MaxInFlight)
	queued := make(chan struct{}, limits.MaxQueued)
	var running sync.WaitGroup
	defer running.Wait()
	// Abandoning the stream cancels what is still running (it runs before
	// the Wait above); a clean end lets every request finish.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for {
		if err := w.failed(); err != nil {
			return err
		}
		body, err := frame.Read(in, frame.MaxIncoming)
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			running.Wait()
			return w.failed()
		case errors.Is(err, frame.ErrEmpty):
			w.write("", nil, Errorf(CodeBadRequest, "empty message (zero-length frame)"))
			continue
		case errors.Is(err, frame.ErrTooLarge):
			env.Log.Warn().Str("caller", env.Caller.String()).Err(err).Msg("frame too large; closing")
			w.write("", nil, Errorf(CodeTooLarge, "message larger than %d bytes: nothing was read or stored", frame.MaxIncoming))
			return err
		default:
			env.Log.Warn().Str("caller", env.Caller.String()).Err(err).Msg("bad frame; closing")
			w.write("", nil, Errorf(CodeBadRequest, "truncated message: %v", err))
			return err
		}
		req, id, derr := DecodeRequest(body)
		if derr != nil || !background[req.Cmd] {
			w.write(respond(ctx, env, req, id, derr))
			continue
		}
		queued <- struct{}{} // blocks the reading only past MaxQueued
		running.Add(1)
		go func() {
			defer func() { <-queued; running.Done() }()
			slots <- struct{}{}
			defer func() { <-slots }()
			w.write(respond(ctx, env, req, id, nil))
		}()
	}
}

// Handle answers one request body.
func Handle(ctx context.Context, env *Env, body []byte) (id string, res Result, err error) {
	req, id, err := DecodeRequest(body)
	return respond(ctx, env, req, id, err)
}

// respond answers a decoded request (or its decoding error), logging it.
func respond(ctx context.Context, env *Env, req *Request, id string, decodeErr error) (_ string, res Result, err error) {
	start := time.Now()
	err = decodeErr
	cmd := ""
	if req != nil {
		cmd = req.Cmd
	}
	defer func() {
		// Reads that change nothing are logged at debug: the popup and
		// the pages ask them often, and a host process that answers one
		// of them then opens no log file at all. (One event, of the level
		// chosen first: a disabled level costs nothing.)
		level := zerolog.InfoLevel
		switch {
		case err != nil:
			level = zerolog.WarnLevel
		case quiet[cmd]:
			level = zerolog.DebugLevel
		}
		ev := env.Log.WithLevel(level)
		if err != nil {
			ev = ev.Str("code", codeFor(err).Code)
		}
		ev.Str("caller", env.Caller.String()).Str("cmd", cmd).Str("req_id", id).
			Dur("took", time.Since(start)).Msg("request")
	}()
	if err != nil {
		return id, nil, err
	}
	if !config.IsBuiltinExtension(env.Caller.ExtensionID) && !env.Settings().AllowedExtension(env.Caller.ExtensionID) {
		if env.ConfigErr != nil {
			return id, nil, Errorf(CodeOriginDenied, "extension %q (%s) is not allowed because the host's config is unreadable (%v): fix or delete it, then run `tokenbridge install --extension-id %s`",
				env.Caller.ExtensionID, env.Caller.Browser, env.ConfigErr, env.Caller.ExtensionID)
		}
		return id, nil, Errorf(CodeOriginDenied, "extension %q (%s) may not use this host: if you trust it, run `tokenbridge install --extension-id %s`",
			env.Caller.ExtensionID, env.Caller.Browser, env.Caller.ExtensionID)
	}
	h, ok := handlers[req.Cmd]
	if !ok {
		return id, nil, Errorf(CodeUnknownCmd, "unknown command %q; this host (version %s) knows: %v", req.Cmd, Version, commandNames())
	}
	defer func() {
		// A bug in one handler answers `internal` instead of killing the
		// host with a stack trace on stderr.
		if r := recover(); r != nil {
			env.Log.Error().Str("cmd", cmd).Msg("handler panicked")
			res, err = nil, Errorf(CodeInternal, "host bug while handling %q: please report it with the log (tokenbridge doctor prints its path)", cmd)
		}
	}()
	res, err = h(ctx, env, req)
	return id, res, err
}

// answerWriter writes answers one whole frame at a time and remembers the
// first write error (the browser is gone: stop reading).
type answerWriter struct {
	mu  sync.Mutex
	out io.Writer
	err error
}

func (w *answerWriter) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *answerWriter) write(id string, res Result, herr error) {
	b := encodeAnswer(id, res, herr)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = frame.Write(w.out, b)
	}
}
