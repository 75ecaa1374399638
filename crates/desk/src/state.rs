//! [`AppState`]: the state the desk's command bodies share — the keychain connection, the
//! settings, the embedded devnet, the clients of the active backend, the session list and
//! activity log, the pending approvals and the servers' requests — built once by the shell
//! (`src-tauri` keeps it in `tauri::State`) or by a test.
//!
//! The bodies read it through [`DeskState`], a trait with one required method, so a test can
//! run them over the same state with a fixed devnet backend and a clock it moves (it
//! overrides [`DeskState::active_backend`], [`DeskState::chosen_backend`] and
//! [`DeskState::now`]). Left out: per-window state (the approval window's one approval lives
//! in [`Approvals`]).

use std::future::Future;
use std::sync::Arc;

use warden_keychain::Namespace;

use crate::approvals::Approvals;
use crate::backend::{ActiveBackend, ClientCache};
use crate::embedded_devnet::EmbeddedDevnet;
use crate::error::AppError;
use crate::intake::Intake;
use crate::keychain_access::{KeychainAccess, KeychainAnchor};
use crate::locations::Locations;
use crate::loopback_intake::LoopbackIntake;
use crate::open_requests::Requests;
use crate::payloads::BackendKind;
use crate::records::Records;
use crate::settings::SettingsStore;

/// The app's shared state.
#[derive(Debug)]
pub struct AppState {
    pub keychain: Arc<KeychainAccess>,
    /// The settings: which backend, its chain and gas policy, the desktop preferences.
    pub settings: SettingsStore,
    /// The local devnet the app runs for itself.
    pub devnet: EmbeddedDevnet,
    pub records: Records,
    pub approvals: Approvals,
    /// The servers' permission requests opened and not yet answered.
    pub requests: Requests,
    /// Requests handed to the app (a launch's link or file, the loopback intake), until the
    /// main window takes them.
    pub intake: Intake,
    /// The loopback intake for servers on this computer, while it is on.
    pub loopback: LoopbackIntake,
    /// The clients of the active backend, keyed by what they were built for; rebuilt when
    /// the backend changes.
    pub clients: ClientCache,
    /// Where the app keeps its files (what a reset removes).
    pub locations: Locations,
}

impl AppState {
    /// The state over keychain `namespace` and the folders in `locations`. The activity
    /// log's head is anchored in the keychain too (`warden_core::activity`).
    pub fn new(namespace: Namespace, locations: Locations, settings: SettingsStore, records: Records) -> Self {
        let keychain = Arc::new(KeychainAccess::new(namespace, locations.config.clone()));
        records.activity.set_outside_anchor(Arc::new(KeychainAnchor(keychain.clone())));
        Self {
            requests: Requests::new(locations.config.clone()),
            intake: Intake::default(),
            loopback: LoopbackIntake::default(),
            keychain,
            settings,
            devnet: EmbeddedDevnet::new(Some(locations.devnet_dir())),
            locations,
            records,
            approvals: Approvals::default(),
            clients: ClientCache::default(),
        }
    }
}

/// What the command bodies read: the shared [`AppState`], the backend and the clock.
pub trait DeskState: Send + Sync + Sized {
    /// The shared state.
    fn app(&self) -> &AppState;

    fn keychain(&self) -> &Arc<KeychainAccess> {
        &self.app().keychain
    }
    fn records(&self) -> &Records {
        &self.app().records
    }
    fn approvals(&self) -> &Approvals {
        &self.app().approvals
    }
    fn requests(&self) -> &Requests {
        &self.app().requests
    }
    fn intake(&self) -> &Intake {
        &self.app().intake
    }
    fn loopback(&self) -> &LoopbackIntake {
        &self.app().loopback
    }
    fn settings(&self) -> &SettingsStore {
        &self.app().settings
    }
    fn devnet(&self) -> &EmbeddedDevnet {
        &self.app().devnet
    }
    fn clients(&self) -> &ClientCache {
        &self.app().clients
    }
    fn locations(&self) -> &Locations {
        &self.app().locations
    }
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

/// The app itself: the settings choose the backend, the clock is the system's.
impl DeskState for AppState {
    fn app(&self) -> &AppState {
        self
    }
}
