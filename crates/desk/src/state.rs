//! [`DeskState`]: the shared state the desk's command bodies read — the keychain, the
//! records, the approvals, the servers' requests, the settings, the embedded devnet, the
//! active backend and the clock.
//!
//! A trait rather than a struct so `src-tauri`'s `AppState` keeps its fields where the
//! shell's own code uses them, and so tests can run the bodies over a state of their own
//! (a fixed devnet backend, a clock they move).

use std::future::Future;
use std::sync::Arc;

use crate::approvals::Approvals;
use crate::backend::{ActiveBackend, ClientCache};
use crate::embedded_devnet::EmbeddedDevnet;
use crate::error::AppError;
use crate::intake::Intake;
use crate::keychain_access::KeychainAccess;
use crate::locations::Locations;
use crate::loopback_intake::LoopbackIntake;
use crate::open_requests::Requests;
use crate::payloads::BackendKind;
use crate::records::Records;
use crate::settings::SettingsStore;

/// What the command bodies share.
pub trait DeskState: Send + Sync + Sized {
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
    /// The settings: which backend, its chain and gas policy, the desktop preferences.
    fn settings(&self) -> &SettingsStore;
    /// The local devnet the app runs for itself.
    fn devnet(&self) -> &EmbeddedDevnet;
    /// The clients of the active backend, kept between commands.
    fn clients(&self) -> &ClientCache;
    /// Where the app keeps its files (what a reset removes).
    fn locations(&self) -> &Locations;
    /// The backend commands talk to now (starting the embedded devnet if it is the one):
    /// the one the settings choose ([`crate::backend::active`]).
    fn active_backend(&self) -> impl Future<Output = Result<ActiveBackend, AppError>> + Send {
        crate::backend::active(self)
    }
    /// The kind of backend the settings choose, without starting or connecting to it.
    fn chosen_backend(&self) -> BackendKind {
        self.settings().load().backend
    }
    /// Unix seconds now: when approvals open and expire, and what grants are checked at.
    fn now(&self) -> u64 {
        crate::records::now()
    }
}
