#!/usr/bin/env bash
# Installs what Warden needs on a Debian/Ubuntu machine and is missing, and nothing else.
#   scripts/setup.sh          packages to build and run Warden
#   scripts/setup.sh --test   plus what the test suite needs
# As root it installs with apt-get; otherwise it prints the command to run and fails.
set -euo pipefail

want=(build-essential pkg-config)
if [[ "${1:-}" == "--test" ]]; then
  want+=()
fi

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
