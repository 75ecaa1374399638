#![allow(clippy::unwrap_used)]
//! The TypeScript types in `ui/src/lib/bindings/` are generated from the Rust IPC types
//! (`warden_app::payloads`). This test regenerates them into a temporary folder and fails
//! when the committed files differ, are missing, or are left over.
//!
//! The one exception: types of commands the Rust side does not implement yet (the grant,
//! approval, sessions, export and activity screens of issue 7) are written by hand to the IPC
//! contract, and say so on their first line (`HAND_WRITTEN`). They are not left-overs; once
//! Rust generates a file of the same name, the generated text must match and the marker goes.
//!
//! To update them: `WARDEN_WRITE_BINDINGS=1 cargo test -p warden-app --test bindings`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// First line of a binding written by hand ahead of its Rust type.
const HAND_WRITTEN: &str = "// Hand-written to the IPC contract";

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
        for (name, text) in ts_files(&committed_dir) {
            if !generated.contains_key(&name) && !text.starts_with(HAND_WRITTEN) {
                std::fs::remove_file(committed_dir.join(&name)).unwrap();
            }
        }
        for (name, text) in &generated {
            std::fs::write(committed_dir.join(name), text).unwrap();
        }
    }

    let committed = ts_files(&committed_dir);
    let stale: Vec<&String> = generated.keys().filter(|n| committed.get(*n) != generated.get(*n)).collect();
    let leftover: Vec<&String> = committed
        .iter()
        .filter(|(n, text)| !generated.contains_key(*n) && !text.starts_with(HAND_WRITTEN))
        .map(|(n, _)| n)
        .collect();
    assert!(
        stale.is_empty() && leftover.is_empty(),
        "ui/src/lib/bindings is out of date (stale or missing: {stale:?}; not generated: {leftover:?}); \
         run WARDEN_WRITE_BINDINGS=1 cargo test -p warden-app --test bindings"
    );
}
