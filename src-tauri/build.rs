//! Generates the Tauri context and the app's command permissions: every command in
//! `src/commands/names.rs` gets an `allow-<name>`/`deny-<name>` permission. With this
//! manifest, Tauri allows an app command only to windows whose capability grants it
//! (without one, every window could call every command).

include!("src/commands/names.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/commands/names.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
