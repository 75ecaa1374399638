//! The devnet's own methods: the Wallets API (`wallet_*`, SPEC §4) and the developer
//! conveniences (`devnet_*`).
//!
//! [`Emulator`] is the shared server state: the node client, the chain id, and the emulated
//! accounts and sessions. [`dispatch`] routes a method name to its handler.

use serde_json::Value;

use crate::node::Node;
use crate::rpc::{METHOD_NOT_FOUND, RpcFailure};

/// Everything a request handler needs.
#[derive(Debug)]
pub struct Emulator {
    node: Node,
    chain_id: u32,
}

impl Emulator {
    pub(crate) fn new(node: Node, chain_id: u32) -> Self {
        Self { node, chain_id }
    }

    /// The node underneath.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// The chain id of the node.
    pub fn chain_id(&self) -> u32 {
        self.chain_id
    }
}

/// Runs `method` with `params`.
pub async fn dispatch(_emulator: &Emulator, method: &str, _params: Value) -> Result<Value, RpcFailure> {
    Err(RpcFailure::new(METHOD_NOT_FOUND, format!("method `{method}` does not exist on the devnet")))
}
