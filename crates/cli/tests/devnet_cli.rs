//! `warden devnet` starts the local devnet over a real anvil, prints exactly one ready line
//! naming its wallet URL, chain and node URL, serves on those ports (the node URL on
//! `--node-port`), and on SIGTERM stops cleanly with the anvil it started.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn prints_the_ready_line_and_serves() {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("warden"))
        .args(["devnet", "--port", "0", "--node-port", "0", "--chain-id", "31338"])
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
    let (port, rest) = rest.split_once(" chain ").unwrap();
    let (chain, node) = rest.split_once(" node ").unwrap();
    assert_eq!(chain, "31338");
    let port: u16 = port.parse().unwrap();
    let node_port: u16 = node.strip_prefix("http://127.0.0.1:").unwrap().parse().unwrap();
    assert_ne!(port, node_port);
    // The wallet URL serves the wallet API, the node URL the chain.
    assert!(rpc(port, r#"{"jsonrpc":"2.0","id":1,"method":"wallet_getCapabilities","params":["0x0000000000000000000000000000000000000001"]}"#).contains("\"result\""));
    assert!(rpc(node_port, r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#).contains("\"0x7a6a\""));
    assert!(rpc(port, r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#).contains("-32601"));

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

/// Starts `warden devnet` with `extra` flags and returns the child and its port.
fn start_devnet(extra: &[&str]) -> (std::process::Child, u16) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("warden"))
        .args(["devnet", "--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port = line.trim().strip_prefix("warden devnet listening on http://127.0.0.1:").unwrap().split(' ').next();
    (child, port.unwrap().parse().unwrap())
}

/// POSTs one JSON-RPC request over plain HTTP/1.1 and returns the response body.
fn rpc(port: u16, body: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response.split_once("\r\n\r\n").unwrap().1.to_owned()
}

#[test]
fn the_tamper_hook_exists_only_with_test_hooks() {
    let request = r#"{"jsonrpc":"2.0","id":1,"method":"devnet_setTamper","params":["root"]}"#;
    let (mut plain, port) = start_devnet(&[]);
    let answer = rpc(port, request);
    plain.kill().unwrap();
    plain.wait().unwrap();
    assert!(answer.contains("-32601") && answer.contains("--test-hooks"), "{answer}");

    let (mut hooked, port) = start_devnet(&["--test-hooks"]);
    let answer = rpc(port, request);
    hooked.kill().unwrap();
    hooked.wait().unwrap();
    assert!(answer.contains(r#""result":{"mode":"root"}"#), "{answer}");
}

/// The pinned anvil of the checkout (installed by scripts/setup.sh).
fn pinned_anvil() -> std::path::PathBuf {
    warden_devnet::anvil::npm_anvil_path(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../devnet/node"))
        .unwrap()
}

/// An installed layout: a copy of `warden` with an `anvil` beside it that records that it
/// ran, then runs the pinned anvil. Returns (folder, warden, marker file).
fn installed_layout() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let warden = dir.path().join("warden");
    let built = assert_cmd::cargo::cargo_bin("warden");
    std::fs::hard_link(&built, &warden).or_else(|_| std::fs::copy(&built, &warden).map(drop)).unwrap();
    let marker = dir.path().join("sidecar-ran");
    let sidecar = dir.path().join("anvil");
    std::fs::write(
        &sidecar,
        format!("#!/bin/sh\necho ran > '{}'\nexec '{}' \"$@\"\n", marker.display(), pinned_anvil().display()),
    )
    .unwrap();
    std::fs::set_permissions(&sidecar, std::fs::Permissions::from_mode(0o755)).unwrap();
    (dir, warden, marker)
}

/// Runs `warden devnet` from `warden` with `env`, waits for its ready line, stops it.
fn ready_line_of(warden: &std::path::Path, env: &[(&str, &str)]) -> String {
    let mut child = Command::new(warden)
        .args(["devnet", "--port", "0"])
        .env_remove("WARDEN_ANVIL")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    line
}

#[test]
fn the_anvil_beside_the_executable_runs_with_nothing_on_path() {
    let (_dir, warden, marker) = installed_layout();
    // An empty PATH: no node, npm, cargo or anvil to fall back on.
    let line = ready_line_of(&warden, &[("PATH", "")]);
    assert!(line.starts_with("warden devnet listening on http://127.0.0.1:"), "{line:?}");
    assert!(marker.exists(), "the devnet did not run the anvil beside the executable");
}

#[test]
fn warden_anvil_wins_over_the_sidecar() {
    let (_dir, warden, marker) = installed_layout();
    let pinned = pinned_anvil();
    let line = ready_line_of(&warden, &[("WARDEN_ANVIL", pinned.to_str().unwrap())]);
    assert!(line.starts_with("warden devnet listening on"), "{line:?}");
    assert!(!marker.exists(), "WARDEN_ANVIL was ignored: the sidecar ran");

    let out = Command::new(&warden)
        .args(["devnet", "--port", "0"])
        .env("WARDEN_ANVIL", "/nonexistent/anvil")
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("/nonexistent/anvil"), "{err}");
}
