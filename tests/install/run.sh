#!/usr/bin/env bash
# The install test: Warden as a user gets it. Builds the release .deb (scripts/package.sh),
# installs it with dpkg (apt resolves its dependencies), then, with a clean HOME and a PATH
# that has nothing on it (no node, npm, anvil or cargo), runs the installed
# /usr/bin/warden-app under Xvfb with a fresh keychain through onboarding on its embedded
# devnet, and the installed `warden` CLI (specs/install.test.mjs; screenshots go with the
# real-app tests' in target/e2e-screenshots/). Last it removes the package and checks that
# none of its files is left and that the user's files are.
#
#   tests/install/run.sh        needs root (dpkg); skipped, saying so, otherwise
#
# Needs what tests/e2e/run.sh needs (it runs first in scripts/test.sh and installs
# tauri-driver into target/e2e-tools), and no `warden` package installed already.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
export WARDEN_E2E_SCREENSHOTS=$target/e2e-screenshots WARDEN_INSTALL_TMP=$target/install-tmp

if [[ -z "${WARDEN_INSTALL_INNER:-}" ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install: SKIPPED: installing a .deb needs root (run scripts/test.sh as root, as CI does)" >&2
    exit 0
  fi
  if dpkg -s warden >/dev/null 2>&1; then
    echo "install: a 'warden' package is installed already; remove it first (dpkg -r warden)" >&2
    exit 1
  fi
  t0=$(date +%s)
  deb=$(scripts/package.sh | tail -1)
  t1=$(date +%s)
  echo "install: built $deb ($(du -k "$deb" | cut -f1) KiB) in $((t1 - t0)) s" >&2

  # dpkg refuses a package whose dependencies are missing and leaves it unconfigured; apt
  # then installs them and finishes the configuration.
  dpkg -i "$deb" >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -f -y --no-install-recommends >/dev/null
  dpkg -s warden | grep -q '^Status: install ok installed' || { echo "install: the package did not install" >&2; exit 1; }
  echo "install: installed, $(dpkg -s warden | sed -n 's/^Installed-Size: //p') KiB" >&2

  tools=$target/e2e-tools
  if [[ ! -x $tools/bin/tauri-driver ]]; then
    cargo install tauri-driver@^2 --locked --root "$tools" --quiet
  fi
  rm -rf "$WARDEN_INSTALL_TMP"
  mkdir -p "$WARDEN_INSTALL_TMP" "$WARDEN_E2E_SCREENSHOTS"
  dpkg -L warden >"$WARDEN_INSTALL_TMP/package-files.txt"
  dpkg -s warden >"$WARDEN_INSTALL_TMP/package-status.txt"
  # Every installed file matches the package's checksums (the repack keeps them true).
  dpkg --verify warden >"$WARDEN_INSTALL_TMP/package-verify.txt" 2>&1 || true
  cp "$deb" "$WARDEN_INSTALL_TMP/"
  export WARDEN_DEB=$deb TAURI_DRIVER=$tools/bin/tauri-driver WARDEN_INSTALL_INNER=1 \
    WARDEN_APP_BIN=/usr/bin/warden-app WARDEN_CLI_BIN=/usr/bin/warden WARDEN_E2E_TMP=$WARDEN_INSTALL_TMP
  status=0
  xvfb-run -a -s "-screen 0 1280x800x24" scripts/with-keyring.sh "$0" || status=$?

  # Removal: every file of the package goes; the user's folders (under the test's HOME)
  # stay, since no reset was chosen.
  dpkg -r warden >/dev/null
  left=0
  while IFS= read -r f; do
    if [[ -f $f || -L $f ]]; then
      echo "install: left behind after dpkg -r: $f" >&2
      left=1
    fi
  done <"$WARDEN_INSTALL_TMP/package-files.txt"
  for d in .config/warden .local/share/warden .local/state/warden; do
    if [[ ! -d $WARDEN_INSTALL_TMP/home/$d ]]; then
      echo "install: the user's $d is gone after dpkg -r" >&2
      left=1
    fi
  done
  ((left == 0)) || status=1
  echo "install: removed; user data kept; whole test $(($(date +%s) - t0)) s" >&2
  exit "$status"
fi

cd tests/install
exec node --test --test-concurrency=1 specs/
