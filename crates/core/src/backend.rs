//! The backend Warden talks to: a wallet endpoint for the `wallet_*` methods and a node
//! endpoint for chain reads, on one chain, with an optional gas policy.
//!
//! The hosted service splits the two (protocol.md §13): `https://api.g.alchemy.com/v2`
//! answers only `wallet_*`, and every chain read goes to the chain's node URL
//! (`https://<network>.g.alchemy.com/v2`), both with the same API key in an
//! `Authorization: Bearer` header. The local devnet has the same split. A [`Backend`] holds
//! both clients so that no flow can send a chain read to the wallet endpoint by accident:
//! the wallet client is only reachable as [`Backend::wallet`] (for `wallet_*`), the node only
//! as [`Backend::node`] (a [`NodeClient`] that can only read the chain).
//!
//! The gas policy, when configured, goes with every owner operation and test call Warden
//! prepares ([`Backend::policy`]); the chain id is fixed for the backend's life, and
//! [`Backend::check_node_chain`] tells whether the node really serves it.
//!
//! Left out: choosing among several policies, and failover between nodes.

use alloy_primitives::U256;

use crate::api::UuidV4;
use crate::error::{Coded, ErrorCode};
use crate::node::{ChainError, NodeClient};
use crate::rpc::{ALCHEMY_WALLET_URL, ApiKey, Endpoint, RpcClient, RpcConfig, RpcError};

/// Why a backend could not be set up or does not serve what it should.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(transparent)]
    Rpc(#[from] RpcError),
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// Alchemy serves no node for this chain that Warden knows of.
    #[error(
        "chain {chain_id} has no Alchemy node URL in Warden's chain registry: pass the chain's node URL explicitly (--rpc-url or WARDEN_RPC_URL)"
    )]
    NoNodeUrl { chain_id: u32 },
    /// The node serves another chain than the one configured.
    #[error("the node at {host} serves chain {node}, but the backend is configured for chain {configured}")]
    ChainMismatch { configured: u32, node: u32, host: String },
}

impl Coded for BackendError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Rpc(e) => e.code(),
            Self::Chain(e) => e.code(),
            Self::NoNodeUrl { .. } => ErrorCode::InvalidInput,
            Self::ChainMismatch { .. } => ErrorCode::VerificationFailed,
        }
    }
}

/// A wallet endpoint, a node endpoint, a chain and an optional gas policy.
///
/// Cheap to clone: the clients share their connection pools.
#[derive(Clone, Debug)]
pub struct Backend {
    wallet: RpcClient,
    node: NodeClient,
    chain_id: u32,
    policy: Option<UuidV4>,
    allow_unsponsored: bool,
    max_fee: Option<U256>,
}

impl Backend {
    /// A backend of two existing clients.
    pub fn new(wallet: RpcClient, node: NodeClient, chain_id: u32, policy: Option<UuidV4>) -> Self {
        Self { wallet, node, chain_id, policy, allow_unsponsored: false, max_fee: None }
    }

    /// A backend for `wallet` and `node` endpoints with `config`'s limits on each.
    pub fn connect(
        wallet: Endpoint,
        node: Endpoint,
        chain_id: u32,
        policy: Option<UuidV4>,
        config: &RpcConfig,
    ) -> Result<Self, BackendError> {
        let wallet = RpcClient::new(wallet, config.clone())?;
        let node = NodeClient::new(node, config.clone())?;
        Ok(Self::new(wallet, node, chain_id, policy))
    }

    /// Alchemy on `chain_id`: the Wallets API and the chain's node from the registry, both
    /// with `api_key` as a Bearer header.
    pub fn alchemy(
        api_key: ApiKey,
        chain_id: u32,
        policy: Option<UuidV4>,
        config: &RpcConfig,
    ) -> Result<Self, BackendError> {
        let node_url = alchemy_node_url(chain_id).ok_or(BackendError::NoNodeUrl { chain_id })?;
        let wallet = Endpoint::new(ALCHEMY_WALLET_URL)?.with_api_key(api_key.clone());
        let node = Endpoint::new(node_url)?.with_api_key(api_key);
        Self::connect(wallet, node, chain_id, policy, config)
    }

    /// The client for `wallet_*` methods.
    pub fn wallet(&self) -> &RpcClient {
        &self.wallet
    }

    /// The client for chain reads.
    pub fn node(&self) -> &NodeClient {
        &self.node
    }

    /// The chain every request is for.
    pub fn chain_id(&self) -> u32 {
        self.chain_id
    }

    /// The gas policy that sponsors the operations Warden prepares, if any.
    pub fn policy(&self) -> Option<UuidV4> {
        self.policy
    }

    /// The same backend with another gas policy.
    pub fn with_policy(mut self, policy: Option<UuidV4>) -> Self {
        self.policy = policy;
        self
    }

    /// The same backend, paying from the account when its gas policy declines an
    /// operation (by default such an operation is refused before anything is signed).
    pub fn allowing_unsponsored(mut self, allow: bool) -> Self {
        self.allow_unsponsored = allow;
        self
    }

    /// Whether an operation the gas policy declines may be paid from the account.
    pub fn allows_unsponsored(&self) -> bool {
        self.allow_unsponsored
    }

    /// The same backend with a fee ceiling for the owner operations it prepares (`None`: the
    /// default of `crate::signing::fees`).
    pub fn with_max_fee(mut self, max_fee: Option<U256>) -> Self {
        self.max_fee = max_fee;
        self
    }

    /// The fee ceiling of owner operations, when one was set.
    pub fn max_fee(&self) -> Option<U256> {
        self.max_fee
    }

    /// Reads the node's chain id and refuses a node of another chain.
    pub async fn check_node_chain(&self) -> Result<(), BackendError> {
        let node = self.node.chain_id().await?;
        if node == self.chain_id {
            Ok(())
        } else {
            Err(BackendError::ChainMismatch { configured: self.chain_id, node, host: self.node.host().to_owned() })
        }
    }
}

/// Alchemy's node URL for `chain_id` (no key in it), from the chain registry.
pub fn alchemy_node_url(chain_id: u32) -> Option<&'static str> {
    crate::chains::node_url(chain_id)
}
