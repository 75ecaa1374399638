//! warden-devnet: a local, offline Wallets API server over a real anvil node.
//!
//! It serves the `wallet_*` methods on 127.0.0.1 with the same wire shapes, typed data,
//! hashes, nonces and call ids as the hosted API, emulates Modular Account v2 session
//! semantics, and executes calls on the node as the account. `eth_*`, `net_*` and `web3_*`
//! are forwarded to the node, so one URL serves everything.
//!
//! * [`anvil`] — finding and running anvil (`--anvil`, the sidecar beside the executable,
//!   the checkout's pinned npm package in debug builds, or `PATH`).
//! * [`client`] — typed calls of the `devnet_*` helpers, for clients such as the app.
//! * [`node`] — JSON-RPC client for the node.
//! * [`entry_point`] — the real EntryPoint v0.7, deployed at its canonical address.
//! * [`rpc`] — JSON-RPC framing and the devnet's error codes.
//! * [`persist`] — `--state DIR`: state that survives a restart.
//! * [`server`] — the HTTP endpoint.
//! * [`methods`] — the method handlers and the emulated accounts and sessions.
//! * [`standalone`] — `warden devnet`: flags and the foreground run.
//!
//! Use in-process with [`Devnet::start`] (stopped when the [`DevnetHandle`] drops), or standalone
//! through the `warden devnet` command.

pub mod anvil;
pub mod client;
pub mod entry_point;
pub mod methods;
pub mod node;
pub mod persist;
pub mod rpc;
pub mod server;
pub mod standalone;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use anvil::{AnvilError, AnvilOptions, AnvilProcess};
use entry_point::EntryPointError;
use node::{Node, NodeError};
pub use standalone::{DevnetArgs, run_standalone};

/// The chain id of a devnet that starts its own anvil, unless told otherwise.
pub const DEFAULT_CHAIN_ID: u32 = 31337;

/// How to start a devnet.
#[derive(Clone, Debug)]
pub struct DevnetConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Chain id of the anvil it starts; with `rpc`, the node's chain id must equal it when set.
    pub chain_id: Option<u32>,
    /// An explicit anvil binary, wins over every other place (default: `WARDEN_ANVIL`).
    pub anvil: Option<PathBuf>,
    /// Use this already-running node instead of starting anvil.
    pub rpc: Option<String>,
    /// Interval mining of the anvil it starts, in seconds (default: mine every transaction).
    pub block_time: Option<u64>,
    /// The source tree's folder of pinned npm packages, searched for anvil after the
    /// sidecar (default: `crates/devnet/node` in a debug build, nothing in a release build).
    pub dev_node_dir: Option<PathBuf>,
    /// Save accounts, sessions, usage and the node's state here, and load them at start.
    pub state_dir: Option<PathBuf>,
    /// Serve the test-only methods (`devnet_setTamper`, see [`methods::tamper`]). Off by
    /// default; never for a devnet anyone relies on.
    pub test_hooks: bool,
}

impl Default for DevnetConfig {
    fn default() -> Self {
        Self {
            port: 0,
            chain_id: None,
            anvil: anvil::explicit_from_env(),
            rpc: None,
            block_time: None,
            dev_node_dir: anvil::dev_node_dir(),
            state_dir: None,
            test_hooks: false,
        }
    }
}

/// Why a devnet did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Anvil(#[from] AnvilError),
    #[error("{0}")]
    Node(#[from] NodeError),
    #[error(transparent)]
    EntryPoint(#[from] EntryPointError),
    #[error("--chain-id {configured} was asked for, but the node at {url} is chain {node}")]
    ChainIdMismatch { configured: u32, node: u64, url: String },
    #[error("the node's chain id {0} does not fit in 32 bits, which the Wallets API requires")]
    ChainIdTooLarge(u64),
    #[error("--state: {0}")]
    State(#[from] persist::PersistError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// A running devnet. Dropping it stops the server and the anvil it started.
#[derive(Debug)]
pub struct DevnetHandle {
    addr: SocketAddr,
    chain_id: u32,
    node_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<()>,
    anvil: Option<AnvilProcess>,
}

impl DevnetHandle {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The chain id served.
    pub fn chain_id(&self) -> u32 {
        self.chain_id
    }

    /// The URL of the node underneath (for tests and tools that need raw `anvil_*`/`evm_*`).
    pub fn node_url(&self) -> &str {
        &self.node_url
    }

    /// The raw node URL, for tests and tools that need `anvil_*`/`evm_*`.
    pub fn anvil_url(&self) -> &str {
        &self.node_url
    }

    /// The anvil process the devnet started, if it started one.
    pub fn anvil(&self) -> Option<&AnvilProcess> {
        self.anvil.as_ref()
    }

    /// Stops the server and the node, and waits for the server to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let server = std::mem::replace(&mut self.server, tokio::spawn(async {}));
        let _ = server.await;
    }
}

impl Drop for DevnetHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.server.abort();
    }
}

/// The devnet entry point.
#[derive(Clone, Copy, Debug)]
pub struct Devnet;

impl Devnet {
    /// Starts a devnet: the node (started or connected), the EntryPoint, then the server.
    pub async fn start(config: DevnetConfig) -> Result<DevnetHandle, StartError> {
        start(config).await
    }
}

async fn start(config: DevnetConfig) -> Result<DevnetHandle, StartError> {
    let (node, anvil) = match &config.rpc {
        Some(url) => (Node::new(url.clone()), None),
        None => {
            let places = anvil::SearchPlaces::of_this_process(config.dev_node_dir.clone());
            let path = anvil::discover(config.anvil.as_deref(), &places)?;
            tracing::info!(anvil = %path.display(), "starting anvil");
            let opts = AnvilOptions {
                chain_id: u64::from(config.chain_id.unwrap_or(DEFAULT_CHAIN_ID)),
                block_time: config.block_time,
            };
            let process = AnvilProcess::spawn(&path, &opts).await?;
            (Node::new(process.url()), Some(process))
        }
    };
    let node_chain = node.chain_id().await?;
    if let Some(configured) = config.chain_id
        && u64::from(configured) != node_chain
    {
        return Err(StartError::ChainIdMismatch { configured, node: node_chain, url: node.url().to_owned() });
    }
    let chain_id = u32::try_from(node_chain).map_err(|_| StartError::ChainIdTooLarge(node_chain))?;
    let state = match &config.state_dir {
        Some(dir) => persist::load(dir, &node).await?.unwrap_or_default(),
        None => methods::state::State::default(),
    };
    entry_point::ensure_deployed(&node).await?;

    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, config.port));
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| StartError::Bind { addr, source })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind { addr, source })?;
    let node_url = node.url().to_owned();
    let devnet = Arc::new(
        methods::Emulator::new(node, chain_id, state, config.state_dir.clone()).with_test_hooks(config.test_hooks),
    );
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let app = server::router(devnet);
    let server = tokio::spawn(async move {
        let shutdown = async move {
            let _ = rx.await;
        };
        if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
            tracing::error!("devnet server stopped: {e}");
        }
    });
    Ok(DevnetHandle { addr, chain_id, node_url, shutdown: Some(tx), server, anvil })
}
