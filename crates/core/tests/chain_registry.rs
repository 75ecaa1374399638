//! The generated chain registry is what the pinned official packages say: runs
//! `node scripts/gen-chain-registry.mjs --check`, which regenerates the table from
//! `@alchemy/common` and viem as installed in `tests/conformance` and fails naming every
//! chain added, removed or changed upstream. Skipped (and says so) when those packages are
//! not installed; `scripts/test.sh` installs them and runs the same check after.

use std::path::Path;
use std::process::Command;

#[test]
fn registry_matches_the_pinned_alchemy_package() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if !root.join("tests/conformance/node_modules/@alchemy/common").is_dir() {
        println!("skipped: tests/conformance/node_modules/@alchemy/common is not installed (npm install there)");
        return;
    }
    let out = Command::new("node")
        .arg("scripts/gen-chain-registry.mjs")
        .arg("--check")
        .current_dir(&root)
        .output()
        .expect("node runs (the conformance packages are installed, so Node should be too)");
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the chain registry differs from the pinned packages:\n{report}");
    assert!(report.contains("matches @alchemy/common 5.1.0"), "{report}");
}
