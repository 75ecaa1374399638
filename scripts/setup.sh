#!/usr/bin/env bash
# Installs what Warden needs on a Debian/Ubuntu machine and is missing, and nothing else.
#   scripts/setup.sh          what building and running Warden needs
#   scripts/setup.sh --test   plus what the test suite needs (a real Secret Service)
# As root it installs with apt-get; otherwise it prints the command to run and fails.
set -euo pipefail
cd "$(dirname "$0")/.."

# build-essential/pkg-config: C parts of crates; dbus + gnome-keyring: the Secret Service
# the keychain uses; nodejs/npm: the pinned anvil and EntryPoint packages of the devnet;
# WebKitGTK 4.1 + GTK 3 (+ librsvg for icons): what the desktop app (Tauri) builds against;
# libayatana-appindicator3-1: the tray icon (loaded at run time).
want=(build-essential pkg-config dbus gnome-keyring
  libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev
  libayatana-appindicator3-1)
# --test: the web UI's page tests drive Debian's Chromium (never a downloaded browser), check
# the QR code with a real reader (zbarimg), and need fonts to render text in screenshots; the
# real-app tests need a virtual X display (xvfb, xauth), WebKit's WebDriver, and xdotool to
# answer the native save dialog the way a person types into it.
if [[ ${1:-} == --test ]]; then
  want+=(chromium zbar-tools fonts-liberation xvfb xauth webkit2gtk-driver xdotool)
fi
command -v node >/dev/null 2>&1 || want+=(nodejs)
command -v npm >/dev/null 2>&1 || want+=(npm)

missing=()
for p in "${want[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done

if ((${#missing[@]})); then
  cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then
    echo "setup: installing ${missing[*]}" >&2
    bash -c "$cmd" >/dev/null
  else
    echo "setup: missing system packages: ${missing[*]}" >&2
    echo "setup: run as root: $cmd" >&2
    exit 1
  fi
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo (Rust 1.88 or later) is required: install it with rustup" >&2
  exit 1
fi

# The devnet's pinned node packages (anvil, EntryPoint artifacts), from the lock file.
if [[ -f crates/devnet/node/package-lock.json && ! -d crates/devnet/node/node_modules ]]; then
  echo "setup: installing the devnet's pinned node packages" >&2
  (cd crates/devnet/node && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
