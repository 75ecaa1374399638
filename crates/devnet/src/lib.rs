//! warden-devnet: a local, offline Wallets API server over a real anvil node.
//!
//! It serves the `wallet_*` methods on 127.0.0.1 with the same wire shapes, typed data,
//! hashes, nonces and call ids as the hosted API, emulates Modular Account v2 session
//! semantics, refuses as a bundler in front of real MAv2 modules refuses (ERC-7769 codes,
//! `AAxx` reasons, the modules' revert data), sponsors gas only under a gas policy it
//! knows, and executes calls on the node as the account. As on Alchemy, the wallet URL
//! serves no chain methods: `eth_*`, `net_*` and `web3_*` are served on a second URL, the
//! node URL, which forwards them to the node.
//!
//! * [`anvil`] — finding and running anvil (`--anvil`, the sidecar beside the executable,
//!   the checkout's pinned npm package in debug builds, or `PATH`).
//! * [`client`] — typed calls of the `devnet_*` helpers, for clients such as the app.
//! * [`node`] — JSON-RPC client for the node.
//! * [`entry_point`] — the real EntryPoint v0.7, deployed at its canonical address.
//! * [`executor`] — the code the emulated accounts run their operations with.
//! * [`rpc`] — JSON-RPC framing and the devnet's error codes.
//! * [`persist`] — `--state DIR`: state that survives a restart.
//! * [`server`] — the two HTTP endpoints (wallet URL, node URL).
//! * [`methods`] — the method handlers and the emulated accounts and sessions.
//! * [`standalone`] — `warden devnet`: flags and the foreground run.
//!
//! Use in-process with [`Devnet::start`] (stopped when the [`DevnetHandle`] drops), or standalone
//! through the `warden devnet` command.

pub mod anvil;
pub mod client;
pub mod entry_point;
pub mod executor;
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
use executor::ExecutorError;
use node::{Node, NodeError};
pub use server::MisroutedRequests;
pub use standalone::{DevnetArgs, run_standalone};

/// The chain id of a devnet that starts its own anvil, unless told otherwise.
pub const DEFAULT_CHAIN_ID: u32 = 31337;

/// How often a devnet with `--state` saves what changed while it runs.
pub const DEFAULT_SAVE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// The gas policy every devnet knows: operations that name it are sponsored (see
/// [`methods::policies`]). `devnet_createPolicy` makes others.
pub const DEFAULT_POLICY_ID: &str = "0d3e7a5c-6b1f-4c2a-9e8d-7f6a5b4c3d2e";

/// How to start a devnet.
#[derive(Clone, Debug)]
pub struct DevnetConfig {
    /// Port of the wallet URL on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Port of the node URL on 127.0.0.1; 0 picks a free one.
    pub node_port: u16,
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
    /// With `state_dir`: how often changed state is saved while the devnet runs (it is
    /// also saved when it stops; see [`persist`]).
    pub save_interval: std::time::Duration,
    /// Serve the test-only methods (`devnet_setTamper`, see [`methods::tamper`]). Off by
    /// default; never for a devnet anyone relies on.
    pub test_hooks: bool,
}

impl Default for DevnetConfig {
    fn default() -> Self {
        Self {
            port: 0,
            node_port: 0,
            chain_id: None,
            anvil: anvil::explicit_from_env(),
            rpc: None,
            block_time: None,
            dev_node_dir: anvil::dev_node_dir(),
            state_dir: None,
            save_interval: DEFAULT_SAVE_INTERVAL,
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
    #[error(transparent)]
    Executor(#[from] ExecutorError),
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

/// A running devnet. Dropping it stops the servers and the anvil it started.
#[derive(Debug)]
pub struct DevnetHandle {
    addr: SocketAddr,
    node_addr: SocketAddr,
    chain_id: u32,
    anvil_url: String,
    misrouted: Arc<server::Misrouted>,
    shutdown: Option<tokio::sync::watch::Sender<bool>>,
    server: tokio::task::JoinHandle<()>,
    anvil: Option<AnvilProcess>,
}

impl DevnetHandle {
    /// The wallet URL, `http://127.0.0.1:PORT`: `wallet_*` and `devnet_*` only.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the wallet URL listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The node URL, `http://127.0.0.1:PORT`: the chain (`eth_*`, `net_*`, `web3_*`).
    pub fn node_url(&self) -> String {
        format!("http://{}", self.node_addr)
    }

    /// The address the node URL listens on.
    pub fn node_addr(&self) -> SocketAddr {
        self.node_addr
    }

    /// The chain id served.
    pub fn chain_id(&self) -> u32 {
        self.chain_id
    }

    /// The raw node underneath (anvil), for tests and tools that need `anvil_*`/`evm_*`.
    pub fn anvil_url(&self) -> &str {
        &self.anvil_url
    }

    /// The chain requests that reached the wallet URL so far, by method (each one a client
    /// bug: on Alchemy they would fail).
    pub fn misrouted_requests(&self) -> MisroutedRequests {
        self.misrouted.counts()
    }

    /// The anvil process the devnet started, if it started one.
    pub fn anvil(&self) -> Option<&AnvilProcess> {
        self.anvil.as_ref()
    }

    /// Stops the servers and the node, and waits for the servers to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
        let server = std::mem::replace(&mut self.server, tokio::spawn(async {}));
        let _ = server.await;
    }
}

impl Drop for DevnetHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
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
    if anvil.is_some() {
        // After loading a saved state, which may carry the contract again.
        anvil::drop_block_hash_history(&node).await?;
    }
    entry_point::ensure_deployed(&node).await?;
    executor::ensure_installed(&node).await?;
    methods::accounts::ensure_account_code(&node, &state).await?;

    let bind = |port: u16| async move {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| StartError::Bind { addr, source })?;
        let local = listener.local_addr().map_err(|source| StartError::Bind { addr, source })?;
        Ok::<_, StartError>((listener, local))
    };
    let (listener, addr) = bind(config.port).await?;
    let (node_listener, node_addr) = bind(config.node_port).await?;
    let anvil_url = node.url().to_owned();
    let devnet = Arc::new(
        methods::Emulator::new(node, chain_id, state, config.state_dir.clone()).with_test_hooks(config.test_hooks),
    );
    let misrouted = Arc::new(server::Misrouted::default());
    let (tx, rx) = tokio::sync::watch::channel(false);
    let serve = |listener: tokio::net::TcpListener, app: axum::Router, mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let shutdown = async move {
            let _ = rx.wait_for(|stop| *stop).await;
        };
        if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
            tracing::error!("devnet server stopped: {e}");
        }
    };
    let wallet = serve(listener, server::wallet_router(devnet.clone(), misrouted.clone()), rx.clone());
    let chain = serve(node_listener, server::node_router(devnet.clone()), rx.clone());
    let saver = save_periodically(devnet.clone(), config.save_interval, rx);
    let server = tokio::spawn(async move {
        tokio::join!(wallet, chain, saver);
        // The servers answered their last requests: save what they changed.
        devnet.save_if_changed().await;
    });
    Ok(DevnetHandle { addr, node_addr, chain_id, anvil_url, misrouted, shutdown: Some(tx), server, anvil })
}

/// Saves what changed every `interval` until the devnet stops (the server task saves once
/// more after the servers finished). Without `--state` it only waits.
async fn save_periodically(
    devnet: Arc<methods::Emulator>,
    interval: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(interval.max(std::time::Duration::from_millis(100)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        let stopping = tokio::select! {
            _ = ticks.tick() => false,
            _ = stop.wait_for(|stop| *stop) => true,
        };
        if stopping {
            break;
        }
        devnet.save_if_changed().await;
    }
}
