//! The local devnet the app runs for itself: a `warden-devnet` (over a real anvil) on an
//! ephemeral 127.0.0.1 port, started when the devnet backend is first needed (at launch
//! when it is the active backend), stopped when the user switches to Alchemy and when the
//! app exits.
//!
//! Its accounts, sessions and chain state are kept in `<app data>/devnet`, so what a user
//! did on the devnet is still there after a restart. Starting is serialised: callers that
//! arrive while it starts wait for that start. Left out: sharing one devnet between two
//! running app instances (each would start its own on the same state folder).

use std::path::PathBuf;

use tokio::sync::Mutex;
use tracing::{info, warn};
use warden_devnet::{Devnet, DevnetConfig, DevnetHandle};

use crate::error::{AppError, ErrorCode};

/// How long a stop waits for the devnet's server to finish gracefully.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Where a running devnet listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevnetEndpoint {
    /// The wallet API, `http://127.0.0.1:PORT`.
    pub url: String,
    /// The node (chain reads), on its own port as a hosted chain's node is on its own host.
    pub node_url: String,
    /// `127.0.0.1:PORT`.
    pub host: String,
    pub chain_id: u32,
    /// The gas policy the devnet sponsors operations with, as Alchemy's Gas Manager would.
    pub policy: Option<warden_core::api::UuidV4>,
}

/// The app's devnet, running or not.
#[derive(Debug)]
pub struct EmbeddedDevnet {
    state_dir: Option<PathBuf>,
    running: Mutex<Option<DevnetHandle>>,
}

impl EmbeddedDevnet {
    /// A devnet that keeps its state in `state_dir` (none: forget everything on exit).
    pub fn new(state_dir: Option<PathBuf>) -> Self {
        Self { state_dir, running: Mutex::new(None) }
    }

    /// The running devnet, started now if it is not running.
    pub async fn ensure_started(&self) -> Result<DevnetEndpoint, AppError> {
        let mut running = self.running.lock().await;
        if let Some(handle) = running.as_ref() {
            return Ok(endpoint(handle));
        }
        let config = DevnetConfig {
            port: 0,
            state_dir: self.state_dir.clone(),
            test_hooks: test_hooks_requested(),
            ..DevnetConfig::default()
        };
        if let Some(dir) = &self.state_dir {
            std::fs::create_dir_all(dir).map_err(|e| {
                AppError::new(
                    ErrorCode::DevnetFailed,
                    format!("cannot create the local devnet's folder {}: {e}", dir.display()),
                )
            })?;
        }
        let started = std::time::Instant::now();
        let handle = Devnet::start(config).await.map_err(|e| {
            warn!(error = %e, "the local devnet did not start");
            AppError::new(ErrorCode::DevnetFailed, format!("the local devnet did not start: {e}"))
        })?;
        info!(url = %handle.url(), chain_id = handle.chain_id(), ms = started.elapsed().as_millis() as u64, "local devnet started");
        let ep = endpoint(&handle);
        *running = Some(handle);
        Ok(ep)
    }

    /// Stops the devnet if it runs. A graceful stop waits for open connections (the
    /// app's own pooled ones among them), so it gets two seconds (`STOP_GRACE`); after that the server
    /// is aborted and anvil killed.
    pub async fn stop(&self) {
        let handle = self.running.lock().await.take();
        if let Some(handle) = handle {
            match tokio::time::timeout(STOP_GRACE, handle.stop()).await {
                Ok(()) => info!("local devnet stopped"),
                Err(_) => info!("local devnet stopped (connections still open were cut)"),
            }
        }
    }
}

/// `WARDEN_DEVNET_TEST_HOOKS=1` makes the local devnet serve its test-only methods
/// (`devnet_setTamper`: the next grant is broader than asked), for the real-app tamper
/// test. It only changes what the local devnet (no real money) answers, which Warden
/// verifies like any endpoint's answer.
fn test_hooks_requested() -> bool {
    let on = std::env::var("WARDEN_DEVNET_TEST_HOOKS").is_ok_and(|v| v == "1");
    if on {
        warn!("WARDEN_DEVNET_TEST_HOOKS=1: the local devnet serves its test-only methods");
    }
    on
}

fn endpoint(handle: &DevnetHandle) -> DevnetEndpoint {
    DevnetEndpoint {
        url: handle.url(),
        node_url: handle.node_url().to_owned(),
        host: handle.addr().to_string(),
        chain_id: handle.chain_id(),
        policy: warden_devnet::DEFAULT_POLICY_ID.parse().ok(),
    }
}
