//! No copy of a session key is left in memory by what Warden does with it: sealing,
//! serializing a credentials document, writing and reading its file, unlocking it,
//! POSTing it.
//!
//! Each scenario runs in a child process (this test program, started again), which does
//! the work, drops everything, then reads its own writable memory (`/proc/self/mem`: the
//! heap, thread arenas and other anonymous mappings) and counts the places that still hold
//! a piece of the key, as hex text or as raw bytes. A buffer freed without being wiped
//! keeps its bytes until its memory is reused, so an unwiped copy is found unless
//! a later allocation happened to overwrite it. The main thread's stack
//! is not searched (a key's bytes pass through registers and stack slots no Rust code
//! controls). Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::print_stderr, clippy::print_stdout)]

mod common;

use std::io::{Read, Seek, SeekFrom, Write};
use std::process::Command;

use common::*;
use warden_core::credentials::{Secret, SecretForm, SessionCredentials, Unlock};
use warden_core::export::{PostConfig, PostTarget, post_document};

/// Pieces of [`SESSION_KEY`]: the start, middle and end of its hex text and of its raw
/// bytes. Constants, so they live in read-only memory, which is not searched.
const NEEDLES: [&[u8]; 6] = [
    b"4bbbf85ce3377467",
    b"804f221813b2bb87",
    b"0f1fcdbf7cbf4356",
    &[0x4b, 0xbb, 0xf8, 0x5c, 0xe3, 0x37, 0x74, 0x67],
    &[0x80, 0x4f, 0x22, 0x18, 0x13, 0xb2, 0xbb, 0x87],
    &[0x0f, 0x1f, 0xcd, 0xbf, 0x7c, 0xbf, 0x43, 0x56],
];

const SCENARIO_ENV: &str = "WARDEN_SECRET_COPIES_SCENARIO";

/// Reads this process's writable anonymous memory. Everything it needs is allocated
/// before the scenario runs, so the search itself allocates nothing (an allocation could
/// reuse, and overwrite, a freed copy).
struct MemorySearch {
    maps: std::fs::File,
    mem: std::fs::File,
    maps_text: String,
    chunk: Vec<u8>,
}

impl MemorySearch {
    fn new() -> Self {
        Self {
            maps: std::fs::File::open("/proc/self/maps").unwrap(),
            mem: std::fs::File::open("/proc/self/mem").unwrap(),
            maps_text: String::with_capacity(1 << 20),
            chunk: vec![0u8; 1 << 20],
        }
    }

    /// How many places hold a needle.
    fn copies(&mut self) -> usize {
        self.maps.read_to_string(&mut self.maps_text).unwrap();
        assert!(self.maps_text.len() < self.maps_text.capacity(), "the map list outgrew its buffer");
        let own = self.chunk.as_ptr() as u64;
        let mut found = 0;
        for line in self.maps_text.lines() {
            let mut fields = line.split_whitespace();
            let (Some(range), Some(perms)) = (fields.next(), fields.next()) else { continue };
            let path = fields.nth(3).unwrap_or("");
            if !(path.is_empty() || path == "[heap]") || !perms.starts_with("rw") {
                continue;
            }
            let (start, end) = range.split_once('-').unwrap();
            let (start, end) = (u64::from_str_radix(start, 16).unwrap(), u64::from_str_radix(end, 16).unwrap());
            let mut at = start;
            while at < end {
                let len = ((end - at) as usize).min(self.chunk.len());
                if self.mem.seek(SeekFrom::Start(at)).is_err() || self.mem.read_exact(&mut self.chunk[..len]).is_err() {
                    break;
                }
                // The chunk buffer holds only what was last read: not searched where it
                // overlaps itself. A needle split across two reads is still matched by
                // another needle of the same copy.
                let overlaps_self = at < own + self.chunk.len() as u64 && own < at + len as u64;
                if !overlaps_self {
                    for needle in NEEDLES {
                        found += self.chunk[..len].windows(needle.len()).filter(|w| w == &needle).count();
                    }
                }
                at += len as u64;
            }
        }
        found
    }
}

fn plaintext_document() -> SessionCredentials {
    real_credentials(Some(Secret::seal(SESSION_KEY, SecretForm::Plaintext).unwrap()))
}

/// A loopback HTTP server that reads a request into a fixed buffer on its thread's
/// stack, wipes it and answers 200; so the server itself leaves no copy.
fn stack_server() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut buffer = [0u8; 16 * 1024];
        let mut filled = 0;
        loop {
            let n = stream.read(&mut buffer[filled..]).unwrap_or(0);
            filled += n;
            let text = &buffer[..filled];
            let done = text.windows(4).position(|w| w == b"\r\n\r\n").is_some_and(|end| {
                let head = &text[..end];
                let key = b"content-length:";
                let length = head
                    .split(|b| *b == b'\n')
                    .find(|l| l.len() > key.len() && l[..key.len()].eq_ignore_ascii_case(key))
                    .map(|l| {
                        l[key.len()..]
                            .iter()
                            .filter(|b| b.is_ascii_digit())
                            .fold(0, |a, b| a * 10 + usize::from(b - b'0'))
                    })
                    .unwrap_or(0);
                filled >= end + 4 + length
            });
            if n == 0 || done {
                break;
            }
        }
        zeroize::Zeroize::zeroize(&mut buffer);
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
    });
    addr
}

/// Does the work of `scenario`, dropping everything it made.
fn run(scenario: &str, dir: &std::path::Path) {
    let path = dir.join("plain.json");
    match scenario {
        // A plain `String` copy of the key, dropped: what the search must find.
        "control" => drop(std::hint::black_box(SESSION_KEY.to_owned())),
        "seal in plain text" => drop(plaintext_document()),
        "serialize the document" => drop(plaintext_document().to_json()),
        "write and read the file" => {
            plaintext_document().write_file(&path, false).unwrap();
            drop(SessionCredentials::read_file(&path).unwrap());
        }
        "unlock a plaintext key" => {
            plaintext_document().write_file(&path, false).unwrap();
            drop(SessionCredentials::read_file(&path).unwrap().session_signer(Unlock::None).unwrap());
        }
        "POST the document" => {
            let addr = stack_server();
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let target = PostTarget::new(&format!("http://127.0.0.1:{}/hook", addr.port()), None).unwrap();
            let document = plaintext_document();
            runtime.block_on(post_document(&document, &target, &PostConfig::default())).unwrap();
        }
        "seal and unlock a keystore" => {
            let secret = Secret::seal(SESSION_KEY, SecretForm::Keystore { passphrase: "correct horse battery staple" });
            let document = real_credentials(Some(secret.unwrap()));
            drop(document.session_signer(Unlock::Passphrase("correct horse battery staple")).unwrap());
        }
        "seal and unlock with age" => {
            let identity = age::x25519::Identity::generate();
            let recipient = identity.to_public().to_string();
            let secret = Secret::seal(SESSION_KEY, SecretForm::Age { recipient: &recipient }).unwrap();
            let identity = {
                use age::secrecy::ExposeSecret;
                zeroize::Zeroizing::new(identity.to_string().expose_secret().to_owned())
            };
            drop(real_credentials(Some(secret)).session_signer(Unlock::AgeIdentity(&identity)).unwrap());
        }
        other => panic!("unknown scenario {other:?}"),
    }
}

const SCENARIOS: [&str; 7] = [
    "seal and unlock a keystore",
    "seal and unlock with age",
    "seal in plain text",
    "serialize the document",
    "write and read the file",
    "unlock a plaintext key",
    "POST the document",
];

fn child(scenario: &str) {
    let dir = tempfile::tempdir().unwrap();
    let mut search = MemorySearch::new();
    run(scenario, dir.path());
    let copies = search.copies();
    println!("copies={copies}");
}

/// Runs `scenario` in a child process and returns how many copies it left.
fn copies_left_by(scenario: &str) -> usize {
    let out = Command::new(std::env::current_exe().unwrap()).env(SCENARIO_ENV, scenario).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{scenario}: {}{}", stdout, String::from_utf8_lossy(&out.stderr));
    stdout.lines().find_map(|l| l.strip_prefix("copies=")).unwrap().parse().unwrap()
}

fn main() {
    if let Ok(scenario) = std::env::var(SCENARIO_ENV) {
        return child(&scenario);
    }
    assert!(copies_left_by("control") > 0, "the search must find a dropped String copy of the key");
    let mut failures = Vec::new();
    for scenario in SCENARIOS {
        let copies = copies_left_by(scenario);
        eprintln!("{scenario}: {copies} copies of the session key left in memory");
        if copies != 0 {
            failures.push(format!("{scenario}: {copies}"));
        }
    }
    assert!(failures.is_empty(), "copies of the session key were left in memory: {failures:?}");
}
