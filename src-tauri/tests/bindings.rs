#![allow(clippy::unwrap_used)]
//! The TypeScript types in `ui/src/lib/bindings/` are generated from the Rust IPC types
//! (`warden_app::payloads`) and the command list (`CommandName.ts`). This test regenerates
//! them into a temporary folder and fails when the committed files differ, are missing, or
//! are left over: every file there is generated, none is written by hand.
//!
//! To update them: `WARDEN_WRITE_BINDINGS=1 cargo test -p warden-app --test bindings`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn ts_files(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ts") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            out.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    out
}

#[test]
fn committed_bindings_match_the_rust_types() {
    let committed_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings");
    let fresh = tempfile::tempdir().unwrap();
    let mut written = warden_app::payloads::export_bindings(fresh.path()).unwrap();
    written.push(warden_app::commands::export_command_names(fresh.path()).unwrap());
    assert!(written.len() >= 15, "every IPC type is exported: {written:?}");
    let generated = ts_files(fresh.path());

    if std::env::var_os("WARDEN_WRITE_BINDINGS").is_some() {
        std::fs::create_dir_all(&committed_dir).unwrap();
        for name in ts_files(&committed_dir).into_keys() {
            if !generated.contains_key(&name) {
                std::fs::remove_file(committed_dir.join(&name)).unwrap();
            }
        }
        for (name, text) in &generated {
            std::fs::write(committed_dir.join(name), text).unwrap();
        }
    }

    let committed = ts_files(&committed_dir);
    let stale: Vec<&String> = generated.keys().filter(|n| committed.get(*n) != generated.get(*n)).collect();
    let leftover: Vec<&String> =
        committed.iter().filter(|(n, _)| !generated.contains_key(*n)).map(|(n, _)| n).collect();
    assert!(
        stale.is_empty() && leftover.is_empty(),
        "ui/src/lib/bindings is out of date (stale or missing: {stale:?}; not generated: {leftover:?}); \
         run WARDEN_WRITE_BINDINGS=1 cargo test -p warden-app --test bindings"
    );
}
