//! The grant → approve → sign → record orchestration (`warden_desk::grant`) over real
//! parts: a devnet (a real anvil with the EntryPoint under it, started with its test
//! hooks so it can be made dishonest), a real Secret Service (run inside
//! `scripts/with-keyring.sh`, as `scripts/test.sh` does; each test has a keychain
//! namespace of its own) and the records on disk. Only the desktop shell is a fake
//! ([`FakeHost`]: it records the events and the approval windows opened, answers the
//! native confirmations and save dialogs a test expects, and fails on any other) and the
//! clock is the test's, so "five minutes later" takes no time. After the grant, what a
//! session goes through next runs the same way: exported to a file, revoked.
//!
//! The owner key is anvil's public test key 0. Every assertion is about behaviour: the
//! typed codes, what the keychain still holds, what the session list and the activity log
//! say, and which events went out.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use alloy_primitives::Address;
use serde_json::{Value, json};
use warden_core::activity::{ActivityKind, Filter};
use warden_core::backend::Backend;
use warden_core::rpc::{Endpoint, RpcConfig};
use warden_desk::approvals::{APPROVAL_TTL_SECS, APPROVAL_WINDOW};
use warden_desk::backend::ActiveBackend;
use warden_desk::clipboard_clear::Clipboard;
use warden_desk::confirm::Question;
use warden_desk::error::{AppError, ErrorCode};
use warden_desk::host::{FileChoice, FileDialog, Host};
use warden_desk::keychain_access::KeychainAnchor;
use warden_desk::locations::Locations;
use warden_desk::payloads::BackendKind;
use warden_desk::payloads::sessions::{
    APPROVAL_FINISHED_EVENT, ApprovalView, SESSIONS_CHANGED_EVENT, SessionStatus, SessionView,
};
use warden_desk::records::Records;
use warden_desk::settings::SettingsStore;
use warden_desk::state::{AppState, DeskState};
use warden_desk::{export, grant, sessions};
use warden_devnet::{DEFAULT_POLICY_ID, Devnet, DevnetConfig, DevnetHandle};
use warden_keychain::{Confirmation, Namespace, OwnerKeySource, SecretString};

/// anvil's public test key 0.
const OWNER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const OWNER: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

/// The shell, faked: what was emitted, how often the approval window was shown, which
/// window "calls" the commands, the questions asked, and the answers a test set up.
#[derive(Debug)]
struct FakeHost {
    events: Mutex<Vec<(String, Value)>>,
    windows_shown: AtomicU32,
    caller: Mutex<Option<String>>,
    /// The titles of the native confirmations asked.
    questions: Mutex<Vec<String>>,
    /// The answer to the next confirmation; none: a confirmation fails the test.
    answer: Mutex<Option<bool>>,
    /// The file the next save dialog chooses; none: a save dialog fails the test.
    save_to: Mutex<Option<PathBuf>>,
}

impl FakeHost {
    fn new() -> Self {
        Self {
            events: Mutex::default(),
            windows_shown: AtomicU32::new(0),
            caller: Mutex::new(Some(APPROVAL_WINDOW.into())),
            questions: Mutex::default(),
            answer: Mutex::default(),
            save_to: Mutex::default(),
        }
    }

    fn will_answer(&self, yes: bool) {
        *self.answer.lock().unwrap() = Some(yes);
    }

    fn will_save_to(&self, path: &Path) {
        *self.save_to.lock().unwrap() = Some(path.to_owned());
    }

    fn questions(&self) -> Vec<String> {
        self.questions.lock().unwrap().clone()
    }

    fn called_from(&self, label: &str) {
        *self.caller.lock().unwrap() = Some(label.to_owned());
    }

    fn events_named(&self, name: &str) -> Vec<Value> {
        self.events.lock().unwrap().iter().filter(|(n, _)| n == name).map(|(_, v)| v.clone()).collect()
    }

    fn finished(&self, approval_id: &str) -> Vec<String> {
        self.events_named(APPROVAL_FINISHED_EVENT)
            .into_iter()
            .filter(|v| v["approvalId"] == approval_id)
            .map(|v| v["outcome"].as_str().unwrap().to_owned())
            .collect()
    }
}

impl Host for FakeHost {
    fn emit(&self, event: &str, payload: Value) {
        self.events.lock().unwrap().push((event.to_owned(), payload));
    }

    fn caller_window(&self) -> Option<String> {
        self.caller.lock().unwrap().clone()
    }

    fn show_approval_window(&self) -> Result<(), String> {
        self.windows_shown.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    /// No grant body asks; a question no test expects is a new confirmation somewhere.
    async fn confirm(&self, question: &Question) -> Result<bool, String> {
        self.questions.lock().unwrap().push(question.title.clone());
        let answer = self.answer.lock().unwrap().take();
        Ok(answer.unwrap_or_else(|| panic!("unexpected confirmation: {question:?}")))
    }

    /// No grant body saves a file; a test that exports says where the file goes.
    async fn save_file(&self, dialog: FileDialog) -> Result<FileChoice, String> {
        let chosen = self.save_to.lock().unwrap().take();
        Ok(FileChoice::Path(chosen.unwrap_or_else(|| panic!("unexpected save dialog: {dialog:?}"))))
    }

    /// No body here opens a file.
    async fn open_file(&self, dialog: FileDialog) -> Result<FileChoice, String> {
        panic!("unexpected open dialog: {dialog:?}")
    }

    /// No grant body uses the clipboard.
    fn clipboard(&self) -> Arc<dyn Clipboard> {
        panic!("unexpected clipboard use")
    }
}

/// The desk's state over the real devnet and keychain, with a clock the test moves.
#[derive(Debug)]
struct World {
    /// Its embedded devnet is never started: the tests talk to `devnet` through `active`.
    app: AppState,
    active: ActiveBackend,
    /// Seconds added to the real clock.
    skew: AtomicU64,
    devnet: DevnetHandle,
    _config: tempfile::TempDir,
    _data: tempfile::TempDir,
}

impl DeskState for World {
    fn app(&self) -> &AppState {
        &self.app
    }

    async fn active_backend(&self) -> Result<ActiveBackend, AppError> {
        Ok(self.active.clone())
    }

    fn chosen_backend(&self) -> BackendKind {
        self.active.kind
    }

    fn now(&self) -> u64 {
        warden_desk::records::now() + self.skew.load(Ordering::SeqCst)
    }
}

fn keychain_missing() -> bool {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        assert!(
            std::env::var_os("WARDEN_SKIP_KEYCHAIN_TESTS").is_some(),
            "these tests need a Secret Service: run them through scripts/with-keyring.sh (scripts/test.sh does)"
        );
        return true;
    }
    false
}

impl World {
    async fn new(tag: &str) -> Self {
        let devnet = Devnet::start(DevnetConfig { test_hooks: true, ..DevnetConfig::default() })
            .await
            .expect("devnet starts (run `npm ci` in crates/devnet/node for the pinned anvil)");
        let backend = Backend::connect(
            Endpoint::new(&devnet.url()).unwrap(),
            Endpoint::new(&devnet.node_url()).unwrap(),
            devnet.chain_id(),
            None,
            &RpcConfig::default(),
        )
        .unwrap()
        .with_policy(DEFAULT_POLICY_ID.parse().ok());
        let active =
            ActiveBackend { kind: BackendKind::Devnet, backend, url: devnet.url(), host: devnet.addr().to_string() };

        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let namespace = Namespace::new(format!("warden-test-desk-{tag}-{}-{nanos}", std::process::id())).unwrap();
        let config = tempfile::tempdir().unwrap();
        let data = tempfile::tempdir().unwrap();
        let locations = Locations {
            config: config.path().to_owned(),
            data: data.path().to_owned(),
            state: data.path().join("state"),
        };
        let records = Records::open(data.path()).unwrap();
        let settings = SettingsStore::open(&config.path().join("settings.json"));
        // As the app does: the activity log's head is kept in the keychain too.
        let app = AppState::new(namespace, locations, settings, records);
        let again = Arc::new(KeychainAnchor(app.keychain.clone()));
        assert!(!app.records.activity.set_outside_anchor(again), "AppState::new anchored the log already");
        let world = Self { app, active, skew: AtomicU64::new(0), devnet, _config: config, _data: data };
        world.import_owner().await;
        world
    }

    async fn import_owner(&self) {
        let info = self
            .app
            .keychain
            .run(|k| {
                let hex = SecretString::new(OWNER_KEY.to_owned());
                Ok(k.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), Some("owner"))?)
            })
            .await
            .unwrap();
        assert_eq!(info.address.to_checksum(None), OWNER);
    }

    async fn delete_owner(&self) {
        let owner: Address = OWNER.parse().unwrap();
        self.app.keychain.run(move |k| Ok(k.delete_owner_key(owner, Confirmation::Confirmed)?)).await.unwrap();
    }

    /// Whether the keychain holds session key `address` (read through the keychain itself).
    async fn holds_session_key(&self, address: Address) -> bool {
        match self.app.keychain.run(move |k| Ok(k.session_signer(address)?)).await {
            Ok(_) => true,
            Err(e) if e.code == ErrorCode::KeyNotFound => false,
            Err(e) => panic!("the keychain failed: {e:?}"),
        }
    }

    fn sessions(&self) -> usize {
        self.app.records.with_sessions(|s| Ok(s.list().len())).unwrap()
    }

    fn logged(&self, kind: ActivityKind) -> usize {
        let view = self.app.records.activity.read(Filter { kind: Some(kind), session_id: None }).unwrap();
        assert!(view.integrity.intact, "the activity log is intact");
        view.entries.len()
    }

    fn later(&self, secs: u64) {
        self.skew.fetch_add(secs, Ordering::SeqCst);
    }

    /// Makes the devnet's next `wallet_createSession` grant more than asked.
    async fn tamper(&self, mode: &str) {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "devnet_setTamper", "params": [mode]});
        let resp: Value =
            reqwest::Client::new().post(self.devnet.url()).json(&body).send().await.unwrap().json().await.unwrap();
        assert!(resp.get("error").is_none(), "{resp}");
    }

    /// Starts a grant as the wizard would (a generated key, a native allowance for calls to one contract, one hour)
    /// and returns the approval the approval window shows.
    async fn start(&self, host: &FakeHost) -> ApprovalView {
        let request = json!({
            "label": "bot",
            "accountType": "sma-b",
            "key": {"kind": "generate"},
            "expirySec": self.now() + 3600,
            "permissions": [
                {"type": "native-token-transfer", "data": {"allowance": "0x2386f26fc10000"}},
                {"type": "contract-access", "data": {"address": "0x00000000000000000000000000000000000a11ce"}},
            ],
        });
        let shown = host.windows_shown.load(Ordering::SeqCst);
        let id = grant::grant_start(host, self, request).await.unwrap();
        assert_eq!(host.windows_shown.load(Ordering::SeqCst), shown + 1, "the approval window is shown");
        let view = grant::approval_pending(host, self).unwrap().expect("an approval is pending");
        assert_eq!(view.approval_id, id);
        view
    }

    /// A granted session: started as [`Self::start`] does, then approved.
    async fn granted_session(&self, host: &FakeHost) -> SessionView {
        let view = self.start(host).await;
        grant::approval_approve(host, self, view.approval_id, |_, _, _| {}).await.unwrap()
    }

    async fn stop(self) {
        self.devnet.stop().await;
    }
}

fn key_of(view: &ApprovalView) -> Address {
    view.session_key.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_is_answered_once_and_signs_once() {
    if keychain_missing() {
        return;
    }
    let w = World::new("twice").await;
    let host = FakeHost::new();
    let view = w.start(&host).await;
    assert!(view.verified, "an honest grant verifies: {:?}", view.mismatches);
    assert!(view.digest.starts_with("0x"));
    assert!(w.holds_session_key(key_of(&view)).await);

    // The main window cannot answer it (the second lock behind the capability).
    host.called_from("main");
    let e = grant::approval_approve(&host, &w, view.approval_id.clone(), |_, _, _| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert_eq!(w.logged(ActivityKind::Signed), 0);

    host.called_from(APPROVAL_WINDOW);
    let session = grant::approval_approve(&host, &w, view.approval_id.clone(), |_, _, _| {
        panic!("a wizard's grant answers no server")
    })
    .await
    .unwrap();
    assert_eq!(session.session_key, view.session_key);
    assert_eq!(session.label, "bot");
    assert!(session.key_held_by_warden);
    assert_eq!(w.sessions(), 1);
    assert_eq!(w.logged(ActivityKind::Approved), 1);
    assert_eq!(w.logged(ActivityKind::Signed), 1);
    assert_eq!(host.finished(&view.approval_id), ["approved"]);
    assert_eq!(host.events_named(SESSIONS_CHANGED_EVENT).len(), 1);
    assert!(w.holds_session_key(key_of(&view)).await, "the session's key stays with Warden");

    let again = grant::approval_approve(&host, &w, view.approval_id.clone(), |_, _, _| {}).await.unwrap_err();
    assert_eq!(again.code, ErrorCode::ApprovalUsed);
    let reject = grant::approval_reject(&host, &w, view.approval_id.clone()).await.unwrap_err();
    assert_eq!(reject.code, ErrorCode::ApprovalUsed);
    assert_eq!(w.sessions(), 1, "nothing stored twice");
    assert_eq!(w.logged(ActivityKind::Signed), 1, "nothing signed twice");
    assert_eq!(host.finished(&view.approval_id), ["approved"]);
    assert!(grant::approval_pending(&host, &w).unwrap().is_none());
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_approval_signs_nothing_and_its_key_is_deleted() {
    if keychain_missing() {
        return;
    }
    let w = World::new("expiry").await;
    let host = FakeHost::new();
    let view = w.start(&host).await;
    assert!(view.verified);
    w.later(APPROVAL_TTL_SECS);

    assert!(grant::approval_pending(&host, &w).unwrap().is_none(), "an expired approval is not shown");
    let e = grant::approval_approve(&host, &w, view.approval_id.clone(), |_, _, _| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ApprovalExpired);
    assert_eq!(w.sessions(), 0);
    assert_eq!(w.logged(ActivityKind::Signed), 0);

    // The shell's timer sweeps it: the generated key goes, and the window hears so.
    grant::expire_due(&host, &w).await;
    assert!(!w.holds_session_key(key_of(&view)).await, "the generated key is deleted");
    assert_eq!(host.finished(&view.approval_id), ["expired"]);
    assert_eq!(w.logged(ActivityKind::Rejected), 1);
    let e = grant::approval_approve(&host, &w, view.approval_id.clone(), |_, _, _| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ApprovalExpired);
    assert_eq!(w.logged(ActivityKind::Signed), 0);
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejecting_deletes_the_generated_key_and_signs_nothing() {
    if keychain_missing() {
        return;
    }
    let w = World::new("reject").await;
    let host = FakeHost::new();
    let view = w.start(&host).await;
    let key = key_of(&view);
    assert!(w.holds_session_key(key).await);

    grant::approval_reject(&host, &w, view.approval_id.clone()).await.unwrap();
    assert!(!w.holds_session_key(key).await, "the generated key is deleted");
    assert_eq!(host.finished(&view.approval_id), ["rejected"]);
    assert_eq!(w.logged(ActivityKind::Rejected), 1);
    let e = grant::approval_approve(&host, &w, view.approval_id.clone(), |_, _, _| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ApprovalUsed);
    assert_eq!(w.sessions(), 0);
    assert_eq!(w.logged(ActivityKind::Signed), 0);
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_signature_puts_the_approval_back() {
    if keychain_missing() {
        return;
    }
    let w = World::new("putback").await;
    let host = FakeHost::new();
    let view = w.start(&host).await;
    assert!(view.verified);

    // The owner key is gone from the keychain when the person approves: nothing is signed
    // or stored, and the approval waits again.
    w.delete_owner().await;
    let e = grant::approval_approve(&host, &w, view.approval_id.clone(), |_, _, _| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::KeyNotFound, "the keychain's own error, not the approval's: {e:?}");
    assert_eq!(w.sessions(), 0);
    assert_eq!(w.logged(ActivityKind::Signed), 0);
    assert!(host.finished(&view.approval_id).is_empty());
    let pending = grant::approval_pending(&host, &w).unwrap().expect("the approval is pending again");
    assert_eq!(pending.approval_id, view.approval_id);
    assert!(w.holds_session_key(key_of(&view)).await, "its key is kept for the next try");

    // Once the key is back, the same approval is approved.
    w.import_owner().await;
    let session = grant::approval_approve(&host, &w, view.approval_id.clone(), |_, _, _| {}).await.unwrap();
    assert_eq!(session.session_key, view.session_key);
    assert_eq!(w.sessions(), 1);
    assert_eq!(w.logged(ActivityKind::Signed), 1);
    assert_eq!(host.finished(&view.approval_id), ["approved"]);
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_grant_signs_nothing() {
    if keychain_missing() {
        return;
    }
    let w = World::new("tamper").await;
    let host = FakeHost::new();
    // The endpoint grants a thousand times the allowance asked for.
    w.tamper("higher-allowance").await;
    let view = w.start(&host).await;
    assert!(!view.verified, "a grant wider than asked does not verify");
    assert!(!view.mismatches.is_empty());
    assert!(view.digest.is_empty(), "no digest is offered for signing");

    let e = grant::approval_approve(&host, &w, view.approval_id.clone(), |_, _, _| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotVerified);
    assert_eq!(w.sessions(), 0);
    assert_eq!(w.logged(ActivityKind::Approved), 0);
    assert_eq!(w.logged(ActivityKind::Signed), 0);
    assert!(host.finished(&view.approval_id).is_empty());
    // It can only be rejected, which deletes its key.
    grant::approval_reject(&host, &w, view.approval_id.clone()).await.unwrap();
    assert!(!w.holds_session_key(key_of(&view)).await);
    assert_eq!(host.finished(&view.approval_id), ["rejected"]);
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_key_is_exported_to_the_chosen_file_only_once_confirmed() {
    if keychain_missing() {
        return;
    }
    let w = World::new("export").await;
    let host = FakeHost::new();
    let session = w.granted_session(&host).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bot.warden-session.json");
    let secret = json!({"kind": "plaintext", "confirmed": true});
    let to_file = json!({"kind": "file"});

    // Declined in the native dialog: nothing is written or logged.
    host.will_save_to(&path);
    host.will_answer(false);
    let e = export::session_export(&host, &w, &session.id, secret.clone(), to_file.clone()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotConfirmed);
    assert!(!path.exists());
    assert_eq!(w.logged(ActivityKind::Exported), 0);

    // Confirmed: the document with the session key, in the file the dialog chose.
    host.will_save_to(&path);
    host.will_answer(true);
    let done = export::session_export(&host, &w, &session.id, secret, to_file).await.unwrap();
    assert_eq!(host.questions(), ["Export session key?", "Export session key?"]);
    assert_eq!(done.destination, "file");
    assert_eq!(done.path.as_deref(), path.to_str());
    let document: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(document["secret"]["type"], "plaintext");
    let key = document["secret"]["privateKey"].as_str().unwrap().to_owned();
    assert_eq!(key.len(), 66, "a 32-byte key in hex");
    assert_eq!(w.logged(ActivityKind::Exported), 1);
    // The key went to the file only: not in the command's answer, not in any event.
    assert!(!serde_json::to_string(&done).unwrap().contains(&key[2..]));
    assert!(host.events.lock().unwrap().iter().all(|(_, v)| !v.to_string().contains(&key[2..])));
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_is_asked_first_then_signed_by_the_owner_once() {
    if keychain_missing() {
        return;
    }
    let w = World::new("revoke").await;
    let host = FakeHost::new();
    let session = w.granted_session(&host).await;
    let changed = host.events_named(SESSIONS_CHANGED_EVENT).len();

    host.will_answer(false);
    let e = sessions::session_revoke(&host, &w, &session.id).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotConfirmed);
    assert_eq!(w.logged(ActivityKind::Revoked), 0);
    assert_eq!(sessions::sessions_list(&w).await.unwrap()[0].status, SessionStatus::Waiting);

    host.will_answer(true);
    let revoked = sessions::session_revoke(&host, &w, &session.id).await.unwrap();
    assert_eq!(revoked.status, 200, "{revoked:?}");
    assert_eq!(host.questions(), ["Revoke session?", "Revoke session?"]);
    assert_eq!(w.logged(ActivityKind::Revoked), 1);
    assert_eq!(sessions::sessions_list(&w).await.unwrap()[0].status, SessionStatus::Revoked);
    assert_eq!(host.events_named(SESSIONS_CHANGED_EVENT).len(), changed + 1);
    let last = host.events_named("progress").pop().unwrap();
    assert_eq!((last["op"].as_str(), last["step"].as_str()), (Some("revoke"), Some("done")));

    // Once is all: a second revocation is refused before anything is asked or signed.
    let again = sessions::session_revoke(&host, &w, &session.id).await.unwrap_err();
    assert_eq!(again.code, ErrorCode::InvalidInput);
    assert_eq!(host.questions().len(), 2);
    assert_eq!(w.logged(ActivityKind::Revoked), 1);
    w.stop().await;
}
