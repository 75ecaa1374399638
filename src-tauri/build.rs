//! Generates the Tauri context and the app's command permissions: every command in
//! `src/commands/names.rs` gets an `allow-<name>`/`deny-<name>` permission. With this
//! manifest, Tauri allows an app command only to windows whose capability grants it
//! (without one, every window could call every command).
//!
//! First it stages the anvil sidecar (`bundle.externalBin` in tauri.conf.json): Tauri wants
//! `binaries/anvil-<target triple>` beside this file, copies it next to the built binaries
//! (`target/<profile>/anvil`) and, when bundling, next to the installed executable. The
//! binary comes from the pinned `@foundry-rs/anvil` npm package in `crates/devnet/node`
//! (`WARDEN_ANVIL_SIDECAR=PATH` names another file, e.g. another platform's binary for a
//! cross build). The staged copy is not committed (`.gitignore`).

use std::path::{Path, PathBuf};

include!("src/commands/names.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/commands/names.rs");
    stage_anvil_sidecar();
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}

/// The `@foundry-rs/anvil-<os>-<arch>` package holding anvil for a Rust target triple.
fn npm_package_for(target: &str) -> Option<&'static str> {
    Some(match target {
        "x86_64-unknown-linux-gnu" => "anvil-linux-amd64",
        "aarch64-unknown-linux-gnu" => "anvil-linux-arm64",
        "x86_64-apple-darwin" => "anvil-darwin-amd64",
        "aarch64-apple-darwin" => "anvil-darwin-arm64",
        "x86_64-pc-windows-msvc" => "anvil-win32-amd64",
        _ => return None,
    })
}

/// Copies anvil to `binaries/anvil-<target>[.exe]` unless an identical copy is there.
fn stage_anvil_sidecar() {
    let target = std::env::var("TARGET").expect("cargo sets TARGET for build scripts");
    let exe = if target.contains("windows") { ".exe" } else { "" };
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-env-changed=WARDEN_ANVIL_SIDECAR");
    let source = match std::env::var_os("WARDEN_ANVIL_SIDECAR").filter(|v| !v.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => {
            let package = npm_package_for(&target).unwrap_or_else(|| {
                panic!("no @foundry-rs/anvil package is known for {target}: set WARDEN_ANVIL_SIDECAR=PATH to an anvil built for it")
            });
            manifest_dir
                .join("../crates/devnet/node/node_modules/@foundry-rs")
                .join(package)
                .join("bin")
                .join(format!("anvil{exe}"))
        }
    };
    println!("cargo:rerun-if-changed={}", source.display());
    let dest = manifest_dir.join("binaries").join(format!("anvil-{target}{exe}"));
    if !source.is_file() {
        panic!(
            "the app ships anvil as a sidecar, but {} is missing: run scripts/setup.sh (or `npm install --no-audit --no-fund` in crates/devnet/node), or set WARDEN_ANVIL_SIDECAR=PATH",
            source.display()
        );
    }
    if same_file_contents(&source, &dest) {
        return;
    }
    std::fs::create_dir_all(dest.parent().expect("binaries/ has a parent")).expect("create src-tauri/binaries");
    let partial = dest.with_extension("partial");
    std::fs::copy(&source, &partial)
        .unwrap_or_else(|e| panic!("copy {} to {}: {e}", source.display(), partial.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&partial, std::fs::Permissions::from_mode(0o755))
            .expect("make the sidecar executable");
    }
    std::fs::rename(&partial, &dest).unwrap_or_else(|e| panic!("rename to {}: {e}", dest.display()));
}

/// Whether `b` exists with the same length and bytes as `a` (a 40 MB compare is cheaper
/// than rewriting the file and touching every later build step).
fn same_file_contents(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (a.metadata(), b.metadata()) else { return false };
    if ma.len() != mb.len() {
        return false;
    }
    matches!((std::fs::read(a), std::fs::read(b)), (Ok(x), Ok(y)) if x == y)
}
