//! `warden completions` and `warden man`: what the package installs as shell completions
//! and man pages is generated from the binary itself, for every subcommand.

#![allow(clippy::unwrap_used)]

use assert_cmd::Command;

fn stdout_of(args: &[&str]) -> String {
    let out = Command::cargo_bin("warden").unwrap().args(args).output().unwrap();
    assert!(out.status.success(), "warden {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn completions_cover_every_subcommand_in_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout_of(&["completions", shell]);
        for sub in ["codec", "key", "devnet", "grant", "revoke", "call", "completions", "man"] {
            assert!(script.contains(sub), "{shell} completions lack {sub}");
        }
    }
    // The bash script is valid bash.
    let script = stdout_of(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("warden.bash");
    std::fs::write(&file, script).unwrap();
    let check = std::process::Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
}

#[test]
fn an_unknown_shell_is_refused_naming_the_choices() {
    let out = Command::cargo_bin("warden").unwrap().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("tcsh") && err.contains("bash") && err.contains("fish"), "{err}");
}

#[test]
fn the_man_page_is_roff_with_the_version() {
    let page = stdout_of(&["man"]);
    assert!(page.starts_with(".ie") || page.contains(".TH warden 1"), "{}", &page[..page.len().min(200)]);
    assert!(page.contains(env!("CARGO_PKG_VERSION")), "the page names the version");
    assert!(page.contains("devnet"), "the page lists the subcommands");
}

#[test]
fn man_dir_writes_one_page_per_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    stdout_of(&["man", "--dir", out.to_str().unwrap()]);
    for page in ["warden.1", "warden-devnet.1", "warden-key.1", "warden-key-new.1", "warden-completions.1"] {
        let text = std::fs::read_to_string(out.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH"), "{page} is not a man page");
    }
}
