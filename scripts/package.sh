#!/usr/bin/env bash
# Builds Warden's installable package: a release .deb holding the desktop app
# (/usr/bin/warden-app), the anvil its local devnet runs on (/usr/bin/anvil, from the pinned
# @foundry-rs/anvil npm package), the warden CLI (/usr/bin/warden) with its bash, zsh and
# fish completions and man pages, the desktop entry, icons and AppStream metadata; its
# files compressed with xz.
#
#   scripts/package.sh                  prints the path of the .deb it built
#   WARDEN_RELEASE=1 scripts/package.sh a signed release: merges src-tauri/tauri.release.conf.json
#                                       (the update URL, updater artifacts); needs
#                                       TAURI_SIGNING_PRIVATE_KEY[_PASSWORD] (README, "Releases")
#
# The app and the CLI are compiled by one release cargo build (one feature resolution, so
# shared crates compile once); the pinned Tauri CLI (src-tauri/package.json) then only
# bundles (`tauri bundle`, no second build). Completions and man pages are generated from
# the built `warden` into src-tauri/staging/ (not committed), where tauri.conf.json's
# bundle.linux.deb.files picks them up.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}

scripts/setup.sh
(cd ui && npm install --no-audit --no-fund --loglevel=error && npm run build --silent)
(cd src-tauri && npm install --no-audit --no-fund --loglevel=error)

bundle_config=()
if [[ ${WARDEN_RELEASE:-} == 1 ]]; then
  if [[ -z ${TAURI_SIGNING_PRIVATE_KEY:-} ]]; then
    echo "package: WARDEN_RELEASE=1 needs TAURI_SIGNING_PRIVATE_KEY (the updater's signing key)" >&2
    exit 1
  fi
  # The app reads its updater configuration from the config compiled into it.
  TAURI_CONFIG=$(cat src-tauri/tauri.release.conf.json)
  export TAURI_CONFIG
  bundle_config=(--config tauri.release.conf.json)
fi

cargo build --release --locked -p warden-app -p warden-cli --features warden-app/custom-protocol

stage=src-tauri/staging
rm -rf "$stage"
mkdir -p "$stage/completions" "$stage/man1"
cp "$target/release/warden" "$stage/warden"
"$stage/warden" completions bash >"$stage/completions/warden.bash"
"$stage/warden" completions zsh >"$stage/completions/_warden"
"$stage/warden" completions fish >"$stage/completions/warden.fish"
"$stage/warden" man --dir "$stage/man1"
gzip -9n "$stage"/man1/*.1

(cd src-tauri && npx --no-install tauri bundle --bundles deb --ci --features custom-protocol "${bundle_config[@]}")

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
deb=$(ls -t "$target"/release/bundle/deb/Warden_"${version}"_*.deb | head -1)

# Tauri's bundler compresses the package's files with gzip (36 MiB, anvil's 44 MB binary
# most of it); Debian's own packages use xz, which brings it to about 20 MiB. Repack the
# same tree (control files and all) with dpkg-deb.
repack=$(mktemp -d)
trap 'rm -rf "$repack"' EXIT
dpkg-deb --raw-extract "$deb" "$repack/root"
# The bundler names the desktop entry after the product (Warden.desktop); the desktop id
# AppStream and desktops expect is the app's identifier.
apps=$repack/root/usr/share/applications
if [[ -f $apps/Warden.desktop ]]; then
  mv "$apps/Warden.desktop" "$apps/dev.warden.Warden.desktop"
  sed -i 's#usr/share/applications/Warden\.desktop$#usr/share/applications/dev.warden.Warden.desktop#' "$repack/root/DEBIAN/md5sums"
fi
# Warden opens warden://request links and *.warden-request.json files (a server's permission
# request): the entry claims the scheme and the file type (its shared-mime-info definition is
# installed too) and passes the link or file as the app's argument (%u); the running app
# takes it over.
entry=usr/share/applications/dev.warden.Warden.desktop
sed -i -E 's#^Exec=([^ ]+)( %[uUfF])?$#Exec=\1 %u#' "$repack/root/$entry"
grep -q '^MimeType=' "$repack/root/$entry" || echo 'MimeType=x-scheme-handler/warden;application/x-warden-request+json;' >>"$repack/root/$entry"
sum=$(cd "$repack/root" && md5sum "$entry")
sed -i "s#^[0-9a-f]*  $entry\$#$sum#" "$repack/root/DEBIAN/md5sums"
dpkg-deb -Zxz -z9 --root-owner-group --build "$repack/root" "$repack/warden.deb" >/dev/null
mv "$repack/warden.deb" "$deb"
echo "$deb"
