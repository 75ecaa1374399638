//! `warden devnet` starts the local devnet over a real anvil, prints exactly one ready line
//! naming its URL and chain, serves on that port, and stops when killed.

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
    child.kill().unwrap();
    child.wait().unwrap();
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
