#!/usr/bin/env bash
# Measures the desktop app side by side with a minimal hello-world Tauri app
# (benches/hello-tauri), in the same run, because absolute figures on shared machines
# drift. Prints numbers; asserts nothing (budgets are judged by a person).
#
#   scripts/measure-app.sh [RUNS]     (default 5 start-up runs per app)
#
# * cold start to first rendered screen: time from the app process's start to the
#   page's first contentful paint (Paint Timing API), read over WebDriver; for Warden
#   also to its first real screen (the onboarding heading). Median of RUNS launches,
#   each with fresh data folders. Release builds.
# * PSS: sum of Pss in /proc/PID/smaps_rollup of the app and its WebKit processes after
#   30 s idle (Warden's anvil, a separate node process, is reported on its own).
# * release binary size, and the size of the .deb (Warden's from scripts/package.sh, the
#   hello app's from `tauri build --bundles deb`).
#
# Builds both apps in release mode (minutes on a 2-core machine). Needs what
# `scripts/setup.sh --test` installs, plus the Tauri CLI pinned in src-tauri/package.json.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-5}
target=${CARGO_TARGET_DIR:-$root/target}
export CARGO_TARGET_DIR=$target

if [[ -z "${WARDEN_MEASURE_INNER:-}" ]]; then
  scripts/setup.sh --test
  (cd src-tauri && [[ -d node_modules ]] || npm install --no-audit --no-fund --loglevel=error >/dev/null)
  tauri=$root/src-tauri/node_modules/.bin/tauri
  tools=$target/e2e-tools
  [[ -x $tools/bin/tauri-driver ]] || cargo install tauri-driver@^2 --locked --root "$tools" --quiet
  echo "measure: building both apps (release, .deb)…" >&2
  # Warden as it ships: scripts/package.sh (release app + CLI, completions and man pages
  # staged, the .deb repacked); a bare `tauri build` lacks the staged files.
  scripts/package.sh >/dev/null 2>"$target/measure-build-app.log" \
    || { tail -30 "$target/measure-build-app.log" >&2; exit 1; }
  (cd benches/hello-tauri && "$tauri" build --bundles deb >/dev/null 2>"$target/measure-build-hello.log") \
    || { tail -30 "$target/measure-build-hello.log" >&2; exit 1; }
  export WARDEN_MEASURE_INNER=1 TAURI_DRIVER=$tools/bin/tauri-driver RUNS=$runs
  exec xvfb-run -a -s "-screen 0 1280x800x24" scripts/with-keyring.sh "$0" "$@"
fi

app_bin=$target/release/warden-app
hello_bin=$target/release/hello-tauri
app_deb=$(ls -t "$target"/release/bundle/deb/Warden_*.deb | head -1)
hello_deb=$(ls -t "$target"/release/bundle/deb/hello-tauri_*.deb | head -1)
exec node scripts/measure-app.mjs "$app_bin" "$hello_bin" "$app_deb" "$hello_deb"
