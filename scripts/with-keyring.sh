#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked
# gnome-keyring (the real Secret Service), so tests and the demo never touch
# the user's own keyring. Usage: scripts/with-keyring.sh CMD [ARGS...]
set -euo pipefail
if [ "${TOKENBRIDGE_IN_KEYRING_SESSION:-}" = 1 ]; then exec "$@"; fi
for bin in dbus-run-session gnome-keyring-daemon; do
  command -v "$bin" >/dev/null || { echo "with-keyring: $bin missing: apt-get install dbus gnome-keyring libsecret-tools" >&2; exit 1; }
done
kr_home=$(mktemp -d "${TMPDIR:-/tmp}/tokenbridge-keyring.XXXXXX")
trap 'rm -rf "$kr_home"' EXIT
export TOKENBRIDGE_KEYRING_HOME="$kr_home"
exec dbus-run-session -- bash -c '
  exec 3>&2 2> >(grep -v -e "fd limit" -e "Activating service" -e "Successfully activated" -e "another secret service" >&3)
  set -euo pipefail
  export XDG_DATA_HOME="$TOKENBRIDGE_KEYRING_HOME/data" XDG_RUNTIME_DIR="$TOKENBRIDGE_KEYRING_HOME/run"
  mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
  # A throwaway password: the keyring lives only for this session.
  eval "$(printf "%s" "tokenbridge-test" | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
  export GNOME_KEYRING_CONTROL
  # Wait until our daemon owns the Secret Service name: a client call before
  # that would make D-Bus activate a second, locked daemon.
  for _ in $(seq 100); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" && break
    sleep 0.05
  done
  # The login collection appears once the daemon is unlocked; wait for it.
  ready=0
  for _ in $(seq 50); do
    if printf x | secret-tool store --label=probe service tokenbridge-probe username probe 2>/dev/null; then
      secret-tool clear service tokenbridge-probe username probe; ready=1; break
    fi
    sleep 0.1
  done
  [ "$ready" = 1 ] || { echo "with-keyring: gnome-keyring did not come up unlocked" >&2; exit 1; }
  export TOKENBRIDGE_IN_KEYRING_SESSION=1 TOKENBRIDGE_TEST_KEYRING=1
  exec "$@"
' with-keyring "$@"
