#!/usr/bin/env bash
# Run a command with a real, private, unlocked Secret Service keyring (gnome-keyring) on its own
# D-Bus session bus, and a throwaway HOME, so tests use a real keyring backend without touching
# the developer's own keyring. Usage: .ci/with-keyring.sh COMMAND [ARGS...]
set -euo pipefail
scratch=$(mktemp -d -t kiosk-keyring.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home" XDG_DATA_HOME="$scratch/home/.local/share" \
  XDG_CONFIG_HOME="$scratch/home/.config" XDG_CACHE_HOME="$scratch/home/.cache" \
  XDG_RUNTIME_DIR="$scratch/run"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export KIOSK_KEYRING_PASSWORD="test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
exec dbus-run-session -- sh -c '
  printf %s "$KIOSK_KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  unset KIOSK_KEYRING_PASSWORD
  exec "$@"' kiosk-keyring "$@" 2> >(grep -v "Failed to set fd limit" >&2)
