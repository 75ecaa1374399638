//! `warden devnet` starts the local devnet over a real anvil, prints exactly one ready line
//! naming its URL and chain, serves on that port, and on SIGTERM stops cleanly with the anvil
//! it started.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn prints_the_ready_line_and_serves() {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("warden"))
        .args(["devnet", "--port", "0", "--chain-id", "31338"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(60)).expect("no ready line within 60 s");
    let rest = line.trim().strip_prefix("warden devnet listening on http://127.0.0.1:").unwrap_or_else(|| {
        let _ = child.kill();
        panic!("unexpected ready line {line:?}")
    });
    let (port, chain) = rest.split_once(" chain ").unwrap();
    assert_eq!(chain, "31338");
    let port: u16 = port.parse().unwrap();
    assert!(TcpStream::connect(("127.0.0.1", port)).is_ok(), "nothing listens on {port}");

    // The anvil the devnet started is its child; SIGTERM (what service managers and harnesses
    // send) must stop both, leaving no orphaned node behind.
    let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", child.id())).unwrap_or_default();
    let anvils: Vec<u32> = children.split_whitespace().map(|p| p.parse().unwrap()).collect();
    assert!(!anvils.is_empty(), "the devnet started no child process");
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("warden devnet did not stop within 30 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "warden devnet exited with {status} after SIGTERM");
    for pid in anvils {
        let alive =
            std::fs::read_to_string(format!("/proc/{pid}/stat")).map(|stat| !stat.contains(") Z ")).unwrap_or(false);
        assert!(!alive, "anvil (pid {pid}) outlived the devnet that started it");
    }
}

#[test]
fn a_missing_anvil_is_a_clear_error_not_a_hang() {
    let out = Command::new(assert_cmd::cargo::cargo_bin("warden"))
        .args(["devnet", "--anvil", "/nonexistent/anvil"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: ") && err.contains("/nonexistent/anvil"), "{err}");
}
