#!/usr/bin/env bash
# Installs what Warden needs on a Debian/Ubuntu machine and is missing, and nothing else.
#   scripts/setup.sh          what building and running Warden needs
#   scripts/setup.sh --test   plus what the test suite needs (a real Secret Service)
# As root it installs with apt-get; otherwise it prints the command to run and fails.
set -euo pipefail
cd "$(dirname "$0")/.."

# build-essential/pkg-config: C parts of crates; dbus + gnome-keyring: the Secret Service
# the keychain uses; nodejs/npm: the pinned anvil and EntryPoint packages of the devnet.
want=(build-essential pkg-config dbus gnome-keyring)
# --test: the web UI's page tests drive Debian's Chromium (never a downloaded browser), check
# the QR code with a real reader (zbarimg), and need fonts to render text in screenshots.
if [[ ${1:-} == --test ]]; then
  want+=(chromium zbar-tools fonts-liberation)
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
