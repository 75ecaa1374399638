#!/usr/bin/env bash
# Sets up what is missing, then runs every check and test Warden has: the web UI (type check,
# component tests, production build into ui/dist, page tests in headless Chromium), then
# formatting, clippy with warnings denied, and the whole workspace's tests — inside a private
# D-Bus session with a fresh, unlocked GNOME Keyring, so the keychain tests use a real Secret
# Service. The UI goes first because the desktop app embeds ui/dist when it compiles.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --test

ui/run-tests.sh

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
scripts/with-keyring.sh cargo test --workspace --locked

# The devnet through the official TypeScript client (@alchemy/wallet-apis), every response
# checked against the official JSON Schemas; reuses the warden binary cargo test built.
(cd tests/conformance && npm install --no-audit --no-fund --loglevel=error) && tests/conformance/run.sh
