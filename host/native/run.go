package native

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/tokenbridge/tokenbridge/host/config"
	"github.com/tokenbridge/tokenbridge/host/index"
	"github.com/tokenbridge/tokenbridge/host/logging"
	"github.com/tokenbridge/tokenbridge/host/moex"
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
	secrets := secretstore.Open()
	env := &Env{
		Caller: caller, ConfigPath: dirs.Config(),
		LoadConfig: func() (*config.Config, error) { return config.Load(dirs) },
		Vault:      vault.New(secrets, index.Open(dirs.Index())),
		Moex:       moex.New(dirs, secrets, log),
		Log:        log,
	}
	log.Debug().Str("caller", caller.String()).Msg("host started")
	if err := Serve(context.Background(), env, stdin, stdout); err != nil {
		log.Warn().Err(err).Msg("host stopped")
		return 1
	}
	return 0
}
