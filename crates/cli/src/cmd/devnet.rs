//! `warden devnet`: the local Wallets API over a real anvil node, for server developers
//! and for testing offline. Prints one ready line and runs until interrupted.

use crate::exit::{CmdResult, Failure};

pub use warden_devnet::DevnetArgs;

pub fn run(args: DevnetArgs) -> CmdResult {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::refused(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(warden_devnet::run_standalone(args)).map_err(Failure::refused)
}
