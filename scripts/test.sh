#!/usr/bin/env bash
# Sets up what is missing, then runs every check and test Warden has:
# formatting, clippy with warnings denied, and the whole workspace's tests.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --test

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
