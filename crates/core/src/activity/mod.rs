//! The activity log: an append-only, hash-chained record of what the user did with their
//! account and sessions, in which an edited, deleted, reordered or cut entry is detected.
//!
//! `activity.jsonl` in a folder holds one JSON object per line:
//! `{seq, at, kind, summary, sessionId, prev, hash}`. `seq` counts from 1, `prev` is the
//! previous entry's `hash` (zero for the first), and `hash` is keccak256 of the entry's
//! canonical form — the compact JSON of every other field, in that order — so changing any
//! past entry breaks its hash or, if the hash was recomputed, the next entry's `prev`.
//! `activity.head.json` anchors the newest `{version, seq, hash}` (rewritten atomically after
//! each append), which is how lines cut from the end, or a wholly re-chained file, are
//! noticed. Its `version` is the log's format version ([`VERSION`]; an anchor without one
//! was written by Warden 0.1 in format 1). A log whose anchor has a higher version was
//! written by a newer Warden: it is neither read nor appended to, and left untouched
//! ([`ActivityError::NewerVersion`]).
//!
//! [`ActivityLog::append`] opens the file with `O_APPEND`, writes one line in one write
//! and fsyncs. It never refuses to record because of an earlier break: the new entry
//! chains onto the last readable one with the next sequence number after both the file
//! and the anchor, so the break stays visible to [`ActivityLog::verify`], which reports
//! intact or the first broken entry with a typed [`LogProblem`].
//!
//! * [`summary`] — [`Summary`]: the entry's one line, built only from addresses, ids,
//!   amounts and fixed text, so no secret can be written here.
//!
//! Left out: protection against someone who rewrites both files consistently (the log is
//! evidence against accidents and casual edits, not a signed ledger) and writers in other
//! processes at the same time (the app is the only one).

pub mod summary;

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use alloy_primitives::{B256, FixedBytes, keccak256};
use serde::{Deserialize, Serialize};

pub use summary::{MAX_SUMMARY_CHARS, Summary};

use crate::atomic_file::{self, AtomicWriteError, Existing, write_atomic};
use crate::error::{Coded, ErrorCode};

/// The log's file name inside its folder.
pub const LOG_FILE: &str = "activity.jsonl";
/// The head anchor's file name.
pub const HEAD_FILE: &str = "activity.head.json";
/// The only format version this Warden reads and writes.
pub const VERSION: u64 = 1;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    AccountCreated,
    GrantRequested,
    Approved,
    Rejected,
    Signed,
    Exported,
    TestCall,
    Revoked,
    Forgotten,
}

impl ActivityKind {
    /// Every kind, in the order above.
    pub const ALL: [Self; 9] = [
        Self::AccountCreated,
        Self::GrantRequested,
        Self::Approved,
        Self::Rejected,
        Self::Signed,
        Self::Exported,
        Self::TestCall,
        Self::Revoked,
        Self::Forgotten,
    ];
}

/// One entry, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActivityEntry {
    pub seq: u64,
    /// Unix seconds.
    pub at: u64,
    pub kind: ActivityKind,
    pub summary: String,
    /// The on-chain id of the session concerned, if any.
    pub session_id: Option<FixedBytes<16>>,
    pub prev: B256,
    pub hash: B256,
}

/// The hashed part of an entry, in its canonical field order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Canonical<'a> {
    seq: u64,
    at: u64,
    kind: ActivityKind,
    summary: &'a str,
    session_id: Option<FixedBytes<16>>,
    prev: B256,
}

impl ActivityEntry {
    /// keccak256 of the canonical form (everything but `hash`).
    pub fn compute_hash(&self) -> B256 {
        let canonical = Canonical {
            seq: self.seq,
            at: self.at,
            kind: self.kind,
            summary: &self.summary,
            session_id: self.session_id,
            prev: self.prev,
        };
        // Plain data with string keys always serializes.
        keccak256(serde_json::to_vec(&canonical).unwrap_or_default())
    }
}

/// The newest entry, as anchored in [`HEAD_FILE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Head {
    /// Absent in anchors written by Warden 0.1 (format 1).
    #[serde(default = "first_version")]
    version: u64,
    seq: u64,
    hash: B256,
}

fn first_version() -> u64 {
    1
}

/// The first thing wrong with a log.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LogProblem {
    #[error("line {line} is not an activity entry ({reason})")]
    Malformed { line: usize, reason: String },
    #[error("line {line} was changed: its content does not match its hash")]
    Edited { line: usize },
    #[error("entries {expected} to {} are missing (deleted lines)", .found - 1)]
    Missing { expected: u64, found: u64 },
    #[error("entry {found} is where entry {expected} should be (lines reordered or repeated)")]
    OutOfOrder { expected: u64, found: u64 },
    #[error("entry {seq} does not follow the entry before it (an entry was replaced or rewritten)")]
    ChainBroken { seq: u64 },
    #[error("line {line} is incomplete (the file was cut, or a write was interrupted)")]
    TruncatedTail { line: usize },
    #[error("the log ends at entry {last}, but entry {anchored} was recorded (lines cut from the end)")]
    TailRemoved { anchored: u64, last: u64 },
    #[error("entry {seq} differs from the one recorded when it was written (the log was rewritten)")]
    Rewritten { seq: u64 },
    #[error("the head anchor {HEAD_FILE} is missing or damaged")]
    AnchorMissing,
}

/// The outcome of [`ActivityLog::verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Integrity {
    /// Whether nothing is wrong.
    pub intact: bool,
    /// The sequence number where the first problem is (the entry that should be there).
    pub broken_at: Option<u64>,
    pub problem: Option<LogProblem>,
    /// Entries that could be read.
    pub entries: usize,
}

/// What [`ActivityLog::read`] returns: the readable entries that pass the filter, and the
/// integrity of the whole log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogView {
    pub entries: Vec<ActivityEntry>,
    pub integrity: Integrity,
}

/// Which entries to read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub kind: Option<ActivityKind>,
    pub session_id: Option<FixedBytes<16>>,
}

impl Filter {
    fn matches(&self, e: &ActivityEntry) -> bool {
        self.kind.is_none_or(|k| k == e.kind) && self.session_id.is_none_or(|s| e.session_id == Some(s))
    }
}

/// Why the log could not be read or written, or (from [`ActivityLog::ensure_intact`]) is
/// not intact.
#[derive(Debug, thiserror::Error)]
pub enum ActivityError {
    #[error("{path}: cannot {action}: {source}")]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot update the activity head anchor: {0}")]
    Anchor(#[from] AtomicWriteError),
    #[error("the activity log is not intact{}: {problem}", .at.map(|s| format!(" at entry {s}")).unwrap_or_default())]
    Tampered { at: Option<u64>, problem: LogProblem },
    /// The log was written by a newer Warden; it was left untouched.
    #[error(
        "{path}: the activity log has format version {found}, written by a newer Warden (this one reads version {VERSION}); it was left untouched"
    )]
    NewerVersion { path: PathBuf, found: u64 },
}

impl Coded for ActivityError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Io { .. } => ErrorCode::StorageFailed,
            Self::Anchor(e) => e.code(),
            Self::Tampered { .. } => ErrorCode::LogTampered,
            Self::NewerVersion { .. } => ErrorCode::StoreCorrupt,
        }
    }
}

/// The activity log in one folder.
#[derive(Debug)]
pub struct ActivityLog {
    dir: PathBuf,
    /// Serializes appends of this process.
    write_lock: std::sync::Mutex<()>,
}

/// The most the tail read of an append looks at before reading the whole file.
const TAIL_BYTES: u64 = 64 * 1024;

impl ActivityLog {
    /// The log in `dir` (created if missing). Nothing is read until used.
    pub fn open(dir: &Path) -> Result<Self, ActivityError> {
        std::fs::create_dir_all(dir).map_err(|source| ActivityError::Io {
            path: dir.to_owned(),
            action: "create the folder",
            source,
        })?;
        Ok(Self { dir: dir.to_owned(), write_lock: std::sync::Mutex::new(()) })
    }

    /// The log file.
    pub fn path(&self) -> PathBuf {
        self.dir.join(LOG_FILE)
    }

    fn head_path(&self) -> PathBuf {
        self.dir.join(HEAD_FILE)
    }

    fn io(&self, action: &'static str) -> impl FnOnce(std::io::Error) -> ActivityError + '_ {
        move |source| ActivityError::Io { path: self.path(), action, source }
    }

    /// Appends an entry at time `at` (unix seconds) and returns it. See the module docs.
    pub fn append(
        &self,
        kind: ActivityKind,
        summary: Summary,
        session_id: Option<FixedBytes<16>>,
        at: u64,
    ) -> Result<ActivityEntry, ActivityError> {
        let _guard = self.write_lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.refuse_newer()?;
        let path = self.path();
        let mut options = std::fs::OpenOptions::new();
        options.read(true).append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let existed = path.exists();
        let mut file = options.open(&path).map_err(self.io("open"))?;
        let tail = read_tail(&mut file).map_err(self.io("read"))?;
        let head = self.read_head();
        let last_seq = tail.last.as_ref().map_or(0, |e| e.seq);
        let seq = last_seq.max(head.ok().flatten().map_or(0, |h| h.seq)) + 1;
        let mut entry = ActivityEntry {
            seq,
            at,
            kind,
            summary: summary.into_text(),
            session_id,
            prev: tail.last.as_ref().map_or(B256::ZERO, |e| e.hash),
            hash: B256::ZERO,
        };
        entry.hash = entry.compute_hash();
        let mut line = Vec::with_capacity(512);
        if !tail.ends_with_newline {
            line.push(b'\n');
        }
        serde_json::to_writer(&mut line, &entry).map_err(|e| ActivityError::Io {
            path: path.clone(),
            action: "serialize an entry",
            source: std::io::Error::other(e),
        })?;
        line.push(b'\n');
        file.write_all(&line).map_err(self.io("append"))?;
        file.sync_data().map_err(self.io("flush to disk"))?;
        if !existed {
            atomic_file::sync_dir(&self.dir).map_err(self.io("flush its folder to disk"))?;
        }
        let head = serde_json::to_vec(&Head { version: VERSION, seq: entry.seq, hash: entry.hash }).unwrap_or_default();
        write_atomic(&self.head_path(), &head, 0o600, Existing::Replace)?;
        Ok(entry)
    }

    /// [`ActivityError::NewerVersion`] when the anchor says a newer Warden wrote the log.
    fn refuse_newer(&self) -> Result<(), ActivityError> {
        let Ok(bytes) = std::fs::read(self.head_path()) else { return Ok(()) };
        let version = serde_json::from_slice::<serde_json::Value>(&bytes).ok().and_then(|v| v.get("version")?.as_u64());
        match version {
            Some(found) if found > VERSION => Err(ActivityError::NewerVersion { path: self.path(), found }),
            // Unreadable or older anchors are the integrity check's business.
            _ => Ok(()),
        }
    }

    /// `Ok(None)` when there is no anchor file; `Err(())` when it cannot be read as one.
    fn read_head(&self) -> Result<Option<Head>, ()> {
        match std::fs::read(self.head_path()) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|_| ()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(_) => Err(()),
        }
    }

    /// The readable entries that pass `filter`, in order, with the integrity of the log.
    pub fn read(&self, filter: Filter) -> Result<LogView, ActivityError> {
        let (entries, integrity) = self.scan()?;
        Ok(LogView { entries: entries.into_iter().filter(|e| filter.matches(e)).collect(), integrity })
    }

    /// Checks the whole log; see [`LogProblem`] for what is detected.
    pub fn verify(&self) -> Result<Integrity, ActivityError> {
        self.scan().map(|(_, integrity)| integrity)
    }

    /// [`Self::verify`], with a log that is not intact as [`ActivityError::Tampered`].
    pub fn ensure_intact(&self) -> Result<(), ActivityError> {
        let integrity = self.verify()?;
        match integrity.problem {
            None => Ok(()),
            Some(problem) => Err(ActivityError::Tampered { at: integrity.broken_at, problem }),
        }
    }

    fn scan(&self) -> Result<(Vec<ActivityEntry>, Integrity), ActivityError> {
        self.refuse_newer()?;
        let bytes = match std::fs::read(self.path()) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => return Err(ActivityError::Io { path: self.path(), action: "read", source }),
        };
        let head = self.read_head();
        Ok(check(&bytes, head))
    }
}

/// What an append needs to know about the end of the file.
struct Tail {
    last: Option<ActivityEntry>,
    ends_with_newline: bool,
}

/// Finds the last readable entry, reading only the end of the file when that suffices.
fn read_tail(file: &mut std::fs::File) -> std::io::Result<Tail> {
    let len = file.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok(Tail { last: None, ends_with_newline: true });
    }
    let mut start = len.saturating_sub(TAIL_BYTES);
    loop {
        file.seek(SeekFrom::Start(start))?;
        let mut buf = Vec::with_capacity((len - start) as usize);
        file.read_to_end(&mut buf)?;
        let ends_with_newline = buf.last() == Some(&b'\n');
        // The first line of a partial read may be cut; skip it unless reading from 0.
        let mut lines: Vec<&[u8]> = buf.split(|b| *b == b'\n').collect();
        if start > 0 && !lines.is_empty() {
            lines.remove(0);
        }
        let last = lines.iter().rev().find_map(|l| serde_json::from_slice::<ActivityEntry>(l).ok());
        if last.is_some() || start == 0 {
            return Ok(Tail { last, ends_with_newline });
        }
        start = 0;
    }
}

/// Checks a whole log file against its anchor; returns the readable entries and the verdict.
fn check(bytes: &[u8], head: Result<Option<Head>, ()>) -> (Vec<ActivityEntry>, Integrity) {
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let unterminated = lines.last().is_some_and(|l| !l.is_empty());
    if !unterminated {
        lines.pop();
    }
    let parsed: Vec<Result<ActivityEntry, String>> =
        lines.iter().map(|l| serde_json::from_slice::<ActivityEntry>(l).map_err(|e| e.to_string())).collect();
    let entries: Vec<ActivityEntry> = parsed.iter().filter_map(|p| p.as_ref().ok().cloned()).collect();

    let mut first: Option<(u64, LogProblem)> = None;
    let mut expected_seq = 1u64;
    let mut expected_prev = B256::ZERO;
    let mut hash_at = std::collections::HashMap::new();
    for (i, p) in parsed.iter().enumerate() {
        let line = i + 1;
        let is_last = i + 1 == parsed.len();
        let problem = match p {
            _ if is_last && unterminated => Some(LogProblem::TruncatedTail { line }),
            Err(reason) => Some(LogProblem::Malformed { line, reason: reason.clone() }),
            Ok(e) if e.compute_hash() != e.hash => Some(LogProblem::Edited { line }),
            Ok(e) if e.seq > expected_seq => {
                let later = parsed[i + 1..].iter().any(|q| q.as_ref().is_ok_and(|q| q.seq == expected_seq));
                Some(if later {
                    LogProblem::OutOfOrder { expected: expected_seq, found: e.seq }
                } else {
                    LogProblem::Missing { expected: expected_seq, found: e.seq }
                })
            }
            Ok(e) if e.seq < expected_seq => Some(LogProblem::OutOfOrder { expected: expected_seq, found: e.seq }),
            Ok(e) if e.prev != expected_prev => Some(LogProblem::ChainBroken { seq: e.seq }),
            Ok(_) => None,
        };
        if let Some(problem) = problem {
            first = Some((expected_seq, problem));
            break;
        }
        if let Ok(e) = p {
            hash_at.insert(e.seq, e.hash);
            expected_seq = e.seq + 1;
            expected_prev = e.hash;
        }
    }
    let last = expected_seq - 1;
    if first.is_none() {
        first = match head {
            Err(()) => Some((last, LogProblem::AnchorMissing)),
            Ok(None) if last > 0 => Some((last, LogProblem::AnchorMissing)),
            Ok(None) => None,
            Ok(Some(h)) if h.seq > last => Some((last + 1, LogProblem::TailRemoved { anchored: h.seq, last })),
            Ok(Some(h)) if hash_at.get(&h.seq) != Some(&h.hash) => Some((h.seq, LogProblem::Rewritten { seq: h.seq })),
            Ok(Some(_)) => None,
        };
    }
    let integrity = match first {
        None => Integrity { intact: true, broken_at: None, problem: None, entries: entries.len() },
        Some((at, problem)) => {
            let broken_at = (!matches!(problem, LogProblem::AnchorMissing)).then_some(at);
            Integrity { intact: false, broken_at, problem: Some(problem), entries: entries.len() }
        }
    };
    (entries, integrity)
}
