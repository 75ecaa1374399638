#![allow(clippy::unwrap_used)]
//! The package's configuration, checked so a release cannot silently lose part of it: an
//! identifier every platform accepts, the metadata stores and package managers show, the
//! anvil sidecar, the CLI with its completions and man pages, the .deb's dependencies,
//! every icon size, AppStream metadata that names the same app, the macOS and Windows
//! targets, and an updater that stays off until releases are signed and a URL is set.
//! (The install test, `tests/install`, checks the built package itself.)

use std::path::{Path, PathBuf};

use serde_json::Value;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(name: &str) -> Value {
    let path = manifest_dir().join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn the_identifier_is_reverse_dns_and_valid_on_every_platform() {
    let config = read_json("tauri.conf.json");
    let id = config["identifier"].as_str().unwrap();
    assert_eq!(id, warden_app::IDENTIFIER);
    let parts: Vec<&str> = id.split('.').collect();
    assert!(parts.len() >= 3, "{id}: reverse DNS (tld.domain.name)");
    for part in &parts {
        assert!(!part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{id}");
        assert!(!part.starts_with(|c: char| c.is_ascii_digit()), "{id}");
    }
    // macOS refuses an identifier ending in .app (it is the bundle's own extension).
    assert!(!id.ends_with(".app"), "{id}");
}

#[test]
fn metadata_is_complete() {
    let bundle = &read_json("tauri.conf.json")["bundle"];
    for key in ["publisher", "copyright", "homepage", "license", "category", "shortDescription", "longDescription"] {
        assert!(bundle[key].as_str().is_some_and(|v| !v.trim().is_empty()), "bundle.{key} is missing");
    }
    assert_eq!(bundle["license"], "MIT OR Apache-2.0", "the workspace's license");
}

#[test]
fn anvil_ships_as_a_sidecar() {
    let bundle = &read_json("tauri.conf.json")["bundle"];
    assert_eq!(bundle["externalBin"], serde_json::json!(["binaries/anvil"]));
    // build.rs staged it for the target this test was built for.
    let staged = manifest_dir().join(format!("binaries/anvil-{}", target_triple()));
    assert!(staged.is_file(), "{} was not staged", staged.display());
}

/// The host triple, as rustc names it (the tests run on the machine they were built for).
fn target_triple() -> String {
    let out = std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-vV")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines().find_map(|l| l.strip_prefix("host: ")).unwrap().to_owned()
}

#[test]
fn the_deb_depends_on_what_the_binary_links_and_recommends_a_secret_service() {
    let deb = &read_json("tauri.conf.json")["bundle"]["linux"]["deb"];
    let depends: Vec<&str> = deb["depends"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    for needed in ["libwebkit2gtk-4.1-0", "libgtk-3-0", "libayatana-appindicator3-1"] {
        assert!(depends.contains(&needed), "Depends lacks {needed}");
    }
    assert_eq!(deb["recommends"], serde_json::json!(["gnome-keyring"]));
}

#[test]
fn the_deb_carries_the_cli_completions_man_pages_metainfo_and_scalable_icon() {
    let files = read_json("tauri.conf.json")["bundle"]["linux"]["deb"]["files"].clone();
    let files = files.as_object().unwrap();
    for dest in [
        "/usr/bin/warden",
        "/usr/share/bash-completion/completions/warden",
        "/usr/share/zsh/vendor-completions/_warden",
        "/usr/share/fish/vendor_completions.d/warden.fish",
        "/usr/share/man/man1",
        "/usr/share/metainfo/dev.warden.Warden.metainfo.xml",
        "/usr/share/icons/hicolor/scalable/apps/warden-app.svg",
    ] {
        let source = files.get(dest).and_then(Value::as_str).unwrap_or_else(|| panic!("no file for {dest}"));
        // Generated ones come from scripts/package.sh (staging/, not committed).
        if !source.starts_with("staging/") {
            assert!(manifest_dir().join(source).exists(), "{source} (for {dest}) is missing");
        }
    }
    let script = std::fs::read_to_string(manifest_dir().join("../scripts/package.sh")).unwrap();
    for staged in [
        "stage=src-tauri/staging",
        "\"$stage/warden\"",
        "completions bash",
        "completions zsh",
        "completions fish",
        "man --dir",
    ] {
        assert!(script.contains(staged), "scripts/package.sh does not make {staged}");
    }
}

#[test]
fn icons_come_in_every_hicolor_size() {
    let bundle = &read_json("tauri.conf.json")["bundle"];
    let icons: Vec<PathBuf> =
        bundle["icon"].as_array().unwrap().iter().map(|v| manifest_dir().join(v.as_str().unwrap())).collect();
    let mut sizes: Vec<u32> =
        icons.iter().filter(|p| p.extension().is_some_and(|e| e == "png")).map(|p| png_width(p)).collect();
    sizes.sort_unstable();
    sizes.dedup();
    assert_eq!(sizes, [16, 24, 32, 48, 64, 128, 256, 512]);
    assert!(icons.iter().any(|p| p.extension().is_some_and(|e| e == "icns")), "macOS icon");
    assert!(icons.iter().any(|p| p.extension().is_some_and(|e| e == "ico")), "Windows icon");
}

/// The width in a PNG's IHDR chunk (bytes 16..20).
fn png_width(path: &Path) -> u32 {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[1..4], b"PNG", "{}", path.display());
    u32::from_be_bytes(bytes[16..20].try_into().unwrap())
}

#[test]
fn appstream_metadata_names_this_app() {
    let xml = std::fs::read_to_string(manifest_dir().join("packaging/dev.warden.Warden.metainfo.xml")).unwrap();
    assert!(xml.contains(&format!("<id>{}</id>", warden_app::IDENTIFIER)));
    assert!(xml.contains("<launchable type=\"desktop-id\">dev.warden.Warden.desktop</launchable>"));
    assert!(xml.contains(&format!("<release version=\"{}\"", env!("CARGO_PKG_VERSION"))), "the current release");
    assert!(xml.contains("<project_license>MIT OR Apache-2.0</project_license>"));
}

#[test]
fn macos_and_windows_targets_are_configured() {
    let mac = read_json("tauri.macos.conf.json");
    assert_eq!(mac["bundle"]["targets"], serde_json::json!(["app", "dmg"]));
    let windows = read_json("tauri.windows.conf.json");
    assert_eq!(windows["bundle"]["targets"], serde_json::json!(["msi", "nsis"]));
}

#[test]
fn the_updater_is_off_until_releases_are_signed_and_a_url_is_set() {
    let config = read_json("tauri.conf.json");
    let updater = &config["plugins"]["updater"];
    let pubkey = updater["pubkey"].as_str().unwrap();
    assert!(!pubkey.is_empty(), "the release public key is configured");
    assert_eq!(updater["endpoints"], serde_json::json!([]), "no update URL unless a release configures one");
    // Updater artifacts need the private signing key: only a signed release turns them on.
    assert_eq!(config["bundle"]["createUpdaterArtifacts"], false);
    let release = read_json("tauri.release.conf.json");
    assert_eq!(release["bundle"]["createUpdaterArtifacts"], true);
    // Never a private key in the repository.
    for name in ["tauri.conf.json", "tauri.release.conf.json"] {
        let text = std::fs::read_to_string(manifest_dir().join(name)).unwrap();
        assert!(!text.contains("PRIVATE") && !text.contains("secret key"), "{name}");
    }
}
