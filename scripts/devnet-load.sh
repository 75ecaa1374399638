#!/usr/bin/env bash
# Load benchmark of the devnet through the official client (tests/conformance/load.mjs):
# concurrent session senders, then one shared account, then one sender; prints calls/s,
# p50 and p99, and checks nothing was lost or duplicated. A benchmark, not a test: not
# part of scripts/test.sh. Uses a release build of the devnet.
#   scripts/devnet-load.sh [--senders 8] [--calls 50]    (--calls 625: 5,000 calls a round)
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
[[ "$target" = /* ]] || target="$PWD/$target"
cargo build --release --locked -p warden-cli
(cd tests/conformance && npm install --no-audit --no-fund --loglevel=error >/dev/null)
WARDEN_BIN="$target/release/warden" CONFORMANCE_SCRIPT=load.mjs tests/conformance/run.sh "$@"
