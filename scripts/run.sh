#!/usr/bin/env bash
# Sets up what is missing, builds Warden and starts it.
# Today Warden is its command-line toolbox; the desktop app and the local devnet it runs
# on are being built (see README "Status").
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cargo build --locked -p warden-cli
exec target/debug/warden "${@:---help}"
