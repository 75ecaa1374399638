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
//! # Anchored outside the data folder
//! The two files alone are evidence against accidents and casual edits, not against someone
//! who rewrites both consistently: cut the last lines and write a matching anchor, re-chain
//! the whole file, or delete both. So the head is also kept somewhere that editing files does
//! not reach: a [`HeadAnchor`] (the app's is an entry in the OS keychain, under its
//! namespace; the core does not know the keychain, only this trait). It holds the same
//! `{version, seq, hash}` as the anchor file — nothing secret — and [`ActivityLog::append`]
//! replaces it after the file and the anchor file are written. [`ActivityLog::verify`]
//! compares the log with it too, after the checks of the files themselves:
//!
//! * the log and its anchor file are gone but the outside anchor names entry N
//!   ([`LogProblem::LogDeleted`]);
//! * the log ends before the outside anchor's entry ([`LogProblem::CutBelowOutsideAnchor`]);
//! * the log's entry at the outside anchor's `seq` has another hash: the log was re-chained
//!   ([`LogProblem::RechainedBelowOutsideAnchor`]).
//!
//! How far that check went is always said ([`OutsideCheck`] in [`Integrity::outside`]):
//! agreeing with the newest entry, agreeing with an earlier one (an anchor write failed; it
//! catches up at the next entry), not anchored yet, or not done because the anchor could not
//! be read (the keychain is locked or missing) — then the log still reads and grows, but it
//! is never called intact *by the outside anchor*.
//!
//! An append never moves an outside anchor that disagrees with the file (the break stays
//! visible until the log is erased), and numbers its entry after the outside anchor's too,
//! so appending after a cut or a deletion leaves a gap that [`LogProblem::Missing`] names.
//! **First run and upgrade:** with no outside anchor stored (a new log, or a log written by a
//! Warden before 0.2 that had none), the first append stores one: the log as it stands then
//! is adopted once, unchecked by anything but its own files; until that append, verify says
//! "not anchored yet". [`ActivityLog::erase`] removes both files and the outside anchor (an
//! app reset); deleting the files alone is exactly what is reported.
//!
//! The file format did not change for this ([`VERSION`] stays 1: the outside anchor is not
//! in the files, and a log from Warden 0.1 reads and grows as before).
//!
//! Left out: someone who can write the keychain too (any program of the same user while the
//! keychain is unlocked can rewrite the outside anchor: it raises the bar from editing files
//! to using the keychain, it is not a signed ledger); entries appended while the outside
//! anchor could not be written, then cut with their anchor file (it still agrees with the
//! entry it holds); writers in other processes at the same time (the app is the only one).

pub mod summary;

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use alloy_primitives::{B256, FixedBytes, keccak256};
use serde::{Deserialize, Serialize};

pub use summary::{MAX_LABEL_CHARS, MAX_SUMMARY_CHARS, Summary};

use crate::atomic_file::{self, AtomicWriteError, Existing, write_atomic};
use crate::error::{Coded, ErrorCode};

/// The log's file name inside its folder.
pub const LOG_FILE: &str = "activity.jsonl";
/// The head anchor's file name.
pub const HEAD_FILE: &str = "activity.head.json";
/// The only format version this Warden reads and writes.
pub const VERSION: u64 = 1;

/// What an activity entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

/// The newest entry, as anchored in [`HEAD_FILE`] (and, in the same form, by a
/// [`HeadAnchor`]).
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

/// The newest entry of a log, as a [`HeadAnchor`] keeps it: its sequence number and hash.
/// Not a secret (both are in the log file itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AnchoredHead {
    pub seq: u64,
    pub hash: B256,
}

impl AnchoredHead {
    /// The stored form: the same JSON object as [`HEAD_FILE`], `{version, seq, hash}`.
    pub fn to_text(&self) -> String {
        serde_json::to_string(&Head { version: VERSION, seq: self.seq, hash: self.hash }).unwrap_or_default()
    }

    /// Reads [`Self::to_text`]'s form; the error says why it is not one (never echoing it).
    pub fn from_text(text: &str) -> Result<Self, String> {
        let head: Head = serde_json::from_str(text).map_err(|_| "it does not hold an activity anchor".to_owned())?;
        if head.version > VERSION {
            return Err(format!("written by a newer Warden (format version {})", head.version));
        }
        Ok(Self { seq: head.seq, hash: head.hash })
    }
}

/// Why a [`HeadAnchor`] could not be read or written: a code (the keychain's: locked,
/// denied, unavailable, corrupt…) and a message that names no secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AnchorError {
    pub code: ErrorCode,
    pub message: String,
}

/// Where the newest entry is kept outside the log's folder (the app: the OS keychain), so
/// that rewriting both files consistently, or deleting them, is noticed. See the module
/// docs. Calls may block (the keychain answers over D-Bus).
pub trait HeadAnchor: Send + Sync + std::fmt::Debug {
    /// The anchored head; `Ok(None)` when none was ever stored (or it was cleared).
    fn load(&self) -> Result<Option<AnchoredHead>, AnchorError>;
    /// Stores `head` in place of the anchored one.
    fn store(&self, head: AnchoredHead) -> Result<(), AnchorError>;
    /// Removes the anchored head (nothing stored is not an error).
    fn clear(&self) -> Result<(), AnchorError>;
}

/// A [`HeadAnchor`] in memory: for tests, and for anything that wants the check within one
/// process. [`MemoryAnchor::set_unavailable`] makes it fail like a locked keychain.
#[derive(Debug, Default)]
pub struct MemoryAnchor {
    head: Mutex<Option<AnchoredHead>>,
    unavailable: Mutex<Option<AnchorError>>,
}

impl MemoryAnchor {
    /// The head it holds.
    pub fn get(&self) -> Option<AnchoredHead> {
        *self.head.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Replaces the head it holds, as someone with access to the store could.
    pub fn set(&self, head: Option<AnchoredHead>) {
        *self.head.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = head;
    }

    /// From now on every call fails with `error` (`None`: works again).
    pub fn set_unavailable(&self, error: Option<AnchorError>) {
        *self.unavailable.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = error;
    }

    fn available(&self) -> Result<(), AnchorError> {
        match &*self.unavailable.lock().unwrap_or_else(std::sync::PoisonError::into_inner) {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }
}

impl HeadAnchor for MemoryAnchor {
    fn load(&self) -> Result<Option<AnchoredHead>, AnchorError> {
        self.available()?;
        Ok(self.get())
    }

    fn store(&self, head: AnchoredHead) -> Result<(), AnchorError> {
        self.available()?;
        self.set(Some(head));
        Ok(())
    }

    fn clear(&self) -> Result<(), AnchorError> {
        self.available()?;
        self.set(None);
        Ok(())
    }
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
    #[error(
        "the activity log and its anchor file are gone, but the keychain records entry {anchored} (the log was deleted)"
    )]
    LogDeleted { anchored: u64 },
    #[error(
        "the log ends at entry {last}, but the keychain records entry {anchored} (entries were cut and the anchor file rewritten)"
    )]
    CutBelowOutsideAnchor { anchored: u64, last: u64 },
    #[error("entry {seq} differs from the one the keychain recorded (the log was rewritten, its anchor file too)")]
    RechainedBelowOutsideAnchor { seq: u64 },
}

/// How far the comparison with the outside anchor (the keychain) went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutsideCheck {
    /// The log was opened without a [`HeadAnchor`]: only its files were checked.
    NotConfigured,
    /// The outside anchor holds the newest entry.
    Agrees { seq: u64 },
    /// The outside anchor holds an earlier entry that the log has unchanged; later ones
    /// are anchored by the anchor file only (an anchor write failed; the next entry
    /// catches up).
    Behind { anchored: u64, last: u64 },
    /// The outside anchor names an entry the log does not have as recorded; the problem
    /// says how (unless the files showed an earlier one first).
    Disagrees { anchored: u64 },
    /// No outside anchor is stored yet: a new log, or one from before anchors were kept
    /// (it is anchored with the next entry).
    NotAnchored,
    /// The outside anchor could not be read, so this check was not done.
    Unavailable { error: AnchorError },
}

impl std::fmt::Display for OutsideCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotConfigured => f.write_str("No keychain anchor is used for this log."),
            Self::Agrees { seq } => write!(f, "The keychain's record of the newest entry ({seq}) matches."),
            Self::Behind { anchored, last } => write!(
                f,
                "The keychain's record matches entry {anchored}; entries {} to {last} are not in it yet (it is updated with the next entry).",
                anchored + 1
            ),
            Self::Disagrees { anchored } => {
                write!(f, "The keychain records entry {anchored}, which this log does not have as it was written.")
            }
            Self::NotAnchored => f.write_str(
                "The keychain holds no record of this log yet (a new log, or one from an earlier Warden); it is added with the next entry.",
            ),
            Self::Unavailable { error } => write!(f, "The keychain check could not be done: {error}"),
        }
    }
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
    /// How far the comparison with the outside anchor went.
    pub outside: OutsideCheck,
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
    #[error("cannot remove the activity log's keychain anchor: {0}")]
    OutsideAnchor(AnchorError),
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
            Self::OutsideAnchor(e) => e.code,
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
    write_lock: Mutex<()>,
    /// Where the head is also kept, outside the folder (set once).
    outside: OnceLock<Arc<dyn HeadAnchor>>,
}

/// One entry to append: what happened, its summary and the session concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEntry {
    pub kind: ActivityKind,
    pub summary: Summary,
    pub session_id: Option<FixedBytes<16>>,
}

impl NewEntry {
    pub fn new(kind: ActivityKind, summary: Summary, session_id: Option<FixedBytes<16>>) -> Self {
        Self { kind, summary, session_id }
    }
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
        Ok(Self { dir: dir.to_owned(), write_lock: Mutex::new(()), outside: OnceLock::new() })
    }

    /// Also keeps the head in `anchor` and checks the log against it (see the module docs).
    pub fn with_outside_anchor(self, anchor: Arc<dyn HeadAnchor>) -> Self {
        self.set_outside_anchor(anchor);
        self
    }

    /// [`Self::with_outside_anchor`] on a log already shared; `false` (and nothing
    /// changed) when it has an outside anchor already.
    pub fn set_outside_anchor(&self, anchor: Arc<dyn HeadAnchor>) -> bool {
        self.outside.set(anchor).is_ok()
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
        let mut added = self.append_all(vec![NewEntry { kind, summary, session_id }], at)?;
        added.pop().ok_or_else(|| ActivityError::Io {
            path: self.path(),
            action: "append",
            source: std::io::Error::other("no entry was written"),
        })
    }

    /// Appends `entries` at time `at` in one write (they all reach the file, or none
    /// does), and returns them. An outside anchor that cannot be read or written does not
    /// stop the append: [`Self::verify`] says so. See the module docs.
    pub fn append_all(&self, entries: Vec<NewEntry>, at: u64) -> Result<Vec<ActivityEntry>, ActivityError> {
        let _guard = self.write_lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.is_empty() {
            return Ok(Vec::new());
        }
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
        let outside = self.outside.get().map(|a| a.load());
        let last_seq = tail.last.as_ref().map_or(0, |e| e.seq);
        let outside_seq = match &outside {
            Some(Ok(Some(h))) => h.seq,
            _ => 0,
        };
        let mut seq = last_seq.max(head.ok().flatten().map_or(0, |h| h.seq)).max(outside_seq);
        let mut prev = tail.last.as_ref().map_or(B256::ZERO, |e| e.hash);
        let mut line = Vec::with_capacity(512 * entries.len());
        if !tail.ends_with_newline {
            line.push(b'\n');
        }
        let mut added = Vec::with_capacity(entries.len());
        for NewEntry { kind, summary, session_id } in entries {
            seq += 1;
            let mut entry =
                ActivityEntry { seq, at, kind, summary: summary.into_text(), session_id, prev, hash: B256::ZERO };
            entry.hash = entry.compute_hash();
            prev = entry.hash;
            serde_json::to_writer(&mut line, &entry).map_err(|e| ActivityError::Io {
                path: path.clone(),
                action: "serialize an entry",
                source: std::io::Error::other(e),
            })?;
            line.push(b'\n');
            added.push(entry);
        }
        file.write_all(&line).map_err(self.io("append"))?;
        file.sync_data().map_err(self.io("flush to disk"))?;
        if !existed {
            atomic_file::sync_dir(&self.dir).map_err(self.io("flush its folder to disk"))?;
        }
        let newest = AnchoredHead { seq, hash: prev };
        write_atomic(&self.head_path(), newest.to_text().as_bytes(), 0o600, Existing::Replace)?;
        if let (Some(anchor), Some(before)) = (self.outside.get(), outside) {
            self.move_outside_anchor(anchor.as_ref(), before, tail.last.as_ref(), newest);
        }
        Ok(added)
    }

    /// Stores `newest` in the outside anchor when what it held (`before`) agrees with the
    /// log as it was before this append (or it held nothing: first run, or adoption of a
    /// log from before anchors). A disagreeing anchor is left as it is, so the break stays
    /// visible. Failures are logged (the entry is written; verify reports the lag).
    fn move_outside_anchor(
        &self,
        anchor: &dyn HeadAnchor,
        before: Result<Option<AnchoredHead>, AnchorError>,
        last: Option<&ActivityEntry>,
        newest: AnchoredHead,
    ) {
        let agrees = match before {
            Err(e) => {
                tracing::warn!(code = %e.code, error = %e, "the activity log's keychain anchor could not be read; it was not updated");
                return;
            }
            Ok(None) => {
                if last.is_some() {
                    tracing::info!(seq = newest.seq, "anchoring an activity log that had no keychain anchor yet");
                }
                true
            }
            Ok(Some(held)) => match last {
                Some(last) if last.seq == held.seq => last.hash == held.hash,
                Some(last) if last.seq > held.seq => self.hash_at(held.seq) == Some(held.hash),
                _ => false,
            },
        };
        if !agrees {
            tracing::warn!("the activity log disagrees with its keychain anchor; the anchor is kept as it is");
            return;
        }
        if let Err(e) = anchor.store(newest) {
            tracing::warn!(code = %e.code, error = %e, "the activity log's keychain anchor could not be updated");
        }
    }

    /// The hash of entry `seq` in the file as it reads now, if it is there unbroken.
    fn hash_at(&self, seq: u64) -> Option<B256> {
        let bytes = std::fs::read(self.path()).ok()?;
        let (_, _, hashes) = scan_file(&bytes);
        hashes.get(&seq).copied()
    }

    /// Removes the outside anchor, then the log and its anchor file: a fresh start the
    /// person chose (an app reset). Nothing missing is an error.
    pub fn erase(&self) -> Result<(), ActivityError> {
        let _guard = self.write_lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // The outside anchor first: if it cannot be cleared, nothing is removed (files
        // removed under a remaining anchor would read as a deleted log).
        if let Some(anchor) = self.outside.get() {
            anchor.clear().map_err(ActivityError::OutsideAnchor)?;
        }
        for path in [self.path(), self.head_path()] {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(ActivityError::Io { path, action: "remove", source }),
            }
        }
        Ok(())
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
        let outside = self.outside.get().map(|a| a.load());
        Ok(check(&bytes, head, outside))
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

/// What the file alone says: its readable entries, the first problem in it (with the
/// sequence number where it is), and the hash of every entry before that problem.
type FileScan = (Vec<ActivityEntry>, Option<(u64, LogProblem)>, std::collections::HashMap<u64, B256>);

/// Checks the entries of a log file among themselves.
fn scan_file(bytes: &[u8]) -> FileScan {
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
    (entries, first, hash_at)
}

/// Checks a whole log file against its anchor file and its outside anchor (when there is
/// one); returns the readable entries and the verdict.
fn check(
    bytes: &[u8],
    head: Result<Option<Head>, ()>,
    outside: Option<Result<Option<AnchoredHead>, AnchorError>>,
) -> (Vec<ActivityEntry>, Integrity) {
    let (entries, mut first, hash_at) = scan_file(bytes);
    // The last entry of the unbroken run from entry 1.
    let last = hash_at.keys().max().copied().unwrap_or(0);
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
    let outside = match outside {
        None => OutsideCheck::NotConfigured,
        Some(Err(error)) => OutsideCheck::Unavailable { error },
        Some(Ok(None)) => OutsideCheck::NotAnchored,
        Some(Ok(Some(held))) => {
            let found = if held.seq > last {
                Some(if bytes.is_empty() {
                    (1, LogProblem::LogDeleted { anchored: held.seq })
                } else {
                    (last + 1, LogProblem::CutBelowOutsideAnchor { anchored: held.seq, last })
                })
            } else if hash_at.get(&held.seq) != Some(&held.hash) {
                Some((held.seq, LogProblem::RechainedBelowOutsideAnchor { seq: held.seq }))
            } else {
                None
            };
            match found {
                Some(problem) => {
                    first = first.or(Some(problem));
                    OutsideCheck::Disagrees { anchored: held.seq }
                }
                None if held.seq < last => OutsideCheck::Behind { anchored: held.seq, last },
                None => OutsideCheck::Agrees { seq: held.seq },
            }
        }
    };
    let integrity = match first {
        None => Integrity { intact: true, broken_at: None, problem: None, entries: entries.len(), outside },
        Some((at, problem)) => {
            let broken_at = (!matches!(problem, LogProblem::AnchorMissing)).then_some(at);
            Integrity { intact: false, broken_at, problem: Some(problem), entries: entries.len(), outside }
        }
    };
    (entries, integrity)
}
