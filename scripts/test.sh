#!/usr/bin/env bash
# Sets up what is missing, then runs every check and test Warden has: the web UI (type check,
# component tests, production build into ui/dist, page tests in headless Chromium), then
# formatting, clippy with warnings denied, and the whole workspace's tests — inside a private
# D-Bus session with a fresh, unlocked GNOME Keyring, so the keychain tests use a real Secret
# Service; and last the real-app end-to-end tests (the built app under Xvfb, driven through
# tauri-driver; screenshots in target/e2e-screenshots/), then the install test of the
# release package (tests/install/run.sh). The UI goes first because the
# desktop app embeds ui/dist when it compiles (the custom-protocol feature, also what the
# end-to-end tests run, so the app is built once).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --test

ui/run-tests.sh

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
scripts/with-keyring.sh cargo test --workspace --locked --features warden-app/custom-protocol

# The devnet through the official TypeScript client (@alchemy/wallet-apis), every response
# checked against the official JSON Schemas; reuses the warden binary cargo test built.
(cd tests/conformance && npm install --no-audit --no-fund --loglevel=error) && tests/conformance/run.sh

# The chain registry in warden-core is what the pinned @alchemy/common and viem say (the
# cargo test of it skips when tests/conformance/node_modules was not installed yet).
node scripts/gen-chain-registry.mjs --check

tests/e2e/run.sh

# The installed package: the release .deb built (scripts/package.sh), installed with dpkg,
# the installed app and CLI driven with a clean home and no developer tools on PATH, then
# removed. Installing needs root, as CI runs; as another user it says it was skipped.
tests/install/run.sh
