//! [`SessionClient`]: a server's handle on one session grant — send calls within it and
//! read their status, from as many tasks as needed.
//!
//! Built from a `warden.session.v1` document ([`SessionCredentials`]) and the session key
//! (unlocked from the document, or any [`DigestSigner`] the server keeps itself). Every
//! call goes through [`crate::calls`]: prepared with the session's `permissions`
//! capability, verified (calls, account, chain, the session's own entity in the nonce,
//! the `executeUserOp` prefix its hooks need), signed, sent once, and awaited.
//!
//! Nonces: the endpoint picks each operation's nonce at `wallet_prepareCalls` from the
//! EntryPoint's current nonce for the session's key (protocol.md §6.1), so two operations
//! prepared before either is sent would get the same nonce and the second would fail.
//! The client therefore serializes prepare → sign → send per client (waiting for the
//! outcome happens outside that lock, so N tasks still overlap their waits). If an
//! endpoint hands out a nonce this client already used — it answered before the previous
//! operation landed — the client waits for that operation and prepares again. A nonce
//! conflict the endpoint reports at send (another process used the same session) is not
//! taken on trust: a retry must never run the calls twice, so before preparing again the
//! client asks the endpoint for the status of the operation it just signed, under the call
//! id the official examples build (chain id ‖ userOpHash, [`calls::call_id_for`]). If the
//! endpoint knows it, it was accepted after all: its outcome is returned and nothing is
//! sent again. Only an "unknown call id" lets the client prepare afresh, a bounded number
//! of times; any other answer leaves the outcome unknown and is returned as an error.
//!
//! Left out: parallel nonce keys (`nonceOverride`), which would let operations of one
//! session be in flight at once but whose placement in the key is unconfirmed on the
//! hosted API (protocol.md §12 item 12); telling from the chain alone which operation
//! consumed a nonce (the EntryPoint's `UserOperationEvent` logs; the client has no node);
//! and any persistence across processes.

use std::sync::Arc;

use alloy_primitives::{Address, Bytes, U256};

use crate::api::{Call, PermissionsCapability, PrepareCallsCapabilities, PrepareCallsParams, UuidV4};
use crate::calls::{
    self, CallOutcome, CallRequest, CallsError, NoProgress, ProgressSink, Sent, Validation, WaitPolicy, sponsorship,
};
use crate::credentials::{CredentialsError, SessionCredentials, Unlock};
use crate::permissions;
use crate::rpc::RpcClient;
use crate::signing::DigestSigner;

/// How many times a send refused for a nonce conflict is prepared again.
const NONCE_CONFLICT_RETRIES: u32 = 3;

/// A session key's client for one grant. Cheap to clone; clones share the key, the
/// connection pool and the nonce lock, so clones may send from different tasks at once.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use warden_core::api::Call;
/// use warden_core::credentials::{SessionCredentials, Unlock};
/// use warden_core::rpc::{Endpoint, RpcClient, RpcConfig};
/// use warden_core::session::SessionClient;
///
/// let creds = SessionCredentials::read_file("session.json".as_ref())?;
/// let passphrase = std::env::var("WARDEN_PASSPHRASE")?;
/// let rpc = RpcClient::new(Endpoint::new(&creds.endpoint)?, RpcConfig::default())?;
/// let client = SessionClient::from_credentials(&creds, Unlock::Passphrase(&passphrase), rpc)?;
///
/// let pay = Call { to: "0x0000000000000000000000000000000000000b0b".parse()?, data: None, value: Some(1_000u64.try_into()?) };
/// let outcome = client.send_calls(&[pay]).await?; // waits for a final status
/// println!("call {} status {} tx {:?}", outcome.call_id, outcome.status, outcome.transaction_hash());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SessionClient {
    inner: Arc<Inner>,
}

struct Inner {
    rpc: RpcClient,
    credentials: SessionCredentials,
    signer: Arc<dyn DigestSigner + Send + Sync>,
    validation: Validation,
    policy: Option<UuidV4>,
    /// Pay from the account when the policy declines (see `CallRequest::allow_unsponsored`).
    allow_unsponsored: bool,
    /// The most one operation may cost in gas (see `crate::signing::fees`).
    max_fee: U256,
    wait: WaitPolicy,
    /// Held from prepare to send; remembers the last operation this client sent.
    sending: tokio::sync::Mutex<Option<LastSent>>,
}

#[derive(Clone, Debug)]
struct LastSent {
    nonce: U256,
    call_id: Bytes,
}

impl std::fmt::Debug for SessionClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionClient")
            .field("account", &self.inner.credentials.account)
            .field("chain_id", &self.inner.credentials.chain_id)
            .field("session_key", &self.inner.signer.address())
            .field("endpoint", self.inner.rpc.endpoint())
            .finish_non_exhaustive()
    }
}

impl SessionClient {
    /// A client for the grant in `credentials`, with the session key unlocked from its
    /// `secret` by `unlock`, talking to `rpc` (whose endpoint may differ from the
    /// document's `endpoint`, e.g. to add an API key).
    pub fn from_credentials(
        credentials: &SessionCredentials,
        unlock: Unlock<'_>,
        rpc: RpcClient,
    ) -> Result<Self, CredentialsError> {
        let signer = credentials.session_signer(unlock)?;
        Self::with_signer(credentials, Arc::new(signer), rpc)
    }

    /// A client for the grant in `credentials` whose session key is `signer` (a server that
    /// keeps its own key; the document then carries no secret). Refuses a signer that is
    /// not the document's session key.
    pub fn with_signer(
        credentials: &SessionCredentials,
        signer: Arc<dyn DigestSigner + Send + Sync>,
        rpc: RpcClient,
    ) -> Result<Self, CredentialsError> {
        credentials.check()?;
        if signer.address() != credentials.key.public_key {
            return Err(CredentialsError::Inconsistent {
                field: "key.publicKey",
                reason: format!("is {}, but the signer given is {}", credentials.key.public_key, signer.address()),
            });
        }
        let set = permissions::validate(&credentials.permissions, credentials.account)
            .map_err(|e| CredentialsError::Inconsistent { field: "permissions", reason: e.to_string() })?;
        let validation = Validation::Session {
            entity_id: credentials.grant.as_ref().map(|g| g.entity_id),
            root: set.is_root(),
            execute_user_op: set.has_execution_hooks(),
        };
        Ok(Self {
            inner: Arc::new(Inner {
                rpc,
                policy: credentials.paymaster.as_ref().map(|p| p.policy_id),
                allow_unsponsored: false,
                max_fee: default_max_fee(credentials),
                credentials: credentials.without_secret(),
                signer,
                validation,
                wait: WaitPolicy::default(),
                sending: tokio::sync::Mutex::new(None),
            }),
        })
    }

    /// The same client with another gas-manager policy (or none) for the calls it sends.
    pub fn with_policy(&self, policy: Option<UuidV4>) -> Self {
        self.rebuilt(|i| i.policy = policy)
    }

    /// The same client, paying from the account when its gas policy declines a call (by
    /// default such a call is refused before it is signed).
    pub fn allowing_unsponsored(&self, allow: bool) -> Self {
        self.rebuilt(|i| i.allow_unsponsored = allow)
    }

    /// The same client with another fee ceiling for each operation (`None`: the default,
    /// which a session's `gas-limit` lowers).
    pub fn with_max_fee(&self, max_fee: Option<U256>) -> Self {
        let max_fee = max_fee.unwrap_or_else(|| default_max_fee(&self.inner.credentials));
        self.rebuilt(|i| i.max_fee = max_fee)
    }

    /// The same client with another wait policy for [`Self::send_calls`].
    pub fn with_wait_policy(&self, wait: WaitPolicy) -> Self {
        self.rebuilt(|i| i.wait = wait)
    }

    /// A new client (with its own nonce lock) from this one's parts, changed by `change`.
    fn rebuilt(&self, change: impl FnOnce(&mut Inner)) -> Self {
        let i = &self.inner;
        let mut inner = Inner {
            rpc: i.rpc.clone(),
            credentials: i.credentials.clone(),
            signer: i.signer.clone(),
            validation: i.validation,
            policy: i.policy,
            allow_unsponsored: i.allow_unsponsored,
            max_fee: i.max_fee,
            wait: i.wait.clone(),
            sending: tokio::sync::Mutex::new(None),
        };
        change(&mut inner);
        Self { inner: Arc::new(inner) }
    }

    /// The smart account the session acts for.
    pub fn account(&self) -> Address {
        self.inner.credentials.account
    }

    /// The chain the session is on.
    pub fn chain_id(&self) -> u32 {
        self.inner.credentials.chain_id
    }

    /// The session key's address.
    pub fn session_key(&self) -> Address {
        self.inner.credentials.key.public_key
    }

    /// The credentials, without their secret.
    pub fn credentials(&self) -> &SessionCredentials {
        &self.inner.credentials
    }

    /// The `wallet_prepareCalls` request for `calls` under this session.
    pub fn request(&self, calls: &[Call]) -> CallRequest {
        let creds = &self.inner.credentials;
        CallRequest {
            params: PrepareCallsParams {
                calls: Some(calls.to_vec()),
                from: creds.account,
                chain_id: creds.chain_id,
                capabilities: Some(PrepareCallsCapabilities {
                    permissions: Some(PermissionsCapability::Context { context: creds.context.clone() }),
                    paymaster_service: self.inner.policy.map(sponsorship),
                    ..PrepareCallsCapabilities::default()
                }),
                paymaster_permit_signature: None,
            },
            validation: self.inner.validation,
            allow_unsponsored: self.inner.allow_unsponsored,
            max_fee: Some(self.inner.max_fee),
        }
    }

    /// Sends `calls` as one atomic operation and waits for its final status. `Ok` only when
    /// it succeeded (status 2xx).
    pub async fn send_calls(&self, calls: &[Call]) -> Result<CallOutcome, CallsError> {
        let wait = self.inner.wait.clone();
        self.send_calls_with(calls, Some(&wait), &NoProgress).await
    }

    /// Sends `calls`; with `wait`, waits for a final status, otherwise returns once the
    /// endpoint accepted the operation (status 100). Each step is reported to `progress`.
    pub async fn send_calls_with(
        &self,
        calls: &[Call],
        wait: Option<&WaitPolicy>,
        progress: &dyn ProgressSink,
    ) -> Result<CallOutcome, CallsError> {
        let sent = self.send_serialized(calls, progress).await?;
        match wait {
            Some(policy) => calls::wait_for(&self.inner.rpc, &sent.call_id, policy, progress).await,
            None => Ok(sent.pending_outcome()),
        }
    }

    /// Prepare → verify → sign → send under the client's lock (see the module docs).
    async fn send_serialized(&self, calls: &[Call], progress: &dyn ProgressSink) -> Result<Sent, CallsError> {
        let inner = &*self.inner;
        let request = self.request(calls);
        let mut last = inner.sending.lock().await;
        let mut conflicts = 0;
        let mut waited_for_previous = false;
        loop {
            let verified = calls::prepare(&inner.rpc, &request, progress).await?;
            let nonce = verified.nonce();
            if let (Some(n), Some(prev)) = (nonce, last.as_ref())
                && same_key(n, prev.nonce)
                && n <= prev.nonce
                && !waited_for_previous
            {
                // The endpoint does not count our previous operation yet: let it land.
                tracing::debug!(call_id = %prev.call_id, "waiting for the previous operation before reusing its nonce key");
                let _ = calls::wait_for(&inner.rpc, &prev.call_id, &inner.wait, &NoProgress).await;
                waited_for_previous = true;
                continue;
            }
            let user_op_hash = verified.user_op_hash();
            let sent = match calls::sign_and_send(&inner.rpc, &*inner.signer, &request, verified, progress).await {
                Ok(sent) => sent,
                Err(e) if e.is_nonce_conflict() && conflicts < NONCE_CONFLICT_RETRIES => {
                    match self.accepted_after_all(user_op_hash).await? {
                        Some(sent) => sent,
                        None => {
                            conflicts += 1;
                            tracing::debug!(conflicts, error = %e, "nonce taken by another sender; preparing again");
                            continue;
                        }
                    }
                }
                Err(e) => return Err(e),
            };
            if let Some(n) = nonce {
                *last = Some(LastSent { nonce: n, call_id: sent.call_id.clone() });
            }
            return Ok(sent);
        }
    }

    /// After a send refused as a nonce conflict: whether the endpoint knows the operation
    /// it refused (it ran, or runs, after all). `None` only when the endpoint answers that
    /// the call id is unknown; any other failure is returned, as the outcome is unknown.
    async fn accepted_after_all(
        &self,
        user_op_hash: Option<alloy_primitives::B256>,
    ) -> Result<Option<Sent>, CallsError> {
        let Some(hash) = user_op_hash else { return Ok(None) };
        let call_id = calls::call_id_for(self.chain_id(), hash);
        match calls::status(&self.inner.rpc, &call_id).await {
            Ok(outcome) => {
                tracing::warn!(%call_id, status = %outcome.status, "the endpoint refused a send as a nonce conflict but knows the operation: not sending again");
                Ok(Some(Sent { call_id, user_op_hash: Some(hash) }))
            }
            Err(CallsError::UnknownCallId { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The status of a call, read once.
    pub async fn status(&self, call_id: &Bytes) -> Result<CallOutcome, CallsError> {
        calls::status(&self.inner.rpc, call_id).await
    }

    /// Waits for a call this (or another) client sent to reach a final status.
    pub async fn wait(&self, call_id: &Bytes) -> Result<CallOutcome, CallsError> {
        calls::wait_for(&self.inner.rpc, call_id, &self.inner.wait, &NoProgress).await
    }
}

/// Whether two nonces share their 192-bit key.
fn same_key(a: U256, b: U256) -> bool {
    (a >> 64) == (b >> 64)
}

/// The default fee ceiling of a session's operations: the general default, lowered to the
/// session's `gas-limit` allowance when it has one (a single operation cannot spend more).
fn default_max_fee(credentials: &SessionCredentials) -> U256 {
    let bounds = crate::signing::FeeBounds::default();
    let gas_limit = credentials.permissions.iter().find_map(|p| match p {
        permissions::Permission::GasLimit { limit } => Some(*limit),
        _ => None,
    });
    match gas_limit {
        Some(limit) => bounds.capped_at(limit).max_cost,
        None => bounds.max_cost,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone>() {}

    #[test]
    fn the_client_can_be_shared_between_tasks() {
        assert_send_sync::<SessionClient>();
    }

    #[test]
    fn nonce_keys_are_compared_without_the_sequence() {
        let key = U256::from(0x102u64) << 64;
        assert!(same_key(key, key + U256::from(5)));
        assert!(!same_key(key, U256::from(0x100u64) << 64));
    }
}
