//! [`AppState`]: what every command reaches through `tauri::State` — the keychain
//! connection, the settings store, the embedded devnet, the cached JSON-RPC client, the
//! session list and activity log, and the pending approvals.
//!
//! Built once in `setup` (it needs the app's data folder and store). Left out: per-window
//! state (the approval window's one approval lives in [`Approvals`]).

use std::sync::Arc;

use warden_desk::backend::ClientCache;
use warden_desk::embedded_devnet::EmbeddedDevnet;
use warden_desk::intake::Intake;
use warden_desk::locations::Locations;
use warden_desk::loopback_intake::LoopbackIntake;
use warden_desk::open_requests::Requests;
use warden_desk::state::DeskState;
use warden_keychain::Namespace;

use crate::approvals::Approvals;
use crate::keychain_access::{KeychainAccess, KeychainAnchor};
use crate::records::Records;
use crate::settings::SettingsStore;

/// The app's shared state.
#[derive(Debug)]
pub struct AppState {
    pub keychain: Arc<KeychainAccess>,
    pub settings: SettingsStore,
    pub devnet: EmbeddedDevnet,
    pub records: Records,
    pub approvals: Approvals,
    /// The servers' permission requests opened and not yet answered.
    pub requests: Requests,
    /// A request handed to the app as a launch argument, until the main window takes it.
    pub intake: Intake,
    /// The loopback intake for servers on this computer, while it is on.
    pub loopback: LoopbackIntake,
    /// The clients of the active backend, keyed by what they were built for; rebuilt when
    /// the backend changes.
    pub clients: ClientCache,
    /// Where the app keeps its files (for a reset).
    pub locations: Locations,
}

impl AppState {
    pub fn new(namespace: Namespace, locations: Locations, settings: SettingsStore, records: Records) -> Self {
        let keychain = Arc::new(KeychainAccess::new(namespace, locations.config.clone()));
        // The activity log keeps its head in the keychain too (`warden_core::activity`).
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

/// The desk's command bodies read the app's state through this.
impl DeskState for AppState {
    fn keychain(&self) -> &Arc<KeychainAccess> {
        &self.keychain
    }

    fn records(&self) -> &Records {
        &self.records
    }

    fn approvals(&self) -> &Approvals {
        &self.approvals
    }

    fn requests(&self) -> &Requests {
        &self.requests
    }

    fn intake(&self) -> &Intake {
        &self.intake
    }

    fn loopback(&self) -> &LoopbackIntake {
        &self.loopback
    }

    fn settings(&self) -> &SettingsStore {
        &self.settings
    }

    fn devnet(&self) -> &EmbeddedDevnet {
        &self.devnet
    }

    fn clients(&self) -> &ClientCache {
        &self.clients
    }

    fn locations(&self) -> &Locations {
        &self.locations
    }
}
