//! Chain reads from the chain's own node: chain id, native balance, code, transaction
//! count, EntryPoint nonces, an account's installed validations and ERC-20 metadata.
//!
//! A hosted Wallets API serves only `wallet_*` methods; Alchemy's own clients send every
//! other method to the chain's node URL (protocol.md §13). So chain reads never go to the
//! wallet endpoint: a [`NodeClient`] is made for the node endpoint and reads through
//! alloy's provider (`eth_*` calls typed by alloy, the EntryPoint and ERC-20 through
//! `sol!`-generated contract bindings). The transport underneath is Warden's own
//! [`RpcClient`], so node reads get the same guarantees as wallet calls: a timeout and a
//! response-size cap per request, reads retried on transient failures, the API key only in
//! a sensitive header and scrubbed from every error. Every failure comes back as a
//! [`ChainError`] naming the method and the node's host.
//!
//! Left out: anything that writes (transactions go through user operations), block and log
//! queries, batches and subscriptions.

use std::task::{Context, Poll};

use alloy_json_rpc::{RequestPacket, Response, ResponsePacket, ResponsePayload};
use alloy_primitives::{Address, Bytes, FixedBytes, U256, aliases::U192};
use alloy_provider::{Provider, RootProvider};
use alloy_sol_types::sol;
use alloy_transport::{TransportError, TransportErrorKind, TransportFut};
use serde_json::Value;

use crate::error::{Coded, ErrorCode};
use crate::mav2::constants::{ENTRY_POINT_V07, SMA_7702_IMPLEMENTATION};
use crate::permissions::TokenInfo;
use crate::rpc::{CallKind, Endpoint, RpcClient, RpcConfig, RpcError};
use crate::wire;

sol! {
    /// The EntryPoint v0.7 reads Warden needs.
    #[sol(rpc)]
    interface IEntryPoint {
        function getNonce(address sender, uint192 key) external view returns (uint256 nonce);
    }

    /// MAv2's view of an installed validation function (module ‖ entity id).
    #[sol(rpc)]
    interface IModularAccountView {
        struct ValidationDataView {
            uint8 validationFlags;
            bytes25[] validationHooks;
            bytes25[] executionHooks;
            bytes4[] selectors;
        }
        function getValidationData(bytes24 validationFunction) external view returns (ValidationDataView memory data);
    }

    /// ERC-20 metadata, used only to describe amounts.
    #[sol(rpc)]
    interface IERC20 {
        function symbol() external view returns (string);
        function decimals() external view returns (uint8);
    }
}

/// The EIP-7702 delegation designator prefix: code `0xef0100 ‖ address`.
pub const DELEGATION_PREFIX: [u8; 3] = [0xef, 0x01, 0x00];

/// Why a chain read failed.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The node refused, failed or could not be reached.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// The answer is not what the method returns.
    #[error("{method} at {host}: the node answered {got}, which is not {expected}")]
    BadAnswer { method: &'static str, host: String, expected: &'static str, got: String },
}

impl Coded for ChainError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Rpc(e) => e.code(),
            Self::BadAnswer { .. } => ErrorCode::BadResponse,
        }
    }
}

/// What an address's code says about EIP-7702 delegation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Delegation {
    /// No code: a plain EOA.
    NotDelegated,
    /// Delegated to the MAv2 7702 implementation (what Warden's sessions need).
    Delegated {
        #[serde(with = "wire::checksum")]
        implementation: Address,
    },
    /// Delegated, but to another implementation.
    DelegatedElsewhere {
        #[serde(with = "wire::checksum")]
        implementation: Address,
    },
    /// Contract code that is not a delegation designator: not an EOA at all.
    Contract,
    /// The node could not be read: the state is not known. `reported` is the delegation
    /// the wallet endpoint named (untrusted, shown only).
    Unknown {
        #[serde(skip_serializing_if = "Option::is_none", with = "wire::checksum_opt")]
        reported: Option<Address>,
        reason: String,
    },
}

impl Delegation {
    /// Reads the delegation out of an address's code.
    pub fn from_code(code: &[u8]) -> Self {
        if code.is_empty() {
            return Self::NotDelegated;
        }
        match code.strip_prefix(&DELEGATION_PREFIX[..]) {
            Some(rest) if rest.len() == 20 => Self::to(Address::from_slice(rest)),
            _ => Self::Contract,
        }
    }

    /// The delegation to `implementation` (the zero address means none, as EIP-7702 clears
    /// a delegation to it).
    pub fn to(implementation: Address) -> Self {
        if implementation.is_zero() {
            Self::NotDelegated
        } else if implementation == SMA_7702_IMPLEMENTATION {
            Self::Delegated { implementation }
        } else {
            Self::DelegatedElsewhere { implementation }
        }
    }

    /// Whether sessions can be granted on this account.
    pub fn is_mav2(&self) -> bool {
        matches!(self, Self::Delegated { .. })
    }
}

/// What an account has installed for one validation function (MAv2's `ValidationDataView`,
/// counted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationState {
    /// Global, signature and user-operation validation flags.
    pub flags: u8,
    pub validation_hooks: usize,
    pub execution_hooks: usize,
    pub selectors: usize,
}

impl ValidationState {
    /// Whether nothing is installed: what an uninstalled validation leaves.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A client for one chain's node, reading through alloy's provider over [`RpcClient`].
///
/// Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct NodeClient {
    provider: RootProvider,
    host: String,
    rpc: RpcClient,
}

impl std::fmt::Debug for NodeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeClient").field("endpoint", self.rpc.endpoint()).finish_non_exhaustive()
    }
}

impl NodeClient {
    /// A client for the node at `endpoint`, with `config`'s limits on every request.
    pub fn new(endpoint: Endpoint, config: RpcConfig) -> Result<Self, RpcError> {
        Ok(Self::over(RpcClient::new(endpoint, config)?))
    }

    /// A client reading through an existing JSON-RPC client (its endpoint must be a node).
    pub fn over(rpc: RpcClient) -> Self {
        let local = is_loopback(rpc.endpoint().host());
        let client = alloy_rpc_client::RpcClient::new(NodeTransport { rpc: rpc.clone() }, local);
        Self { provider: RootProvider::new(client), host: rpc.endpoint().host().to_owned(), rpc }
    }

    /// The node's endpoint (its `Display` hides any key).
    pub fn endpoint(&self) -> &Endpoint {
        self.rpc.endpoint()
    }

    /// `host[:port]` of the node.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// `eth_chainId`, which must fit the API's 32-bit chain ids.
    pub async fn chain_id(&self) -> Result<u32, ChainError> {
        let id = self.provider.get_chain_id().await.map_err(|e| self.error("eth_chainId", e))?;
        u32::try_from(id).ok().filter(|c| *c != 0).ok_or_else(|| ChainError::BadAnswer {
            method: "eth_chainId",
            host: self.host.clone(),
            expected: "a chain id from 1 to 2^32-1",
            got: id.to_string(),
        })
    }

    /// `eth_getBalance(address, "latest")` in wei.
    pub async fn balance(&self, address: Address) -> Result<U256, ChainError> {
        self.provider.get_balance(address).await.map_err(|e| self.error("eth_getBalance", e))
    }

    /// `eth_getCode(address, "latest")`.
    pub async fn code(&self, address: Address) -> Result<Bytes, ChainError> {
        self.provider.get_code_at(address).await.map_err(|e| self.error("eth_getCode", e))
    }

    /// `eth_getTransactionCount(address, "latest")`: the next transaction (and EIP-7702
    /// authorization) nonce of an EOA.
    pub async fn transaction_count(&self, address: Address) -> Result<u64, ChainError> {
        self.provider.get_transaction_count(address).await.map_err(|e| self.error("eth_getTransactionCount", e))
    }

    /// The 7702 delegation of `address`, from its code.
    pub async fn delegation(&self, address: Address) -> Result<Delegation, ChainError> {
        Ok(Delegation::from_code(&self.code(address).await?))
    }

    /// `EntryPoint.getNonce(sender, key)`: the next full nonce (key ‖ sequence) for a
    /// 192-bit key.
    pub async fn entry_point_nonce(&self, sender: Address, key: U256) -> Result<U256, ChainError> {
        let limbs = key.as_limbs();
        let key =
            (limbs[3] == 0).then(|| U192::from_limbs_slice(&limbs[..3])).ok_or_else(|| ChainError::BadAnswer {
                method: "eth_call",
                host: self.host.clone(),
                expected: "a nonce key that fits 192 bits",
                got: format!("{key:#x}"),
            })?;
        let entry_point = IEntryPoint::new(ENTRY_POINT_V07, &self.provider);
        entry_point.getNonce(sender, key).call().await.map_err(|e| self.contract_error("EntryPoint.getNonce", e))
    }

    /// `account.getValidationData(validationFunction)`: what the account has installed for
    /// one validation function (module address ‖ entity id).
    pub async fn validation_data(
        &self,
        account: Address,
        validation_function: FixedBytes<24>,
    ) -> Result<ValidationState, ChainError> {
        let view = IModularAccountView::new(account, &self.provider);
        let data = view
            .getValidationData(validation_function)
            .call()
            .await
            .map_err(|e| self.contract_error("account.getValidationData", e))?;
        Ok(ValidationState {
            flags: data.validationFlags,
            validation_hooks: data.validationHooks.len(),
            execution_hooks: data.executionHooks.len(),
            selectors: data.selectors.len(),
        })
    }

    /// Symbol and decimals of an ERC-20 token, or `None` when the token does not answer both
    /// (no contract there, a non-standard token, an unreachable node). Only used to describe
    /// amounts; never to decide anything.
    pub async fn erc20_info(&self, token: Address) -> Option<TokenInfo> {
        let erc20 = IERC20::new(token, &self.provider);
        let symbol = erc20.symbol().call().await.ok()?;
        let decimals = erc20.decimals().call().await.ok()?;
        let printable = !symbol.is_empty() && symbol.len() <= 16 && symbol.chars().all(|c| c.is_ascii_graphic());
        printable.then_some(TokenInfo { symbol, decimals })
    }

    /// An alloy error as a [`ChainError`]: Warden's own transport errors come back as they
    /// were made; anything else is an answer alloy could not read.
    fn error(&self, method: &'static str, error: TransportError) -> ChainError {
        match error {
            alloy_json_rpc::RpcError::Transport(TransportErrorKind::Custom(inner)) => {
                match inner.downcast::<RpcError>() {
                    Ok(rpc) => ChainError::Rpc(*rpc),
                    Err(other) => self.bad_answer(method, other.to_string()),
                }
            }
            other => self.bad_answer(method, other.to_string()),
        }
    }

    fn contract_error(&self, method: &'static str, error: alloy_contract::Error) -> ChainError {
        match error {
            alloy_contract::Error::TransportError(e) => self.error(method, e),
            other => self.bad_answer(method, other.to_string()),
        }
    }

    fn bad_answer(&self, method: &'static str, reason: String) -> ChainError {
        ChainError::BadAnswer {
            method,
            host: self.host.clone(),
            expected: "a well-formed answer",
            got: self.rpc.endpoint().scrub(&crate::rpc::truncate_reason(&reason)),
        }
    }
}

/// Whether `host[:port]` is a loopback host (alloy polls local nodes faster).
fn is_loopback(host: &str) -> bool {
    let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
    matches!(name, "127.0.0.1" | "localhost" | "[::1]")
}

/// alloy's transport, made of Warden's [`RpcClient`]: each request of a packet is one
/// [`CallKind::Read`] (so it gets the client's timeout, size cap and retries), and every
/// failure travels back as the [`RpcError`] it was, inside a custom transport error.
#[derive(Clone)]
struct NodeTransport {
    rpc: RpcClient,
}

impl tower::Service<RequestPacket> for NodeTransport {
    type Response = ResponsePacket;
    type Error = TransportError;
    type Future = TransportFut<'static>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, packet: RequestPacket) -> Self::Future {
        let rpc = self.rpc.clone();
        Box::pin(async move {
            match packet {
                RequestPacket::Single(request) => {
                    let id = request.id().clone();
                    let params: Value = match request.params() {
                        Some(raw) => serde_json::from_str(raw.get()).map_err(TransportErrorKind::custom)?,
                        None => Value::Array(Vec::new()),
                    };
                    let result: Value = rpc
                        .request(request.method(), params, CallKind::Read)
                        .await
                        .map_err(TransportErrorKind::custom)?;
                    let raw = serde_json::value::to_raw_value(&result).map_err(TransportErrorKind::custom)?;
                    Ok(ResponsePacket::Single(Response { id, payload: ResponsePayload::Success(raw) }))
                }
                RequestPacket::Batch(_) => Err(TransportErrorKind::custom_str("batches are not sent to the node")),
            }
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn delegation_is_read_from_the_designator() {
        assert_eq!(Delegation::from_code(&[]), Delegation::NotDelegated);
        let mut code = DELEGATION_PREFIX.to_vec();
        code.extend_from_slice(SMA_7702_IMPLEMENTATION.as_slice());
        assert_eq!(Delegation::from_code(&code), Delegation::Delegated { implementation: SMA_7702_IMPLEMENTATION });
        assert!(Delegation::from_code(&code).is_mav2());
        let other = Address::repeat_byte(0x11);
        let mut code = DELEGATION_PREFIX.to_vec();
        code.extend_from_slice(other.as_slice());
        assert_eq!(Delegation::from_code(&code), Delegation::DelegatedElsewhere { implementation: other });
        assert_eq!(Delegation::from_code(&[0x60, 0x00]), Delegation::Contract);
        code.push(0);
        assert_eq!(Delegation::from_code(&code), Delegation::Contract);
        assert_eq!(Delegation::to(Address::ZERO), Delegation::NotDelegated);
    }

    #[test]
    fn delegation_serializes_with_a_status() {
        let v = serde_json::to_value(Delegation::Delegated { implementation: SMA_7702_IMPLEMENTATION }).unwrap();
        assert_eq!(v["status"], "delegated");
        assert_eq!(v["implementation"], "0x69007702764179f14F51cdce752f4f775d74E139");
        assert_eq!(serde_json::to_value(Delegation::NotDelegated).unwrap()["status"], "not-delegated");
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        assert!(is_loopback("127.0.0.1:8545"));
        assert!(is_loopback("localhost"));
        assert!(!is_loopback("eth-mainnet.g.alchemy.com"));
    }
}
