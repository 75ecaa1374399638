#!/usr/bin/env bash
# Real-app end-to-end tests: the built Warden app (debug build with the custom-protocol
# feature, so it serves ui/dist itself) under Xvfb, in a private D-Bus session with a
# fresh, unlocked GNOME Keyring, driven by tauri-driver + WebKitWebDriver over plain HTTP
# WebDriver. Every test saves screenshots to target/e2e-screenshots/.
#
#   tests/e2e/run.sh                        build what is missing, run every spec
#   tests/e2e/run.sh specs/keys.test.mjs    run some specs
#
# The app binary is the one `cargo test --workspace --features warden-app/custom-protocol`
# builds (scripts/test.sh runs that first, so nothing is rebuilt here). tauri-driver is
# installed once into target/e2e-tools; WARDEN_APP_BIN=PATH runs an app already built.
# Needs: xvfb-run, dbus-run-session,
# gnome-keyring-daemon, WebKitWebDriver (scripts/setup.sh --test installs them), node ≥ 20.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
export WARDEN_E2E_SCREENSHOTS=$target/e2e-screenshots WARDEN_E2E_TMP=$target/e2e-tmp

if [[ -z "${WARDEN_E2E_INNER:-}" ]]; then
  tools=$target/e2e-tools
  if [[ ! -x $tools/bin/tauri-driver ]]; then
    echo "e2e: installing tauri-driver into $tools (once)" >&2
    cargo install tauri-driver@^2 --locked --root "$tools" --quiet
  fi
  if [[ -z "${WARDEN_APP_BIN:-}" ]]; then
    [[ -f ui/dist/index.html ]] || (cd ui && npm install --no-audit --no-fund --loglevel=error && npm run build --silent)
    cargo test --workspace --features warden-app/custom-protocol --locked --no-run --quiet
    WARDEN_APP_BIN=$target/debug/warden-app
  fi
  rm -rf "$WARDEN_E2E_SCREENSHOTS" "$WARDEN_E2E_TMP"
  mkdir -p "$WARDEN_E2E_SCREENSHOTS" "$WARDEN_E2E_TMP"
  export WARDEN_APP_BIN TAURI_DRIVER=$tools/bin/tauri-driver WARDEN_E2E_INNER=1
  status=0
  xvfb-run -a -s "-screen 0 1280x800x24" scripts/with-keyring.sh "$0" "$@" || status=$?
  echo "e2e: screenshots are in $WARDEN_E2E_SCREENSHOTS" >&2
  exit "$status"
fi

cd tests/e2e
if (($# == 0)); then
  set -- specs/
fi
exec node --test --test-concurrency=1 "$@"
