//! What the devnet remembers besides the chain (protocol.md §10): accounts of each signer, sessions
//! with their grant and usage, gas policies, operations prepared and sent.
//!
//! Chain facts (balances, EntryPoint nonces) are never cached here; they are read from the
//! node when needed. Everything is in memory; `crate::persist` writes it to `--state DIR`.

use std::collections::{BTreeMap, HashMap};

use alloy_primitives::{Address, B256, Bytes, FixedBytes, U256};
use serde::{Deserialize, Serialize};
use warden_core::api::{Call, CallReceipt, UserOperationV07, UuidV4};
use warden_core::permissions::ValidatedPermission;

use super::policies::Policy;

/// How a served account is made: by the factory at a salt, or by delegation (core's
/// `AccountKind` once the salt is chosen).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountOrigin {
    /// Semi-modular account (bytecode owner), deployed by the factory on first use.
    SmaB { salt: U256 },
    /// The owner's EOA, delegated to the MAv2 7702 implementation.
    Eip7702,
}

/// An account the devnet serves.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Account {
    pub address: Address,
    pub owner: Address,
    pub id: UuidV4,
    pub kind: AccountOrigin,
    /// Whether the first operation ran (SMA-B: the factory deployed it).
    pub deployed: bool,
    /// The next session entity id to hand out (≥ 1; 0 is the owner).
    pub next_entity_id: u32,
}

/// Cumulative spending of a session, charged only for operations that succeeded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub native: U256,
    pub erc20: BTreeMap<Address, U256>,
    pub gas: U256,
}

/// A granted session.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: FixedBytes<16>,
    pub account: Address,
    pub key: Address,
    pub entity_id: u32,
    pub permissions: Vec<ValidatedPermission>,
    pub expiry_sec: u64,
    /// The `installValidation` call the owner signs.
    pub install_call: Bytes,
    /// The full nonce of the first operation (deferred-action key, sequence at grant time).
    pub deferred_nonce: U256,
    /// The EIP-712 digest of the DeferredAction the owner signs.
    pub digest: B256,
    pub installed: bool,
    pub revoked: bool,
    pub usage: Usage,
}

impl Session {
    pub fn is_root(&self) -> bool {
        matches!(self.permissions.as_slice(), [ValidatedPermission::Root])
    }
}

/// Who signs a prepared operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpSigner {
    Owner,
    Session { id: FixedBytes<16>, first_use: bool },
}

/// An operation returned by `wallet_prepareCalls`, found again by its hash on send.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PreparedOp {
    pub op: UserOperationV07,
    pub signer: OpSigner,
    pub calls: Vec<Call>,
    /// The gas policy sponsoring it (`None`: the account pays).
    #[serde(default)]
    pub policy: Option<UuidV4>,
    /// The 192-bit nonce key the operation consumes.
    pub nonce_key: U256,
}

impl PreparedOp {
    pub fn sponsored(&self) -> bool {
        self.policy.is_some()
    }
}

/// An operation that was sent.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SentOp {
    pub id: Bytes,
    pub hash: B256,
    pub calls: Vec<Call>,
    pub status: u32,
    pub receipts: Vec<CallReceipt>,
    /// Why the calls reverted (status 500).
    pub revert_reason: Option<String>,
}

/// All of the devnet's own state.
#[derive(Debug, Default)]
pub struct State {
    /// Accounts by address.
    pub accounts: HashMap<Address, Account>,
    /// Account addresses of each signer, in creation order.
    pub by_owner: HashMap<Address, Vec<Address>>,
    pub sessions: HashMap<FixedBytes<16>, Session>,
    /// Gas policies made with `devnet_createPolicy` (the default policy is always known).
    pub policies: BTreeMap<UuidV4, Policy>,
    pub prepared: HashMap<B256, PreparedOp>,
    /// Sent operations by userOpHash.
    pub sent: SentOps,
}

/// The sent operations by userOpHash, added to under the state lock (as each operation
/// runs) and shared with `wallet_getCallsStatus`, which reads them without taking that
/// lock: a status poll does not wait for the operation that is running.
#[derive(Clone, Debug, Default)]
pub struct SentOps(std::sync::Arc<std::sync::RwLock<HashMap<B256, SentOp>>>);

impl SentOps {
    /// The operations of a saved state.
    pub fn from_map(map: HashMap<B256, SentOp>) -> Self {
        Self(std::sync::Arc::new(std::sync::RwLock::new(map)))
    }

    /// A copy of all of them (for saving).
    pub fn to_map(&self) -> HashMap<B256, SentOp> {
        self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// The operation sent with `hash`.
    pub fn get(&self, hash: &B256) -> Option<SentOp> {
        self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(hash).cloned()
    }

    pub fn insert(&self, hash: B256, op: SentOp) {
        self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner).insert(hash, op);
    }
}
