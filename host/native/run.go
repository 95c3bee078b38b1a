package native

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/logging"
	"github.com/tokenbridge/tokenbridge/host/secretstore"
	"github.com/tokenbridge/tokenbridge/host/vault"
)

// Run serves a browser on stdin/stdout with the real keyring and files.
// It returns the process exit code.
func Run(caller Caller, stdin io.Reader, stdout io.Writer) int {
	dirs, err := config.Paths()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tokenbridge:", err)
		return 1
	}
	log, closer := logging.New(dirs.Log())
	defer closer.Close()
	cfg, cfgErr := config.Load(dirs)
	if cfgErr != nil {
		// Without the config only the built-in extension IDs are allowed.
		log.Error().Err(cfgErr).Msg("config unreadable; using defaults")
		cfg = &config.Config{}
	}
	secrets := secretstore.Open()
	idx := index.Open(dirs.Index())
	env := &Env{Caller: caller, Dirs: dirs, Config: cfg, Secrets: secrets, Index: idx, Vault: vault.New(secrets, idx), Log: log, ConfigErr: cfgErr}
	log.Debug().Str("caller", caller.String()).Msg("host started")
	if err := Serve(context.Background(), env, stdin, stdout); err != nil {
		log.Warn().Err(err).Msg("host stopped")
		return 1
	}
	return 0
}
