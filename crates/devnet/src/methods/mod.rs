//! The devnet's own methods: the Wallets API (`wallet_*`, protocol.md §4) and the developer
//! conveniences (`devnet_*`).
//!
//! * [`accounts`] — `wallet_requestAccount`, `wallet_listAccounts`, `wallet_getCapabilities`,
//!   `devnet_fund`.
//! * [`policies`] — gas policies: `devnet_createPolicy`, the default policy, sponsorship.
//! * [`sessions`] — `wallet_createSession`, `devnet_sessionUsage`.
//! * [`calls`] — `wallet_prepareCalls`, `wallet_sendPreparedCalls`, `wallet_getCallsStatus`.
//! * [`eip7702`] — delegating a 7702 account with a signed authorization.
//! * [`enforce`] — what a session's modules allow.
//! * [`state`] — what the devnet remembers.
//! * [`tamper`] — `devnet_setTamper`, the test-only dishonest-server switch (`--test-hooks`).
//! * [`tokens`] — `devnet_deployToken`, `devnet_mint`: a test ERC-20.
//!
//! [`Emulator`] is the shared server state: the node client, the chain id, and the emulated
//! accounts and sessions behind one lock. Handlers that change the chain hold the lock
//! while they do, so operations run one at a time and every check sees the state the
//! previous operation left; preparing only reads the chain, outside the lock (an
//! operation prepared with a nonce another one takes first fails on send, AA25, as on the
//! hosted API), and `wallet_getCallsStatus` reads the sent operations without it
//! ([`state::SentOps`]). Not served: `wallet_prepareSign`, `wallet_formatSign` (ERC-1271
//! signatures of the account), `wallet_requestQuote_v0`, `wallet_getCrossChainStatus_v0`.

pub mod accounts;
pub mod calls;
pub mod eip7702;
pub mod enforce;
mod error;
pub mod policies;
pub mod sessions;
pub mod state;
pub mod tamper;
pub mod tokens;

use std::path::PathBuf;

use alloy_primitives::Bytes;
use serde_json::Value;
use warden_core::mav2::constants::SMA_7702_IMPLEMENTATION;

pub use error::{INVALID_POLICY_MESSAGE, MethodError};

use crate::entry_point;
use crate::node::Node;
use crate::rpc::{METHOD_NOT_FOUND, RpcCode, RpcFailure};
use state::{Account, AccountOrigin, State};

/// Everything a request handler needs.
#[derive(Debug)]
pub struct Emulator {
    node: Node,
    chain_id: u32,
    state: tokio::sync::Mutex<State>,
    /// The sent operations, shared with `state.sent`, read without the lock.
    sent: state::SentOps,
    /// `--state DIR`: where state is saved (see [`crate::persist`]).
    state_dir: Option<PathBuf>,
    /// Whether a request changed something since the last save.
    dirty: std::sync::atomic::AtomicBool,
    /// `--test-hooks`: whether test-only methods such as `devnet_setTamper` exist.
    test_hooks: bool,
    /// The pending `devnet_setTamper` mode.
    tamper: std::sync::Mutex<Option<tamper::TamperMode>>,
    /// Operations a `lie-revocation` reported confirmed without running them, by hash: their
    /// status is answered from here, and sending one again runs it.
    lies: std::sync::Mutex<std::collections::HashMap<alloy_primitives::B256, state::SentOp>>,
}

impl Emulator {
    pub(crate) fn new(node: Node, chain_id: u32, state: State, state_dir: Option<PathBuf>) -> Self {
        Self {
            node,
            chain_id,
            sent: state.sent.clone(),
            state: tokio::sync::Mutex::new(state),
            state_dir,
            dirty: std::sync::atomic::AtomicBool::new(false),
            test_hooks: false,
            tamper: std::sync::Mutex::new(None),
            lies: std::sync::Mutex::default(),
        }
    }

    /// Enables the test-only methods (see [`tamper`]).
    pub(crate) fn with_test_hooks(mut self, enabled: bool) -> Self {
        self.test_hooks = enabled;
        self
    }

    /// Notes that a request changed something, to be saved by [`Self::save_if_changed`].
    fn mark_changed(&self) {
        self.dirty.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Saves the state when `--state` was given and a request changed something since the
    /// last save; a failure is logged and retried at the next save (the requests have
    /// already taken effect).
    pub(crate) async fn save_if_changed(&self) {
        let Some(dir) = &self.state_dir else { return };
        if !self.dirty.swap(false, std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let state = self.state.lock().await;
        if let Err(e) = crate::persist::save(dir, &state, &self.node).await {
            self.dirty.store(true, std::sync::atomic::Ordering::SeqCst);
            tracing::error!("could not save the devnet state: {e}");
        }
    }

    /// The node underneath.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// The chain id of the node.
    pub fn chain_id(&self) -> u32 {
        self.chain_id
    }

    fn check_chain(&self, got: u32) -> Result<(), MethodError> {
        if got == self.chain_id { Ok(()) } else { Err(MethodError::WrongChain { got, ours: self.chain_id }) }
    }

    /// The code a 7702 account has once delegated to the MAv2 7702 implementation.
    pub fn delegation_code() -> Bytes {
        let mut v = vec![0xef, 0x01, 0x00];
        v.extend_from_slice(SMA_7702_IMPLEMENTATION.as_slice());
        v.into()
    }

    /// A 7702 account must be delegated before sessions or owner operations can use it.
    async fn require_delegated(&self, account: &Account) -> Result<(), MethodError> {
        if account.kind != AccountOrigin::Eip7702 || self.node.code(account.address).await? == Self::delegation_code() {
            return Ok(());
        }
        Err(MethodError::Invalid(format!(
            "7702 account {} is not delegated to the MAv2 7702 implementation {SMA_7702_IMPLEMENTATION}",
            account.address
        )))
    }
}

/// Runs `method` with `params`.
pub async fn dispatch(emu: &Emulator, method: &str, params: Value) -> Result<Value, RpcFailure> {
    let outcome = match method {
        "wallet_requestAccount" => accounts::request_account(emu, params).await,
        "wallet_listAccounts" => accounts::list_accounts(emu, params).await,
        "wallet_getCapabilities" => accounts::get_capabilities(emu, params).await,
        "wallet_createSession" => sessions::create_session(emu, params).await,
        "wallet_prepareCalls" => calls::prepare_calls(emu, params).await,
        "wallet_sendPreparedCalls" => calls::send_prepared_calls(emu, params).await,
        "wallet_getCallsStatus" => calls::get_calls_status(emu, params).await,
        "devnet_fund" => accounts::fund(emu, params).await,
        "devnet_createPolicy" => policies::create_policy(emu, params).await,
        "devnet_sessionUsage" => sessions::session_usage(emu, params).await,
        "devnet_deployToken" => tokens::deploy_token(emu, params).await,
        "devnet_mint" => tokens::mint(emu, params).await,
        "devnet_setTamper" => tamper::set_tamper(emu, params).await,
        _ => {
            return Err(RpcFailure::new(METHOD_NOT_FOUND, format!("method `{method}` does not exist on the devnet")));
        }
    };
    let mutating = !matches!(
        method,
        "wallet_listAccounts"
            | "wallet_getCapabilities"
            | "wallet_getCallsStatus"
            | "devnet_sessionUsage"
            | "devnet_setTamper"
    );
    if outcome.is_ok() && mutating {
        emu.mark_changed();
    }
    outcome.map_err(|e| e.to_failure())
}
