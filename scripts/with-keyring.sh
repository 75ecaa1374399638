#!/usr/bin/env bash
# Runs a command inside a private D-Bus session bus with a fresh, unlocked GNOME Keyring
# (a real Secret Service), then tears both down. Nothing touches the caller's own keyring.
#
#   scripts/with-keyring.sh cargo test -p warden-keychain
#
# Needs: dbus-run-session (package dbus) and gnome-keyring-daemon (package gnome-keyring).
set -euo pipefail

if [[ -z "${WARDEN_KEYRING_SESSION:-}" ]]; then
  missing=()
  command -v dbus-run-session >/dev/null || missing+=(dbus)
  command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring)
  if ((${#missing[@]})); then
    echo "error: missing ${missing[*]}: apt-get install ${missing[*]}" >&2
    exit 127
  fi
  # Re-run this script as the session's only client; the bus ends when it exits.
  exec dbus-run-session -- env WARDEN_KEYRING_SESSION=1 "$0" "$@"
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# A fresh keyring directory and runtime directory (control socket) for this run only.
export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

# --unlock creates the login keyring with this password and unlocks it; the daemon
# detaches, registers org.freedesktop.secrets on this bus and exits when the bus ends.
echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null

"$@"
