#!/usr/bin/env bash
# Sets up what is missing, builds Warden and starts it on the local devnet.
#   scripts/run.sh            the local devnet (Wallets API over a real anvil) on 127.0.0.1:8547
#   scripts/run.sh ARGS…      any other `warden` command, e.g. `scripts/run.sh key list`
# The desktop app is being built; until it lands, Warden is its command line.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cargo build --locked -p warden-cli
if (($# == 0)); then
  set -- devnet --port 8547
fi
exec target/debug/warden "$@"
