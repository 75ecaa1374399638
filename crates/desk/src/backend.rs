//! [`ActiveBackend`]: the endpoints a command talks to — the wallet API and the chain's
//! node (`warden_core::Backend`), which kind they are, and how credentials name them.
//!
//! Which backend is active (the settings, the embedded devnet, the Alchemy API key) is
//! still decided in `src-tauri/src/backend.rs`; the desk only uses the answer.

use warden_core::Backend;
use warden_core::api::UuidV4;

use crate::payloads::BackendKind;

/// What commands need to talk to the active backend.
#[derive(Clone, Debug)]
pub struct ActiveBackend {
    pub kind: BackendKind,
    /// The wallet and node clients, the chain and the gas policy.
    pub backend: Backend,
    /// The wallet endpoint's URL as written into credentials (never with an API key).
    pub url: String,
    /// `host[:port]` of the wallet endpoint.
    pub host: String,
}

impl ActiveBackend {
    /// The chain of the backend.
    pub fn chain_id(&self) -> u32 {
        self.backend.chain_id()
    }

    /// The gas policy of the backend.
    pub fn policy(&self) -> Option<UuidV4> {
        self.backend.policy()
    }
}
