//! `warden devnet`: the devnet as a foreground process.
//!
//! [`DevnetArgs`] are the command's flags (a `clap::Args`, so the CLI flattens them into its
//! `devnet` subcommand); [`run_standalone`] starts the devnet, prints one ready line
//! `warden devnet listening on WALLET_URL chain ID node NODE_URL` on stdout (scripts and
//! tests parse it: the wallet URL serves `wallet_*`/`devnet_*`, the node URL the chain), and
//! runs until interrupted (Ctrl-C / SIGINT), then stops the node it started.

use std::io::Write as _;
use std::path::PathBuf;

use crate::{Devnet, DevnetConfig, StartError};

/// Flags of `warden devnet`.
#[derive(Clone, Debug, clap::Args)]
pub struct DevnetArgs {
    /// Port of the wallet URL (wallet_* and devnet_*) on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Port of the node URL (eth_*, net_*, web3_*) on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    pub node_port: u16,
    /// Chain id of the anvil it starts (default 31337); with --rpc, the node's must match.
    #[arg(long)]
    pub chain_id: Option<u32>,
    /// The anvil binary to run (default: $WARDEN_ANVIL, else the one installed beside
    /// warden, else PATH).
    #[arg(long, conflicts_with = "rpc")]
    pub anvil: Option<PathBuf>,
    /// Use this running node (anvil or anvil-compatible) instead of starting anvil.
    #[arg(long)]
    pub rpc: Option<String>,
    /// Keep accounts, sessions, usage and chain state in DIR across restarts.
    #[arg(long = "state", value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Mine a block every S seconds instead of on every transaction.
    #[arg(long, conflicts_with = "rpc")]
    pub block_time: Option<u64>,
    /// UNSAFE, for tests only: serve devnet_setTamper, which makes the next
    /// wallet_createSession grant more than asked (to test that clients refuse it).
    #[arg(long)]
    pub test_hooks: bool,
}

impl From<DevnetArgs> for DevnetConfig {
    fn from(a: DevnetArgs) -> Self {
        Self {
            port: a.port,
            node_port: a.node_port,
            chain_id: a.chain_id,
            anvil: a.anvil.or_else(crate::anvil::explicit_from_env),
            rpc: a.rpc,
            block_time: a.block_time,
            state_dir: a.state,
            test_hooks: a.test_hooks,
            ..Self::default()
        }
    }
}

/// Why the standalone devnet stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum StandaloneError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("cannot write the ready line: {0}")]
    Stdout(std::io::Error),
    #[error("cannot wait for Ctrl-C or SIGTERM: {0}")]
    Signal(std::io::Error),
}

/// Runs the devnet until Ctrl-C (SIGINT) or, on Unix, SIGTERM — the signal service managers
/// and test harnesses send — so the anvil it started is stopped either way.
pub async fn run_standalone(args: DevnetArgs) -> Result<(), StandaloneError> {
    let handle = Devnet::start(args.into()).await?;
    // The handlers go in before the ready line: whoever reads that line may signal at once.
    let interrupted = match Interrupted::listen() {
        Ok(i) => i,
        Err(e) => {
            handle.stop().await;
            return Err(StandaloneError::Signal(e));
        }
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", ready_line(&handle)).and_then(|()| out.flush()).map_err(StandaloneError::Stdout)?;
    drop(out);
    let waited = interrupted.wait().await;
    handle.stop().await;
    waited.map_err(StandaloneError::Signal)
}

/// The ready line: `warden devnet listening on WALLET_URL chain ID node NODE_URL`.
pub fn ready_line(handle: &crate::DevnetHandle) -> String {
    format!("warden devnet listening on {} chain {} node {}", handle.url(), handle.chain_id(), handle.node_url())
}

/// Ctrl-C and (on Unix) SIGTERM, listened for from [`Interrupted::listen`] on.
struct Interrupted {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Interrupted {
    #[cfg(unix)]
    fn listen() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self { term: signal(SignalKind::terminate())?, int: signal(SignalKind::interrupt())? })
    }

    #[cfg(not(unix))]
    fn listen() -> std::io::Result<Self> {
        Ok(Self {})
    }

    /// Resolves at the first Ctrl-C or SIGTERM.
    #[cfg(unix)]
    async fn wait(mut self) -> std::io::Result<()> {
        tokio::select! {
            _ = self.int.recv() => Ok(()),
            _ = self.term.recv() => Ok(()),
        }
    }

    #[cfg(not(unix))]
    async fn wait(self) -> std::io::Result<()> {
        tokio::signal::ctrl_c().await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        devnet: DevnetArgs,
    }

    #[test]
    fn flags_become_the_config() {
        let cli = Cli::try_parse_from([
            "warden",
            "--port",
            "8545",
            "--node-port",
            "8546",
            "--chain-id",
            "84532",
            "--block-time",
            "2",
        ])
        .unwrap();
        let c = DevnetConfig::from(cli.devnet);
        assert_eq!((c.port, c.node_port, c.chain_id, c.block_time, c.rpc), (8545, 8546, Some(84532), Some(2), None));
        assert!(!c.test_hooks, "test hooks are off unless asked for");
        let cli = Cli::try_parse_from(["warden", "--test-hooks"]).unwrap();
        assert!(DevnetConfig::from(cli.devnet).test_hooks);
        assert!(Cli::try_parse_from(["warden", "--anvil", "/x", "--rpc", "http://127.0.0.1:8545"]).is_err());
        assert!(Cli::try_parse_from(["warden", "--port", "70000"]).is_err());
    }
}
