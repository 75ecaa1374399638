//! [`DeskState`]: the shared state the desk's command bodies read — the keychain, the
//! records, the approvals, the active backend and the clock.
//!
//! A trait rather than a struct so `src-tauri`'s `AppState` keeps its fields where the
//! other commands use them, and so tests can run the bodies over a state of their own (a
//! fixed devnet backend, a clock they move). Left out: the settings and the embedded
//! devnet, which decide the active backend in `src-tauri` for now.

use std::future::Future;
use std::sync::Arc;

use crate::approvals::Approvals;
use crate::backend::ActiveBackend;
use crate::error::AppError;
use crate::intake::Intake;
use crate::keychain_access::KeychainAccess;
use crate::loopback_intake::LoopbackIntake;
use crate::open_requests::Requests;
use crate::payloads::BackendKind;
use crate::records::Records;

/// What the command bodies share.
pub trait DeskState: Send + Sync {
    fn keychain(&self) -> &Arc<KeychainAccess>;
    fn records(&self) -> &Records;
    fn approvals(&self) -> &Approvals;
    /// The servers' permission requests opened and not yet answered.
    fn requests(&self) -> &Requests;
    /// Requests handed to the app (a launch's link or file, the loopback intake), until
    /// the main window takes them.
    fn intake(&self) -> &Intake;
    /// The loopback intake for servers on this computer, while it is on.
    fn loopback(&self) -> &LoopbackIntake;
    /// The backend commands talk to now (starting the embedded devnet if it is the one).
    fn active_backend(&self) -> impl Future<Output = Result<ActiveBackend, AppError>> + Send;
    /// The kind of backend the settings choose, without starting or connecting to it.
    fn chosen_backend(&self) -> BackendKind;
    /// Unix seconds now: when approvals open and expire, and what grants are checked at.
    fn now(&self) -> u64 {
        crate::records::now()
    }
}
