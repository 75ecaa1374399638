#!/usr/bin/env bash
# Sets up what is missing, builds Warden and starts it.
#   scripts/run.sh            the desktop app, on its embedded local devnet until you choose
#                             Alchemy in Settings
#   scripts/run.sh ARGS…      a `warden` command instead, e.g. `scripts/run.sh key list` or
#                             `scripts/run.sh devnet --port 8547` (a standalone devnet)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
if (($# > 0)); then
  cargo build --locked -p warden-cli
  exec "${CARGO_TARGET_DIR:-target}/debug/warden" "$@"
fi
# The app embeds the built UI (ui/dist), so the UI is built first.
(cd ui && npm install --no-audit --no-fund --loglevel=error && npm run build --silent)
cargo build --locked -p warden-app --features custom-protocol
exec "${CARGO_TARGET_DIR:-target}/debug/warden-app"
