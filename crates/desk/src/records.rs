//! The app's records on disk: the session list ([`crate::store`]) and the activity log
//! (`warden_core::activity`), both in the app's data folder, plus a cache of the ERC-20
//! symbols and decimals read from chains (only used to describe amounts).
//!
//! The session list opens on first use. A damaged list is moved aside by the core and
//! reported once (code `store_corrupt`, naming the file it was kept as); the next use
//! starts a new list.
//!
//! The activity log keeps its head in the keychain too (set up in `src-tauri`'s `state`, see
//! `warden_core::activity`). Approvals, signatures and exports are written with
//! [`Records::record_done`] before the command answers: the approval before the session is
//! stored or handed to anyone, an export as soon as it is delivered. A write that fails is
//! the command's error (`not_recorded`, saying whether the action went ahead), never only a
//! line in the app's own log. Other entries that follow an action already done (a
//! rejection, a revocation, a test call) are still written after it with [`Records::record`],
//! which logs a failure. A reset of the app's data erases the log with
//! `activity.erase()`, which removes its keychain record first (deleting the files alone is
//! exactly what is reported as a deleted log). Left out: a second app instance writing the
//! same folder; moving [`Records::record`]'s keychain update off the calling thread (a
//! short D-Bus call while the keychain is unlocked).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use alloy_primitives::{Address, FixedBytes};
use tracing::warn;
use warden_core::activity::{ActivityKind, ActivityLog, Filter, NewEntry, Summary};
use warden_core::node::NodeClient;
use warden_core::permissions::TokenInfo;

use crate::error::{AppError, ErrorCode};
use crate::store::{SessionRecord, SessionStore, StoreError};

/// The session list, the activity log and the token cache.
#[derive(Debug)]
pub struct Records {
    dir: PathBuf,
    sessions: Mutex<Option<SessionStore>>,
    /// A failure to open the list met by a background reader (the desktop watcher), kept
    /// for the next command so the UI still hears of it once.
    unreported: Mutex<Option<AppError>>,
    pub activity: Arc<ActivityLog>,
    tokens: Mutex<HashMap<(u32, Address), TokenInfo>>,
    /// Accounts (address, chain) known to have an `account_created` entry.
    accounts_logged: Mutex<HashSet<(Address, u32)>>,
}

/// Unix seconds now.
pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A stored session id as the log's 16-byte id (`None` if it is not 16 bytes).
pub fn session_id16(bytes: &[u8]) -> Option<FixedBytes<16>> {
    (bytes.len() == 16).then(|| FixedBytes::from_slice(bytes))
}

impl Records {
    /// The records in `dir` (created when missing).
    pub fn open(dir: &Path) -> Result<Self, AppError> {
        Ok(Self {
            dir: dir.to_owned(),
            sessions: Mutex::new(None),
            unreported: Mutex::new(None),
            activity: Arc::new(ActivityLog::open(dir)?),
            tokens: Mutex::new(HashMap::new()),
            accounts_logged: Mutex::new(HashSet::new()),
        })
    }

    /// Runs `f` on the session list, opening it first if needed.
    pub fn with_sessions<T>(&self, f: impl FnOnce(&mut SessionStore) -> Result<T, StoreError>) -> Result<T, AppError> {
        if let Some(e) = self.unreported.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
            return Err(e);
        }
        self.with_sessions_inner(f)
    }

    /// The session records, for a background reader: a failure to open the list is kept
    /// for the next [`Self::with_sessions`] (the UI's) instead of being spent here.
    pub fn sessions_quietly(&self) -> Option<Vec<SessionRecord>> {
        match self.with_sessions_inner(|s| Ok(s.list().to_vec())) {
            Ok(list) => Some(list),
            Err(e) => {
                let mut unreported = self.unreported.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if e.code == ErrorCode::StoreCorrupt {
                    *unreported = Some(e);
                }
                None
            }
        }
    }

    /// Starts a new, empty list after the person chose to (the old one was set aside as
    /// damaged and is kept); opens it as the list.
    pub fn start_new_list(&self) -> Result<(), AppError> {
        let mut slot = self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *slot = Some(SessionStore::start_new_list(&self.dir)?);
        self.unreported.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        Ok(())
    }

    /// The data folder the list lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn with_sessions_inner<T>(
        &self,
        f: impl FnOnce(&mut SessionStore) -> Result<T, StoreError>,
    ) -> Result<T, AppError> {
        let mut slot = self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(SessionStore::open(&self.dir)?);
        }
        let store = slot.as_mut().ok_or_else(|| AppError::internal("the session list did not open"))?;
        Ok(f(store)?)
    }

    /// Appends an activity entry for something that already happened; a failure to write
    /// is logged, not returned (see the module docs).
    pub fn record(&self, kind: ActivityKind, summary: Summary, session_id: Option<FixedBytes<16>>) {
        if let Err(e) = self.activity.append(kind, summary, session_id, now()) {
            warn!(error = %e, ?kind, "could not write the activity log");
        }
    }

    /// Appends `entries` (in one write) for an approval, a signature or an export, before
    /// the command reports it done. A failure is returned as `not_recorded`, its message
    /// starting with `if_not_recorded` (which says whether the action went ahead). The
    /// write runs on a blocking thread: it also moves the log's keychain anchor.
    pub async fn record_done(&self, entries: Vec<NewEntry>, if_not_recorded: &'static str) -> Result<(), AppError> {
        let log = Arc::clone(&self.activity);
        let written = tokio::task::spawn_blocking(move || log.append_all(entries, now()))
            .await
            .map_err(|e| AppError::internal(format!("the activity log write stopped: {e}")))?;
        written.map(drop).map_err(|e| AppError::new(ErrorCode::NotRecorded, format!("{if_not_recorded}: {e}")))
    }

    /// Appends an activity entry before an action, refusing the action if it cannot be
    /// recorded.
    pub fn record_first(
        &self,
        kind: ActivityKind,
        summary: Summary,
        session_id: Option<FixedBytes<16>>,
    ) -> Result<(), AppError> {
        self.activity.append(kind, summary, session_id, now())?;
        Ok(())
    }

    fn cached_token(&self, chain_id: u32, token: Address) -> Option<TokenInfo> {
        self.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&(chain_id, token)).cloned()
    }

    /// The symbol and decimals of `token` on `chain_id`, read once per app run.
    pub async fn token(&self, node: &NodeClient, chain_id: u32, token: Address) -> Option<TokenInfo> {
        if let Some(known) = self.cached_token(chain_id, token) {
            return Some(known);
        }
        let info = node.erc20_info(token).await;
        // Only answers are cached: a token that did not answer may be deployed later.
        if let Some(info) = &info {
            self.tokens
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert((chain_id, token), info.clone());
        }
        info
    }

    /// Symbols and decimals of every ERC-20 token in `permissions` that answers; without
    /// a node, those already read.
    pub async fn tokens_of(
        &self,
        node: Option<&NodeClient>,
        chain_id: u32,
        permissions: &[warden_core::permissions::Permission],
    ) -> HashMap<Address, TokenInfo> {
        let mut out = HashMap::new();
        for p in permissions {
            let warden_core::permissions::Permission::Erc20TokenTransfer { address, .. } = p else { continue };
            if out.contains_key(address) {
                continue;
            }
            let info = match node {
                Some(node) => self.token(node, chain_id, *address).await,
                None => self.cached_token(chain_id, *address),
            };
            if let Some(info) = info {
                out.insert(*address, info);
            }
        }
        out
    }

    /// Symbols and decimals of every ERC-20 token in `permissions`, read from the node now
    /// (not from the cache, which they refresh): what an approval shows and compares with
    /// the decimals the wizard used. A token that does not answer is left out.
    pub async fn tokens_read_now(
        &self,
        node: &NodeClient,
        chain_id: u32,
        permissions: &[warden_core::permissions::Permission],
    ) -> HashMap<Address, TokenInfo> {
        let mut out = HashMap::new();
        for p in permissions {
            let warden_core::permissions::Permission::Erc20TokenTransfer { address, .. } = p else { continue };
            if out.contains_key(address) {
                continue;
            }
            let cache = || self.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match node.erc20_info(*address).await {
                Some(info) => {
                    cache().insert((chain_id, *address), info.clone());
                    out.insert(*address, info);
                }
                None => {
                    cache().remove(&(chain_id, *address));
                }
            }
        }
        out
    }

    /// Records `summary` as an `account_created` entry unless the log already has one
    /// starting with `known_by` (the account's address and chain). The log is read at most
    /// once per account and app run.
    pub fn record_account_once(&self, account: Address, chain_id: u32, known_by: &Summary, summary: Summary) {
        let mut logged = self.accounts_logged.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if logged.contains(&(account, chain_id)) {
            return;
        }
        let prefix = known_by.clone().into_text();
        let filter = Filter { kind: Some(ActivityKind::AccountCreated), session_id: None };
        match self.activity.read(filter) {
            Ok(view) if view.entries.iter().any(|e| e.summary.starts_with(&prefix)) => {}
            Ok(_) => self.record(ActivityKind::AccountCreated, summary, None),
            // An unreadable log: no entry now; the next look tries again.
            Err(_) => return,
        }
        logged.insert((account, chain_id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    }

    #[test]
    fn a_damaged_list_is_reported_and_a_new_one_starts_only_when_chosen() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(crate::store::FILE_NAME), b"{not json").unwrap();
        let records = Records::open(dir.path()).unwrap();
        let e = records.with_sessions(|s| Ok(s.list().len())).unwrap_err();
        assert_eq!(e.code, ErrorCode::StoreCorrupt);
        assert!(e.message.contains("moved to"), "{}", e.message);
        let again = records.with_sessions(|s| Ok(s.list().len())).unwrap_err();
        assert!(again.message.contains("without asking"), "{}", again.message);
        records.start_new_list().unwrap();
        assert_eq!(records.with_sessions(|s| Ok(s.list().len())).unwrap(), 0);
    }

    #[test]
    fn a_background_reader_leaves_the_report_of_a_damaged_list_to_the_ui() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(crate::store::FILE_NAME), b"{not json").unwrap();
        let records = Records::open(dir.path()).unwrap();
        assert!(records.sessions_quietly().is_none());
        let e = records.with_sessions(|s| Ok(s.list().len())).unwrap_err();
        assert_eq!(e.code, ErrorCode::StoreCorrupt);
        assert!(e.message.contains("moved to"), "{}", e.message);
        records.start_new_list().unwrap();
        assert_eq!(records.with_sessions(|s| Ok(s.list().len())).unwrap(), 0);
        assert_eq!(records.sessions_quietly().unwrap().len(), 0);
    }

    #[test]
    fn an_approval_is_recorded_before_the_command_answers_and_a_failed_write_is_its_error() {
        let dir = tempfile::tempdir().unwrap();
        let records = Records::open(dir.path()).unwrap();
        let approved = || {
            vec![
                NewEntry::new(ActivityKind::Approved, Summary::new("Grant approved"), None),
                NewEntry::new(ActivityKind::Signed, Summary::new("Owner signed the grant"), None),
            ]
        };
        block_on(records.record_done(approved(), "not recorded")).unwrap();
        let view = records.activity.read(Filter::default()).unwrap();
        assert_eq!(
            view.entries.iter().map(|e| e.kind).collect::<Vec<_>>(),
            [ActivityKind::Approved, ActivityKind::Signed]
        );

        // The log cannot be written: the command gets a typed error that says what happened.
        std::fs::remove_file(dir.path().join(warden_core::activity::LOG_FILE)).unwrap();
        std::fs::create_dir(dir.path().join(warden_core::activity::LOG_FILE)).unwrap();
        let e =
            block_on(records.record_done(approved(), "The owner key signed the grant, but the session was not stored"))
                .unwrap_err();
        assert_eq!(e.code, ErrorCode::NotRecorded);
        assert!(
            e.message.starts_with("The owner key signed the grant, but the session was not stored: "),
            "{}",
            e.message
        );
        assert!(e.message.contains(warden_core::activity::LOG_FILE), "{}", e.message);
    }

    #[test]
    fn a_log_anchored_in_the_app_reports_its_deletion() {
        let dir = tempfile::tempdir().unwrap();
        let records = Records::open(dir.path()).unwrap();
        let anchor = Arc::new(warden_core::activity::MemoryAnchor::default());
        assert!(records.activity.set_outside_anchor(anchor.clone()));
        assert!(!records.activity.set_outside_anchor(anchor), "set once");
        let entry = || vec![NewEntry::new(ActivityKind::Exported, Summary::new("Exported session"), None)];
        block_on(records.record_done(entry(), "not recorded")).unwrap();
        for name in [warden_core::activity::LOG_FILE, warden_core::activity::HEAD_FILE] {
            std::fs::remove_file(dir.path().join(name)).unwrap();
        }
        let integrity = records.activity.verify().unwrap();
        assert_eq!(integrity.problem, Some(warden_core::activity::LogProblem::LogDeleted { anchored: 1 }));
    }

    #[test]
    fn entries_are_appended_to_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let records = Records::open(dir.path()).unwrap();
        records.record(ActivityKind::Rejected, Summary::new("Grant rejected"), None);
        records.record_first(ActivityKind::GrantRequested, Summary::new("Grant requested"), None).unwrap();
        let view = records.activity.read(Filter::default()).unwrap();
        assert_eq!(view.entries.len(), 2);
        assert!(view.integrity.intact);
    }
}
