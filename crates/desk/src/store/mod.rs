//! The app's list of sessions, kept in one JSON file that survives restarts and crashes.
//!
//! `sessions.json` in the app's data folder holds `{format, version, sessions: [...]}`.
//! Every change writes the whole file atomically ([`warden_core::atomic_file`]: temp file in
//! the same folder, fsync, rename, fsync folder) and only then changes the list in memory,
//! so after a failed write memory and disk still agree and a crash leaves the old list or
//! the new one. Lists are small (tens of sessions), so rewriting the file is cheap.
//!
//! Loading never starts empty over a file it cannot use, and one bad record does not hide
//! the others:
//!
//! * a **record** that does not load (wrong shape, contradicts its own credentials, carries
//!   a secret where none may be, the same id as another) is **quarantined**: appended, as
//!   it was on disk and with the reason, to `sessions.quarantine.json` beside the list
//!   (written first, atomically, 0600), and only then is the list rewritten without it. The
//!   rest of the list loads; [`SessionStore::quarantined`] names what was set aside, for the
//!   UI to show. If the side file cannot be written, nothing is changed and the open fails.
//! * a **file** that is not a sessions list at all (not JSON, wrong shape) is moved aside as
//!   `sessions.json.corrupt-<unix time>` and reported as [`StoreError::Corrupt`] naming the
//!   problem. Later opens keep refusing ([`StoreError::SetAside`]) until the person chooses
//!   to start a new list ([`SessionStore::start_new_list`]): the app never starts an empty
//!   list over a file it set aside without asking.
//! * a file from a newer Warden (a higher `version`) is left exactly where it is and refused;
//!   a file that cannot be read at all (permissions) is refused and left alone.
//!
//! * [`record`] — one session: the record, its status, its checks.
//!
//! Left out: locking between processes (the app is the only writer) and any secret (the
//! session key stays in the keychain; records refuse to carry one).

pub mod record;

use std::path::{Path, PathBuf};

use serde::Serialize;
use warden_core::api::UuidV4;
use warden_core::atomic_file::{self, AtomicWriteError, Existing, write_atomic};
use warden_core::error::{Coded, ErrorCode};

pub use record::{
    EndpointKind, EndpointRef, MAX_LABEL_CHARS, RecordProblem, SentCall, SentCallState, SessionRecord, SessionStatus,
    check_label,
};

/// The file name inside the data folder.
pub const FILE_NAME: &str = "sessions.json";
/// The `format` field of the file.
pub const FORMAT: &str = "warden.sessions";
/// The only version this Warden reads and writes.
pub const VERSION: u64 = 1;
/// The side file holding quarantined records, inside the data folder.
pub const QUARANTINE_FILE: &str = "sessions.quarantine.json";
/// The `format` field of the quarantine file.
pub const QUARANTINE_FORMAT: &str = "warden.sessions.quarantine";

/// A session record that did not load, kept aside with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuarantinedRecord {
    /// When it was set aside (unix seconds).
    pub quarantined_at: u64,
    /// Why it did not load, naming the field.
    pub reason: String,
    /// Its label, when the record has a readable one (for the UI; the record is kept whole).
    pub label: Option<String>,
    /// The record exactly as it was in the list.
    pub record: serde_json::Value,
}

#[derive(Serialize, serde::Deserialize)]
struct QuarantineFile {
    format: String,
    version: u64,
    records: Vec<QuarantinedRecord>,
}

/// What is wrong with a sessions file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CorruptProblem {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not valid JSON (line {line}, column {column}: {reason})")]
    NotJson { line: usize, column: usize, reason: String },
    #[error("the file is not a Warden sessions file (`format` is {found})")]
    WrongFormat { found: String },
    #[error("`version` is {found}, which no Warden writes")]
    BadVersion { found: String },
    #[error("`sessions` is missing or not a list")]
    NoSessionList,
}

/// Why the store could not be opened or changed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: cannot read the sessions file: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: the sessions file is damaged: {problem}; {}", kept_note(.kept_as.as_deref(), .move_error.as_deref()))]
    Corrupt { path: PathBuf, problem: CorruptProblem, kept_as: Option<PathBuf>, move_error: Option<String> },
    #[error(
        "{path}: the sessions file was damaged and set aside as {}; Warden does not start a new list over it without asking: start a new list (the Sessions screen offers it), or repair that file and move it back",
        kept.display()
    )]
    SetAside { path: PathBuf, kept: PathBuf },
    #[error("{path}: the quarantined session records cannot be read: {reason}; it was left untouched")]
    QuarantineUnreadable { path: PathBuf, reason: String },
    #[error(
        "{path}: the sessions file has version {found}, written by a newer Warden (this one reads version {VERSION}); it was left untouched"
    )]
    NewerVersion { path: PathBuf, found: u64 },
    #[error("cannot save the sessions list: {0}")]
    Write(#[from] AtomicWriteError),
    #[error("no session with id {id}")]
    Unknown { id: UuidV4 },
    #[error("session {id} is already in the list{}", duplicate_note(.same_session_id))]
    Duplicate { id: UuidV4, same_session_id: bool },
    #[error("invalid session record: {0}")]
    InvalidRecord(#[from] RecordProblem),
}

fn duplicate_note(same_session_id: &bool) -> &'static str {
    if *same_session_id { " (same on-chain session id)" } else { "" }
}

fn kept_note(kept_as: Option<&Path>, move_error: Option<&str>) -> String {
    match (kept_as, move_error) {
        (Some(p), _) => format!(
            "it was moved to {}; nothing was deleted, and a new list starts only when you choose it",
            p.display()
        ),
        (None, Some(e)) => format!("it could not be moved aside ({e}) and was left in place"),
        (None, None) => "it was left in place".to_owned(),
    }
}

impl Coded for StoreError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Read { .. } => ErrorCode::StorageFailed,
            Self::Corrupt { .. }
            | Self::NewerVersion { .. }
            | Self::SetAside { .. }
            | Self::QuarantineUnreadable { .. } => ErrorCode::StoreCorrupt,
            Self::Write(e) => e.code(),
            Self::Unknown { .. } => ErrorCode::SessionUnknown,
            Self::Duplicate { .. } => ErrorCode::AlreadyExists,
            Self::InvalidRecord(_) => ErrorCode::InvalidInput,
        }
    }
}

#[derive(Serialize)]
struct FileOut<'a> {
    format: &'static str,
    version: u64,
    sessions: &'a [SessionRecord],
}

/// The app's sessions, backed by `sessions.json` in a folder.
#[derive(Debug)]
pub struct SessionStore {
    path: PathBuf,
    sessions: Vec<SessionRecord>,
    quarantined: Vec<QuarantinedRecord>,
}

impl SessionStore {
    /// Opens the list in `dir` (created if missing); no file yet means an empty list.
    /// Stray temporary files of an interrupted write are removed. See the module docs for
    /// damaged and newer files.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let path = dir.join(FILE_NAME);
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Read { path: path.clone(), source })?;
        if let Ok(strays) = atomic_file::stray_temp_files(&path) {
            for stray in strays {
                // A leftover of a killed write; the real file is intact either way.
                let _ = std::fs::remove_file(&stray);
            }
        }
        let quarantined = read_quarantine(dir)?;
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(kept) = set_aside_files(&path).into_iter().max() {
                    return Err(StoreError::SetAside { path, kept });
                }
                return Ok(Self { path, sessions: Vec::new(), quarantined });
            }
            Err(source) => return Err(StoreError::Read { path, source }),
        };
        match parse(&bytes) {
            Ok((sessions, bad)) if bad.is_empty() => Ok(Self { path, sessions, quarantined }),
            Ok((sessions, bad)) => {
                // The side file first: if it cannot be written, the list stays as it was.
                let now = unix_now();
                let mut all = quarantined;
                all.extend(bad.into_iter().map(|(index, reason, record)| {
                    tracing::error!(path = %path.display(), index, %reason, "a session record did not load and was quarantined");
                    let label = record.get("label").and_then(serde_json::Value::as_str).map(str::to_owned);
                    QuarantinedRecord { quarantined_at: now, reason: format!("session #{index}: {reason}"), label, record }
                }));
                write_quarantine(dir, &all)?;
                let mut store = Self { path, sessions: Vec::new(), quarantined: all };
                store.commit(sessions)?;
                Ok(store)
            }
            Err(Parsed::Newer(found)) => Err(StoreError::NewerVersion { path, found }),
            Err(Parsed::Corrupt(problem)) => Err(set_aside(path, problem)),
        }
    }

    /// Starts a new, empty list in `dir` after the person chose to, when the old file was
    /// set aside as damaged ([`StoreError::SetAside`]); the set-aside file stays. Refuses
    /// (and changes nothing) when a list exists.
    pub fn start_new_list(dir: &Path) -> Result<Self, StoreError> {
        let path = dir.join(FILE_NAME);
        let mut json =
            serde_json::to_vec_pretty(&FileOut { format: FORMAT, version: VERSION, sessions: &[] }).unwrap_or_default();
        json.push(b'\n');
        match write_atomic(&path, &json, 0o600, Existing::Refuse) {
            Ok(()) | Err(AtomicWriteError::Exists { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        Self::open(dir)
    }

    /// The records set aside because they did not load, oldest first.
    pub fn quarantined(&self) -> &[QuarantinedRecord] {
        &self.quarantined
    }

    /// The file backing the list.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every session, oldest first.
    pub fn list(&self) -> &[SessionRecord] {
        &self.sessions
    }

    /// The session with this record id.
    pub fn get(&self, id: UuidV4) -> Result<&SessionRecord, StoreError> {
        self.sessions.iter().find(|r| r.id == id).ok_or(StoreError::Unknown { id })
    }

    /// The session with this on-chain session id, if the list has it.
    pub fn find_by_session_id(&self, session_id: &[u8]) -> Option<&SessionRecord> {
        self.sessions.iter().find(|r| r.session_id.as_ref() == session_id)
    }

    /// Adds a session. Refused when the record fails its checks or its id or on-chain
    /// session id is already listed.
    pub fn insert(&mut self, record: SessionRecord) -> Result<(), StoreError> {
        record.check()?;
        if let Some(existing) = self.sessions.iter().find(|r| r.id == record.id || r.session_id == record.session_id) {
            return Err(StoreError::Duplicate {
                id: existing.id,
                same_session_id: existing.session_id == record.session_id,
            });
        }
        let mut next = self.sessions.clone();
        next.push(record);
        self.commit(next)
    }

    /// Records the first use at `at` (kept when already set: the first one counts).
    pub fn mark_first_used(&mut self, id: UuidV4, at: u64) -> Result<&SessionRecord, StoreError> {
        self.change(id, |r| {
            r.first_used_at.get_or_insert(at);
        })
    }

    /// Records the revocation at `at` (kept when already set).
    pub fn mark_revoked(&mut self, id: UuidV4, at: u64) -> Result<&SessionRecord, StoreError> {
        self.change(id, |r| {
            r.revoked_at.get_or_insert(at);
        })
    }

    /// Adds or updates (same call id) a call Warden sent with the session key. A confirmed
    /// call also marks the first use.
    pub fn record_call(&mut self, id: UuidV4, call: SentCall) -> Result<&SessionRecord, StoreError> {
        self.change(id, |r| {
            if call.outcome == SentCallState::Confirmed {
                r.first_used_at.get_or_insert(call.sent_at);
            }
            match r.sent_calls.iter_mut().find(|c| c.call_id == call.call_id) {
                Some(existing) => *existing = call,
                None => r.sent_calls.push(call),
            }
        })
    }

    /// Renames a session.
    pub fn set_label(&mut self, id: UuidV4, label: &str) -> Result<&SessionRecord, StoreError> {
        let label = check_label(label)?;
        self.change(id, |r| r.label = label)
    }

    /// Removes a session from the list (local only; nothing on chain changes) and returns it.
    pub fn forget(&mut self, id: UuidV4) -> Result<SessionRecord, StoreError> {
        let index = self.index(id)?;
        let mut next = self.sessions.clone();
        let removed = next.remove(index);
        self.commit(next)?;
        Ok(removed)
    }

    fn index(&self, id: UuidV4) -> Result<usize, StoreError> {
        self.sessions.iter().position(|r| r.id == id).ok_or(StoreError::Unknown { id })
    }

    fn change(&mut self, id: UuidV4, f: impl FnOnce(&mut SessionRecord)) -> Result<&SessionRecord, StoreError> {
        let index = self.index(id)?;
        let mut next = self.sessions.clone();
        f(&mut next[index]);
        self.commit(next)?;
        Ok(&self.sessions[index])
    }

    /// Writes `next` and, only when that worked, makes it the list.
    fn commit(&mut self, next: Vec<SessionRecord>) -> Result<(), StoreError> {
        let mut json = serde_json::to_vec_pretty(&FileOut { format: FORMAT, version: VERSION, sessions: &next })
            .map_err(|e| {
                StoreError::Write(AtomicWriteError::Io {
                    path: self.path.clone(),
                    action: "serialize the list",
                    source: std::io::Error::other(e),
                })
            })?;
        json.push(b'\n');
        write_atomic(&self.path, &json, 0o600, Existing::Replace)?;
        self.sessions = next;
        Ok(())
    }
}

enum Parsed {
    Corrupt(CorruptProblem),
    Newer(u64),
}

impl From<CorruptProblem> for Parsed {
    fn from(p: CorruptProblem) -> Self {
        Self::Corrupt(p)
    }
}

/// The records that load, and each one that does not: (index, reason, as on disk).
type ParsedList = (Vec<SessionRecord>, Vec<(usize, String, serde_json::Value)>);

fn parse(bytes: &[u8]) -> Result<ParsedList, Parsed> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(CorruptProblem::Empty.into());
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| CorruptProblem::NotJson {
        line: e.line(),
        column: e.column(),
        reason: e.to_string().split(" at line").next().unwrap_or_default().to_owned(),
    })?;
    let format = value.get("format");
    if format.and_then(serde_json::Value::as_str) != Some(FORMAT) {
        let found = format.map_or_else(|| "missing".to_owned(), |f| f.to_string());
        return Err(CorruptProblem::WrongFormat { found }.into());
    }
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(VERSION) => {}
        Some(v) if v > VERSION => return Err(Parsed::Newer(v)),
        _ => {
            let found = value.get("version").map_or_else(|| "missing".to_owned(), |v| v.to_string());
            return Err(CorruptProblem::BadVersion { found }.into());
        }
    }
    let Some(list) = value.get("sessions").and_then(serde_json::Value::as_array) else {
        return Err(CorruptProblem::NoSessionList.into());
    };
    let mut sessions: Vec<SessionRecord> = Vec::with_capacity(list.len());
    let mut bad: Vec<(usize, String, serde_json::Value)> = Vec::new();
    for (index, item) in list.iter().enumerate() {
        match parse_record(item, &sessions) {
            Ok(record) => sessions.push(record),
            Err(reason) => bad.push((index, reason, item.clone())),
        }
    }
    Ok((sessions, bad))
}

/// One record, checked on its own and against the ones already loaded.
fn parse_record(item: &serde_json::Value, loaded: &[SessionRecord]) -> Result<SessionRecord, String> {
    let record: SessionRecord = serde_path_to_error::deserialize(item).map_err(|e| {
        let path = e.path().to_string();
        if path == "." { e.inner().to_string() } else { format!("{path}: {}", e.inner()) }
    })?;
    record.check().map_err(|p| p.to_string())?;
    for other in loaded {
        if other.id == record.id {
            return Err(format!("the same id as another session ({})", record.id));
        }
        if other.session_id == record.session_id {
            return Err(format!("the same on-chain session id as session {}", other.id));
        }
    }
    Ok(record)
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The damaged lists moved aside next to `path` (`NAME.corrupt-*`).
fn set_aside_files(path: &Path) -> Vec<PathBuf> {
    let prefix = format!("{}.corrupt-", path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
    std::fs::read_dir(atomic_file::parent_dir(path))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&prefix)))
                .collect()
        })
        .unwrap_or_default()
}

fn read_quarantine(dir: &Path) -> Result<Vec<QuarantinedRecord>, StoreError> {
    let path = dir.join(QUARANTINE_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(StoreError::Read { path, source }),
    };
    let file: QuarantineFile = serde_json::from_slice(&bytes)
        .map_err(|e| StoreError::QuarantineUnreadable { path: path.clone(), reason: e.to_string() })?;
    if file.format != QUARANTINE_FORMAT || file.version != VERSION {
        return Err(StoreError::QuarantineUnreadable {
            path,
            reason: format!("format {:?} version {} is not one this Warden reads", file.format, file.version),
        });
    }
    Ok(file.records)
}

fn write_quarantine(dir: &Path, records: &[QuarantinedRecord]) -> Result<(), StoreError> {
    let file = QuarantineFile { format: QUARANTINE_FORMAT.to_owned(), version: VERSION, records: records.to_vec() };
    let mut json = serde_json::to_vec_pretty(&file).map_err(|e| {
        StoreError::Write(AtomicWriteError::Io {
            path: dir.join(QUARANTINE_FILE),
            action: "serialize the quarantined records",
            source: std::io::Error::other(e),
        })
    })?;
    json.push(b'\n');
    write_atomic(&dir.join(QUARANTINE_FILE), &json, 0o600, Existing::Replace)?;
    Ok(())
}

/// Moves a damaged file to `NAME.corrupt-<unix time>[-n]` and builds the error reporting it.
fn set_aside(path: PathBuf, problem: CorruptProblem) -> StoreError {
    let now = unix_now();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut moved = Err(String::from("no free name"));
    for n in 0..100u32 {
        let suffix = if n == 0 { String::new() } else { format!("-{n}") };
        let target = path.with_file_name(format!("{name}.corrupt-{now}{suffix}"));
        if target.symlink_metadata().is_ok() {
            continue;
        }
        moved = std::fs::rename(&path, &target).map(|()| target).map_err(|e| e.to_string());
        break;
    }
    if moved.is_ok() {
        let _ = atomic_file::sync_dir(atomic_file::parent_dir(&path));
    }
    tracing::error!(path = %path.display(), %problem, "sessions file is damaged");
    let (kept_as, move_error) = match moved {
        Ok(p) => (Some(p), None),
        Err(e) => (None, Some(e)),
    };
    StoreError::Corrupt { path, problem, kept_as, move_error }
}
